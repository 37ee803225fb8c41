"""`GET /r/{short_id}` answered in front of Pyramid's router and tween chain, with the same policy.

A scan is the one request the service answers thousands of times a second, and the router around
the view (tweens, pyramid_tm, pyramid_retry, route matching, view derivers with their security
checks) costs more CPU than the view itself (BENCHMARKS.md "Redirect", wave 5). So `ScanDispatch`
sits between the edge middleware and the Pyramid app: a request whose raw path is exactly
`/r/<one segment>` is handed to the scan view directly; everything else, `/r/{id}/password` and
`/r/{id}/contact.vcf` included, goes through the full app.

What must not differ between the two paths is not written twice, it is *called* the same way:
- the `NewRequest` and `NewResponse` subscribers registered on this registry are called, so every
  subscriber the full app runs (rate limits, security headers, the request id, whatever is added
  later) runs here; they are looked up once, when the app is made (the registry does not change after);
- the request has the same request methods and properties (`add_request_method`), set on one class
  made once instead of on a class made per request as `apply_request_extensions` does;
- the route's own context factory loads `request.context`, as the router would;
- an exception goes to `request.invoke_exception_view()`: the same exception views, the same pages;
- response and finished callbacks run as the router runs them.
tests/functional/test_scan_dispatch.py compares the two paths answer for answer.
"""
import sys

from pyramid.events import NewRequest, NewResponse
from pyramid.interfaces import IRequestExtensions, IRequestFactory, IRoutesMapper
from pyramid.request import Request
from pyramid.threadlocal import RequestContext
from zope.interface import implementedBy

from exaroutes.edge.paths import SCAN, is_scan, raw_path

SCAN_METHODS = frozenset({"GET", "HEAD"})


def scan_short_id(environ):
    """The short id if this request is a scan (`GET`/`HEAD /r/<segment>`), else None.

    Other methods go through the full app, which answers them with its 405, and so does a path
    that is not UTF-8 (the router's 400). WSGI gives PATH_INFO as latin-1 text of the raw bytes.
    """
    if environ.get("REQUEST_METHOD") not in SCAN_METHODS:
        return None
    path = raw_path(environ)
    if not is_scan(path):
        return None
    segment = path[len(SCAN):]
    if segment.isascii():
        return segment
    try:
        return segment.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None


def extended_request_class(registry):
    """The request factory's class with every `add_request_method` method and property on it."""
    base = registry.queryUtility(IRequestFactory, default=Request)
    extensions = registry.queryUtility(IRequestExtensions)
    attrs = {"__module__": base.__module__}
    if extensions is not None:
        attrs.update(extensions.methods)       # functions of the request: methods of the class
        attrs.update(extensions.descriptors)   # properties and reified properties
    extended = type(base.__name__, (base,), attrs)
    for name in ("__implemented__", "__provides__"):   # look like the base to zope.interface lookups
        if hasattr(base, name):
            setattr(extended, name, getattr(base, name))
    return extended


def subscribers_of(registry, event_class):
    """The subscribers `registry.notify` would call for an event of `event_class`, in its order."""
    return tuple(registry.adapters.subscriptions([implementedBy(event_class)], None))


class ScanDispatch:
    """WSGI: scans straight to the scan view, the rest to `app` (the Pyramid router)."""

    def __init__(self, app, route_name="scan"):
        self.app = app
        self.registry = app.registry
        self.request_class = extended_request_class(self.registry)
        self.on_new_request = subscribers_of(self.registry, NewRequest)
        self.on_new_response = subscribers_of(self.registry, NewResponse)
        self.route = self.registry.getUtility(IRoutesMapper).get_route(route_name)
        self.view = self.registry["scan_view"]

    def __getattr__(self, name):
        """The Router's attributes stay reachable (pyramid.paster.bootstrap needs `registry` and more)."""
        return getattr(self.app, name)

    def __call__(self, environ, start_response):
        short_id = scan_short_id(environ)
        if short_id is None:
            return self.app(environ, start_response)
        response = self.answer(environ, short_id)
        return response(environ, start_response)

    def answer(self, environ, short_id):
        request = self.request_class(environ)
        request.registry = self.registry
        request.matchdict = {"short_id": short_id}
        request.matched_route = self.route
        with RequestContext(request):
            try:
                event = NewRequest(request)
                for subscriber in self.on_new_request:
                    subscriber(event)
                if self.route.factory is not None:
                    request.context = self.route.factory(request)
                response = self.view(request)
            except Exception:
                response = request.invoke_exception_view(sys.exc_info())
            if request.response_callbacks:
                request._process_response_callbacks(response)
            event = NewResponse(request, response)
            for subscriber in self.on_new_response:
                subscriber(event)
            if request.finished_callbacks:
                request._process_finished_callbacks()
        return response
