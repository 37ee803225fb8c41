"""One error shape for every 4xx and 5xx (DESIGN.md §1.1), whoever raised it.

`{"error": "<one sentence>", "errors": [{"location", "name", "description"}]}`, always JSON. Views
*raise* `ApiError` instead of returning an error response, so pyramid_tm rolls the transaction back.
"""
import json
import logging

from pyramid.exceptions import URLDecodeError
from pyramid.httpexceptions import HTTPError, HTTPException, status_map
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

log = logging.getLogger(__name__)

WWW_AUTHENTICATE = 'Bearer realm="exaroutes"'


def field_error(location, name, description):
    return {"location": location, "name": name, "description": description}


class ApiError(Exception):
    """Raise (never return) a 4xx: the exception makes pyramid_tm roll back."""

    def __init__(self, status, message, errors=(), headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)
        self.headers = headers or {}

    @classmethod
    def for_field(cls, status, location, name, description):
        """An error about one field: the sentence names it, and so does `errors`."""
        return cls(status, f"{name}: {description}", [field_error(location, name, description)])


class JsonHttpError(HTTPError):
    """An HTTP error response in our JSON shape; an exception too, so Cornice may raise it."""

    def __init__(self, status, message, errors=(), headers=None):
        super().__init__(headers=headers)
        self.status = f"{status} {status_map[status].title}" if status in status_map else str(status)
        self.content_type = "application/json"
        self.charset = "utf-8"
        self.text = json.dumps({"error": message, "errors": list(errors)})
        # WebOb would otherwise replace our body with its HTML/plain template for some clients.
        self.empty_body = False

    def prepare(self, environ):
        """Keep the JSON body: HTTPException.prepare would render its own page."""


def error_response(status, message, errors=(), headers=None):
    return JsonHttpError(status, message, errors, headers)


def cornice_error_handler(request):
    """Turn Cornice's `request.errors` into our shape; every problem found is listed."""
    errors = [field_error(e.get("location") or "body", e.get("name") or "", _text(e.get("description")))
              for e in request.errors]
    first = errors[0] if errors else {"name": "", "description": "invalid request"}
    message = f"{first['name']}: {first['description']}" if first["name"] else first["description"]
    return error_response(request.errors.status, message, errors)


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")


@exception_view_config(ApiError)
def api_error(exc, request):
    return error_response(exc.status, exc.message, exc.errors, exc.headers)


@notfound_view_config()
def not_found(exc, request):
    return error_response(404, "Not found: no such resource or route.")


@forbidden_view_config()
def forbidden(exc, request):
    """401 when no valid key came with the request (Kinto's authorization_required), else 403."""
    if request.identity is None:
        return error_response(
            401, "A valid API key is required: send 'Authorization: Bearer <key>'.",
            [field_error("header", "Authorization", "missing, malformed, unknown, revoked or expired key")],
            {"WWW-Authenticate": WWW_AUTHENTICATE})
    return error_response(403, "This key may not do that.")


@exception_view_config(HTTPException)
def http_exception(exc, request):
    """Pyramid's and Cornice's own HTTP errors (405 with Allow, 415, …) in our JSON shape."""
    if isinstance(exc, JsonHttpError) or exc.status_code < 400:
        return exc
    headers = {name: value for name, value in exc.headers.items()
               if name.lower() in ("allow", "retry-after", "www-authenticate")}
    if exc.status_code == 405:
        message = f"Method {request.method} is not allowed here; allowed: {exc.headers.get('Allow', '')}."
    else:
        message = exc.explanation or exc.title
    return error_response(exc.status_code, message, headers=headers)


@exception_view_config(URLDecodeError)
def undecodable_url(exc, request):
    """A path that is not UTF-8 names no resource; Pyramid cannot even match it against the routes."""
    return error_response(400, "The URL path is not valid UTF-8.", [field_error("path", "", "not UTF-8")])


@exception_view_config(UnicodeDecodeError)
def undecodable_input(exc, request):
    """WebOb decodes a query string or form only when a view reads it, and raises if it is not UTF-8:
    our own data is text already, so here the client's input is what could not be decoded."""
    return error_response(400, "The query string or form is not valid UTF-8.",
                          [field_error("querystring" if request.method in ("GET", "HEAD") else "body", "",
                                       "not UTF-8")])


@exception_view_config(Exception)
def unexpected_error(exc, request):
    """500 in the same shape; the log has the request id, method, path and traceback, never headers."""
    log.error("unhandled error: request_id=%s %s %s", getattr(request, "request_id", "-"),
              request.method, request.environ.get("PATH_INFO", ""), exc_info=exc)
    return error_response(500, "Internal error; quote the X-Request-Id header when reporting it.")


def includeme(config):
    config.scan(".errors")
