"""Sign in with an API key, sign out."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from exaroutes.auth.keys import find_active_key
from exaroutes.dashboard.pages import template
from exaroutes.dashboard.session import sign_in, sign_out


@view_config(route_name="dashboard_bare")
@view_config(route_name="dashboard")
def dashboard_home(request):
    target = "dashboard_codes" if request.dashboard_user else "dashboard_signin"
    return HTTPSeeOther(location=request.route_url(target))


@view_config(route_name="dashboard_signin", request_method="GET", renderer=template("signin.jinja2"))
def signin_get(request):
    return {}


@view_config(route_name="dashboard_signin", request_method="POST", require_csrf=True)
def signin_post(request):
    key = find_active_key(request.dbsession, request.POST.get("key", "").strip())
    if key is None:
        response = render_to_response(template("signin.jinja2"), {
            "errors": {"key": "unknown, revoked or expired key"}}, request=request)
        response.status_code = 401
        return response
    sign_in(request, key)
    return HTTPSeeOther(location=request.route_url("dashboard_codes"))


@view_config(route_name="dashboard_signout", request_method="POST", require_csrf=True)
def signout_post(request):
    sign_out(request)
    return HTTPSeeOther(location=request.route_url("dashboard_signin"))
