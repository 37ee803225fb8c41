"""The dashboard: server-rendered pages under /dashboard/ for one workspace, signed in with an API key.

It is where the edits the API refuses (protected codes, `409`) are made. Everything is served by this
app (templates, CSS, charts as inline SVG); no script and no third-party origin is allowed by the CSP.
"""
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.settings import asbool

from exaroutes.codes.lookup import dashboard_code, dashboard_job
from exaroutes.dashboard.session import make_session_factory, signed_in_user


def includeme(config):
    settings = config.get_settings()
    settings.setdefault("jinja2.undefined", "strict")      # a typo in a template fails loudly
    config.include("pyramid_jinja2")
    # The session only exists for dashboard pages: the API never touches request.session.
    config.set_session_factory(make_session_factory(
        settings.get("exaroutes.secret", ""),
        secure=asbool(settings.get("exaroutes.dashboard.secure_cookie", False))))
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.add_request_method(signed_in_user, "dashboard_user", reify=True)
    config.add_static_view("dashboard/static", "exaroutes.dashboard:static", cache_max_age=3600)
    config.add_route("dashboard", "/dashboard/")
    config.add_route("dashboard_bare", "/dashboard")
    config.add_route("dashboard_signin", "/dashboard/signin")
    config.add_route("dashboard_signout", "/dashboard/signout")
    config.add_route("dashboard_codes", "/dashboard/codes")
    config.add_route("dashboard_new", "/dashboard/codes/new")
    config.add_route("dashboard_code", "/dashboard/codes/{id}", factory=dashboard_code)
    config.add_route("dashboard_edit", "/dashboard/codes/{id}/edit", factory=dashboard_code)
    config.add_route("dashboard_image", "/dashboard/codes/{id}/image", factory=dashboard_code)
    config.add_route("dashboard_download", "/dashboard/codes/{id}/download/{format}", factory=dashboard_code)
    config.add_route("dashboard_bulk", "/dashboard/bulk")
    config.add_route("dashboard_bulk_job", "/dashboard/bulk/{bulkId}", factory=dashboard_job)
    config.add_route("dashboard_bulk_archive", "/dashboard/bulk/{bulkId}/archive", factory=dashboard_job)
    config.add_route("dashboard_webhooks", "/dashboard/webhooks")
    config.add_route("dashboard_webhook", "/dashboard/webhooks/{id}")
    config.add_route("dashboard_webhook_action", "/dashboard/webhooks/{id}/{action}")
    config.add_route("dashboard_webhook_retry", "/dashboard/webhooks/{id}/deliveries/{deliveryId}/retry")
    config.add_route("dashboard_domains", "/dashboard/domains")
    config.add_route("dashboard_domain_verify", "/dashboard/domains/{hostname}/verify")
    config.add_route("dashboard_domain_delete", "/dashboard/domains/{hostname}/delete")
    config.scan(".pages")
    config.scan(".auth_views")
    config.scan(".list_views")
    config.scan(".create_views")
    config.scan(".code_views")
    config.scan(".bulk_views")
    config.scan(".webhook_views")
    config.scan(".domain_views")
