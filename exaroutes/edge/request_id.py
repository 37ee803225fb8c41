"""`X-Request-Id` on every response: echoed when the client sent a sane one, generated otherwise.

The edge middleware (exaroutes.edge.access_log) decides the id first, so the access log, error logs
and the header carry the same value; this covers the app when it is called without the middleware.
"""
from pyramid.events import NewResponse

from exaroutes.edge.access_log import request_id_of


def request_id(request):
    return request_id_of(request.environ)


def add_request_id_header(event):
    event.response.headers["X-Request-Id"] = event.request.request_id


def includeme(config):
    config.add_request_method(request_id, reify=True)
    config.add_subscriber(add_request_id_header, NewResponse)
