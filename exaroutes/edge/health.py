"""`GET /healthz` and `GET /readyz` (DESIGN.md §9), answered before anything else runs.

They are WSGI middleware outside the access log and the Pyramid app, so a load balancer checking
every second neither fills the log nor spends a rate-limit budget, and an app that cannot reach its
database still answers them.

- `/healthz`: 200 while the process serves; it touches nothing (liveness).
- `/readyz`: 200 when the database and every configured Redis answer within `CHECK_TIMEOUT` (and,
  in a serving process with a change feed, once it is subscribed: before that it could serve a
  code another process has just changed);
  otherwise 503 naming what failed: `"status": "unavailable"` when the database fails (nothing
  works), `"degraded"` when only Redis fails (redirects and the API work; rate limits are off and
  bulk jobs cannot be queued). While the process shuts down, 503 `"draining"`, checking nothing
  (and the server closes each connection after its response: exaroutes.shutdown).

The load-balancer example (deploy/haproxy.cfg) takes a process out on `draining` and `unavailable`
and, by matching `"database":"ok"`, keeps it in on `degraded`: a Redis outage hits every process
alike, and taking them all out would turn a degraded service into none.
"""
import concurrent.futures
import json
import logging

import redis
from sqlalchemy import text

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0
HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


class ProcessState:
    """What the server tells the health checks: set `draining` once SIGTERM arrived."""

    def __init__(self):
        self.draining = False


def redis_urls(settings):
    """The distinct Redis URLs this process depends on (queue, rate limits, code changes)."""
    names = ("exaroutes.jobs.url", "exaroutes.rate_limit.storage_url", "exaroutes.changes.url")
    urls = [settings.get(name) or "" for name in names]
    return sorted({url for url in urls if url.startswith(("redis://", "rediss://", "unix://"))})


class NotSubscribed(Exception):
    """The process serves but has not subscribed to code changes yet: it could serve a stale code."""


class Readiness:
    """Runs the checks in threads of its own, so a hanging server costs at most CHECK_TIMEOUT."""

    def __init__(self, engine, urls, change_feed=None):
        self.engine = engine
        self.change_feed = change_feed
        self.clients = [redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT)
                        for url in urls]
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2 + len(urls), thread_name_prefix="readyz")

    def check_database(self):
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def check_redis(self):
        for client in self.clients:
            client.ping()
        feed = self.change_feed
        if feed is not None and feed.thread is not None and not feed.subscribed.is_set():
            raise NotSubscribed("not yet subscribed to code changes")

    def run(self):
        """{check name: "ok" or why not}."""
        checks = {"database": self.check_database}
        if self.clients:
            checks["redis"] = self.check_redis
        futures = {name: self.pool.submit(check) for name, check in checks.items()}
        results = {}
        for name, future in futures.items():
            try:
                future.result(timeout=CHECK_TIMEOUT)
                results[name] = "ok"
            except concurrent.futures.TimeoutError:
                results[name] = f"no answer within {CHECK_TIMEOUT:g} s"
            except NotSubscribed as exc:
                results[name] = str(exc)
            except Exception as exc:  # noqa: BLE001 - whatever failed, the check names it
                # The exception's type only: messages may carry host names or user names.
                results[name] = f"unreachable ({type(exc).__name__})"
                log.warning("readiness: %s failed: %s", name, exc)
        return results


def readiness_body(checks):
    """(status code, body) for the check results."""
    if checks["database"] != "ok":
        status = "unavailable"
    elif any(result != "ok" for result in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return (200 if status == "ok" else 503), {"status": status, "checks": checks}


class Health:
    def __init__(self, app, registry):
        self.app = app
        self.registry = registry
        self.state = registry.setdefault("process_state", ProcessState())
        self.readiness = Readiness(registry["dbengine"], redis_urls(registry.settings), registry.get("change_feed"))

    def __getattr__(self, name):
        """`registry` and the rest of the Router stay reachable (pyramid.paster.bootstrap needs them)."""
        return getattr(self.app, name)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return self.answer(start_response, 200, {"status": "ok"})
        if path == "/readyz":
            if self.state.draining:
                return self.answer(start_response, 503, {"status": "draining"})
            return self.answer(start_response, *readiness_body(self.readiness.run()))
        return self.app(environ, start_response)

    @staticmethod
    def answer(start_response, status, body):
        payload = json.dumps(body, separators=(",", ":")).encode()
        reason = "OK" if status == 200 else "Service Unavailable"
        start_response(f"{status} {reason}", [*HEADERS, ("Content-Length", str(len(payload)))])
        return [payload]
