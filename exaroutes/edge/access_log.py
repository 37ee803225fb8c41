"""One log line per request: method, path, status, duration and request id, never a header value.

The request id is decided here (echoed when the client sent a sane one, generated otherwise) and put
into the environ, so the app, its error logs and the `X-Request-Id` response header all agree.
Only the path is logged, not the query string: keys and personal data must never reach the logs.

Scans can be sampled (`exaroutes.access.scan_sample = N`: one answered scan line in N; 1, the default,
logs every one). A line costs about a quarter of a scan's CPU in the web process (BENCHMARKS.md
"Redirect", wave 5), so a busy deployment may keep one in a hundred. Nothing is lost from the counts:
every scan that is not logged is counted by status, and the counts since the last summary are logged
once a minute (`scans not logged in 60 s: 302=5940`); a scan answered with anything but a 2xx/3xx is
always logged.
"""
import collections
import logging
import re
import threading
import time
import uuid

from exaroutes.edge.paths import is_scan

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


class ScanSampler:
    """Which scan lines to log (one in `every`), and exact counts of the others, summed per minute."""

    def __init__(self, every, interval=60.0, clock=time.monotonic):
        self.every = every
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._seen = 0
        self._unlogged = collections.Counter()
        self._since = clock()

    def wanted(self, status):
        """True to log this scan's line; otherwise it is counted (and a summary may be due)."""
        if self.every <= 1 or not status.startswith(("2", "3")):
            return True
        with self._lock:
            self._seen += 1
            if self._seen % self.every == 0:
                return True
            self._unlogged[status] += 1
            now = self.clock()
            if now - self._since < self.interval:
                return False
            counts, self._unlogged, since, self._since = self._unlogged, collections.Counter(), self._since, now
        log.info("scans not logged in %.0f s: %s", now - since,
                 " ".join(f"{status}={n}" for status, n in sorted(counts.items())))
        return False


class AccessLog:
    def __init__(self, app, scan_sample=1):
        self.app = app
        self.scans = ScanSampler(scan_sample)

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
            if not is_scan(path) or self.scans.wanted(seen["status"]):
                log.info("%s %s %s %.1fms request_id=%s", printable(environ.get("REQUEST_METHOD", "-"), 16),
                         printable(path), seen["status"], (time.perf_counter() - started) * 1000, rid)
