"""One log line per request: method, path, status, duration and request id, never a header value.

The request id is decided here (echoed when the client sent a sane one, generated otherwise) and put
into the environ, so the app, its error logs and the `X-Request-Id` response header all agree.
Only the path is logged, not the query string: keys and personal data must never reach the logs.
"""
import logging
import re
import time
import uuid

log = logging.getLogger("exaroutes.access")

SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ENVIRON_KEY = "exaroutes.request_id"


def request_id_of(environ):
    """The id of this request: set once, by the first caller, then reused."""
    found = environ.get(ENVIRON_KEY)
    if found is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        found = given if SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = found
    return found


def printable(text, limit=300):
    """Paths are client input: no control characters (forged log lines) and a bounded length."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:limit])


class AccessLog:
    def __init__(self, app):
        self.app = app

    def __getattr__(self, name):
        """`registry` and the rest of the Router stay reachable (pyramid.paster.bootstrap needs them)."""
        return getattr(self.app, name)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = request_id_of(environ)
        seen = {"status": "500"}

        def logging_start_response(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            if not any(name.lower() == "x-request-id" for name, _ in headers):
                headers = [*headers, ("X-Request-Id", rid)]
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, logging_start_response)
        finally:
            path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            log.info("%s %s %s %.1fms request_id=%s", printable(environ.get("REQUEST_METHOD", "-"), 16),
                     printable(path), seen["status"], (time.perf_counter() - started) * 1000, rid)
