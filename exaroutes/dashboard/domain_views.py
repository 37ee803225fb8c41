"""Custom domains in the dashboard: add a hostname, read the TXT record to publish, verify, delete.

Each action is a POST form (CSRF-checked) calling the same service as `/api/domains`; a refusal
(bad hostname 422, DNS not matching 409, codes still on the domain 409) is shown on the page with
the API's own sentence, and nothing is changed.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from exaroutes.dashboard.pages import require_user, template
from exaroutes.domains import service
from exaroutes.domains.hosts import forget_after_commit
from exaroutes.domains.hostnames import unicode_hostname
from exaroutes.errors import ApiError

PAGE_SIZE = 50


def domains_page(request, user, values=None, errors=None, notice=None, status=200):
    cursor = request.GET.get("cursor") or "0"
    page, total, next_cursor = service.list_domains(request.dbsession, user.workspace_id, PAGE_SIZE, cursor)
    rows = [{"domain": domain, "json": service.domain_json(domain), "unicode": unicode_hostname(domain.hostname)}
            for domain in page]
    response = render_to_response(template("domains.jinja2"), {
        "rows": rows, "total": total, "cursor": cursor, "next_cursor": next_cursor, "values": values or {},
        "errors": errors or {}, "notice": notice,
        "scheme": request.registry.settings["exaroutes.redirect_base"].split("://", 1)[0],
    }, request=request)
    response.status_code = status
    return response


def back_to_list(request, notice):
    return HTTPSeeOther(location=request.route_url("dashboard_domains", _query={"notice": notice}))


NOTICES = {"added": "Domain added: publish its TXT record, then verify.", "verified": "Domain verified.",
           "deleted": "Domain deleted."}


@view_config(route_name="dashboard_domains", request_method="GET")
def domains_get(request):
    user = require_user(request)
    return domains_page(request, user, notice=NOTICES.get(request.GET.get("notice")))


@view_config(route_name="dashboard_domains", request_method="POST", require_csrf=True)
def domains_post(request):
    """Add a domain."""
    user = require_user(request)
    hostname = request.POST.get("hostname", "")
    try:
        service.create_domain(request.dbsession, request.registry.settings, user.workspace_id, hostname)
    except ApiError as exc:
        return domains_page(request, user, values={"hostname": hostname}, status=exc.status,
                            errors={"hostname": exc.errors[0]["description"] if exc.errors else exc.message})
    return back_to_list(request, "added")


def domain_action(request, action, done):
    """Run `action(user, hostname)` on the workspace's domain; a refusal is shown on the page."""
    user = require_user(request)
    hostname = request.matchdict["hostname"]
    try:
        domain = action(user, hostname)
    except ApiError as exc:
        if exc.status == 404:
            raise                      # another workspace's domain, or none: the 404 page
        return domains_page(request, user, errors={"action": exc.message, "action_host": hostname},
                            status=exc.status)
    forget_after_commit(request, domain.hostname)
    return back_to_list(request, done)


@view_config(route_name="dashboard_domain_verify", request_method="POST", require_csrf=True)
def domain_verify_post(request):
    registry = request.registry
    return domain_action(request, lambda user, hostname: service.verify_domain(
        request.dbsession, registry.settings, registry["dns_settings"], user.workspace_id, hostname), "verified")


@view_config(route_name="dashboard_domain_delete", request_method="POST", require_csrf=True)
def domain_delete_post(request):
    return domain_action(request, lambda user, hostname: service.delete_domain(
        request.dbsession, request.registry.settings, user.workspace_id, hostname), "deleted")
