"""What every dashboard page shares: security headers, template globals, HTML error pages."""
import logging

from pyramid.csrf import get_csrf_token
from pyramid.events import BeforeRender, NewResponse, subscriber
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import exception_view_config, notfound_view_config

from exaroutes.edge.paths import DASHBOARD_PATHS, is_dashboard, raw_path
from exaroutes.errors import ApiError

log = logging.getLogger(__name__)

TEMPLATES = "exaroutes.dashboard:templates/"

#: no inline script or style, nothing from another origin; images may be data: URIs (previews)
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def template(name):
    return TEMPLATES + name


@subscriber(NewResponse)
def security_headers(event):
    if not is_dashboard(raw_path(event.request.environ)):
        return
    headers = event.response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if headers.get("Content-Type", "").startswith("text/html"):
        headers["Cache-Control"] = "no-store"       # pages show workspace data: never from a shared cache


@subscriber(BeforeRender)
def template_globals(event):
    request = event.get("request")
    if request is None or not is_dashboard(raw_path(request.environ)):
        return
    event.setdefault("user", request.dashboard_user)
    event.setdefault("csrf_token", get_csrf_token(request))
    event.setdefault("errors", {})


def require_user(request):
    """The signed-in DashboardUser, or a redirect to the sign-in page."""
    user = request.dashboard_user
    if user is None:
        raise HTTPSeeOther(location=request.route_url("dashboard_signin"))
    return user


def error_page(request, status, title, message):
    response = render_to_response(template("error.jinja2"), {"title": title, "message": message},
                                  request=request)
    response.status_code = status
    return response


@notfound_view_config(path_info=DASHBOARD_PATHS)
def dashboard_not_found(exc, request):
    return error_page(request, 404, "Not found", "There is no such page or code in this workspace.")


@exception_view_config(ApiError, path_info=DASHBOARD_PATHS)
def dashboard_api_error(exc, request):
    """A domain error outside a form (e.g. another workspace's code: 404) as an HTML page."""
    return error_page(request, exc.status, "Not found" if exc.status == 404 else "Cannot do that", exc.message)


@exception_view_config(Exception, path_info=DASHBOARD_PATHS)
def dashboard_unexpected_error(exc, request):
    """A 500 as a page (the API's JSON view answers elsewhere); logged with the request id, never headers."""
    log.error("unhandled dashboard error: request_id=%s %s %s", request.request_id, request.method,
              request.path, exc_info=exc)
    return error_page(request, 500, "Something went wrong",
                      f"The error is logged; quote {request.request_id} when reporting it.")


@exception_view_config(UnicodeDecodeError, path_info=DASHBOARD_PATHS)
def dashboard_not_utf8(exc, request):
    """WebOb decodes the query string and form lazily and raises when they are not UTF-8 (`?q=%ED%A0%80`)."""
    return error_page(request, 400, "Cannot read this address",
                      "The address or the form is not valid UTF-8 text.")


@exception_view_config(BadCSRFToken, path_info=DASHBOARD_PATHS)
@exception_view_config(BadCSRFOrigin, path_info=DASHBOARD_PATHS)
def dashboard_bad_csrf(exc, request):
    return error_page(request, 400, "The form has expired",
                      "This form was sent without a valid token (an old page, or sent from another site). "
                      "Reload the page and try again.")
