"""Rate limits (DESIGN.md §1.1): per API key on `/api/...`, per client address on `/r/{id}`.

Counting is the `limits` library's fixed window, kept in memory in development (one process) and in
Redis in production (shared by every web process). Every API response says where the caller stands
(`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` in seconds); over the limit the answer
is 429 with `Retry-After`. A request without a valid key is counted against its address instead,
so guessing keys is limited too; a dashboard sign-in (`POST /dashboard/signin`, a key guess like any
other) spends the same per-address budget. The scan limit is generous (a whole venue behind one NAT scanning
a poster stays far below it) and costs one counter increment, nothing else, on the hot path.
"""
import logging
import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from pyramid.events import NewRequest, NewResponse

from exaroutes.auth import bearer_token
from exaroutes.auth.keys import key_digest
from exaroutes.errors import ApiError, field_error
from exaroutes.edge.paths import is_api, is_scan_side, raw_path
from exaroutes.edge.redis_outage import RedisOutage
from exaroutes.html import html_response

log = logging.getLogger(__name__)

ENVIRON_KEY = "exaroutes.rate_limit"
SIGN_IN_PATH = "/dashboard/signin"


class Limiter:
    """One limit (e.g. `600/minute`) counted per identifier in one storage; `None` limit = off."""

    def __init__(self, strategy, spec, namespace, outage=None):
        self.strategy = strategy
        self.item = parse(spec) if spec and spec.lower() != "off" else None
        self.namespace = namespace
        self.outage = outage or RedisOutage("rate limits")

    def hit(self, identifier, cost=1):
        """Count one request (of `cost`); True while within the limit. One storage round trip.

        Fails open: if the storage (Redis) is down, scans and API calls go on, unlimited, and the log says so.
        """
        if not self.outage.available():
            return True
        try:
            return self.strategy.hit(self.item, self.namespace, identifier, cost=cost)
        except Exception as exc:  # noqa: BLE001 - any storage failure must not become a 500
            self.outage.failed(exc)
            return True

    def spend(self, identifier, cost):
        """Count `cost` only if it fits: a refused costly request leaves the budget to cheaper ones."""
        if not self.outage.available():
            return True
        try:
            fits = self.strategy.test(self.item, self.namespace, identifier, cost=cost)
        except Exception as exc:  # noqa: BLE001
            self.outage.failed(exc)
            return True
        return fits and self.hit(identifier, cost)

    def window(self, identifier):
        """(limit, remaining, seconds until reset), or None if the storage is down: a second round trip."""
        if not self.outage.available():
            return None
        try:
            reset_at, remaining = self.strategy.get_window_stats(self.item, self.namespace, identifier)
        except Exception as exc:  # noqa: BLE001
            self.outage.failed(exc)
            return None
        return self.item.amount, remaining, max(0, math.ceil(reset_at - time.time()))


def client_address(request):
    """The peer address; every real server sets it. Without one (in-process calls) nothing is counted."""
    return request.environ.get("REMOTE_ADDR") or None


def api_caller(request):
    """Whose budget a request spends: the key's (by digest, never the key) or the address's."""
    token = bearer_token(request)
    if token is not None and request.identity is not None:
        return "key:" + key_digest(token)
    address = client_address(request)
    return None if address is None else "ip:" + address


def too_many_api(seconds):
    return ApiError(429, f"Too many requests for this key; retry in {seconds} s.",
                    [field_error("header", "Authorization", "rate limit exceeded")],
                    {"Retry-After": str(seconds)})


def charge_render(request, units, field="size"):
    """Spend `units` of render work (exaroutes.imaging.design.render_units) from the caller's budget, or 429.

    The request limit counts requests; this one counts what they make us draw, so a key cannot spend
    seconds of CPU per request at the full request rate (a 4096 px PDF costs ~50 x a 512 px PNG).
    One request may always use up to the whole budget, so the largest image stays possible.
    """
    limiter = request.registry["rate_limit.render"]
    caller = api_caller(request) if limiter.item is not None else None
    if caller is None:
        return
    if not limiter.spend(caller, min(units, limiter.item.amount)):
        window = limiter.window(caller)
        seconds = max(window[2], 1) if window else 60
        raise ApiError(429, f"This key has used its render budget ({limiter.item}, a 512 px PNG costing 1 "
                            f"and a 4096 px PDF 32); this image costs {units}. Retry in {seconds} s.",
                       [field_error("body", field, "render budget exceeded")], {"Retry-After": str(seconds)})


def check_limits(event):
    request = event.request
    path = raw_path(request.environ)  # raw: decoding may fail, and costs time
    if is_api(path):
        limiter, caller = counted(request.registry["rate_limit.api"], request, api_caller)
        if caller is not None:
            allowed = limiter.hit(caller)
            request.environ[ENVIRON_KEY] = window = limiter.window(caller)  # every API answer shows it
            if not allowed:
                raise too_many_api(max(window[2], 1) if window else 60)
    elif is_scan_side(path):
        limiter, address = counted(request.registry["rate_limit.scan"], request, client_address)
        if address is not None and not limiter.hit(address):  # the hot path pays one round trip
            raise Limited(limited_page(limiter, address, "Too many scans", "<p>Too many scans from your "
                                       "network; please try again in a minute.</p>"))
    elif path == SIGN_IN_PATH and request.method == "POST":
        limiter, address = counted(request.registry["rate_limit.api"], request, client_address)
        if address is not None and not limiter.hit("ip:" + address):
            raise Limited(limited_page(limiter, "ip:" + address, "Too many sign-in attempts",
                                       "<p>Too many sign-in attempts from your network; please try again "
                                       "in a minute.</p>"))


def limited_page(limiter, identifier, title, body):
    """The 429 HTML page of a limit reached outside the JSON API, with `Retry-After`."""
    response = html_response(title, body, status=429)
    window = limiter.window(identifier)
    response.headers["Retry-After"] = str(max(window[2], 1) if window else 60)
    return response


def counted(limiter, request, identify):
    """(limiter, whom to count) or (limiter, None) when the limit is off or the caller has no identity."""
    if limiter.item is None:
        return limiter, None
    return limiter, identify(request)


class Limited(Exception):
    """Carries the ready 429 page out of the NewRequest subscriber to its exception view."""

    def __init__(self, response):
        super().__init__("rate limit")
        self.response = response


def limited_view(exc, request):
    return exc.response


def add_rate_limit_headers(event):
    state = event.request.environ.get(ENVIRON_KEY)
    if state is not None:
        limit, remaining, reset = state
        headers = event.response.headers
        headers["RateLimit-Limit"] = str(limit)
        headers["RateLimit-Remaining"] = str(remaining)
        headers["RateLimit-Reset"] = str(reset)


def includeme(config):
    settings = config.get_settings()
    url = settings["exaroutes.rate_limit.storage_url"]
    # A slow or unreachable Redis must cost a scan at most a fraction of a second, never hang it.
    options = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25} if url.startswith("redis") else {}
    storage = storage_from_string(url, **options)
    strategy = FixedWindowRateLimiter(storage)
    outage = RedisOutage("rate limits")    # one storage, one view of whether it is up
    config.registry["rate_limit.api"] = Limiter(strategy, settings["exaroutes.rate_limit.api"], "api", outage)
    config.registry["rate_limit.scan"] = Limiter(strategy, settings["exaroutes.rate_limit.scan"], "scan", outage)
    config.registry["rate_limit.render"] = Limiter(strategy, settings["exaroutes.rate_limit.render"], "render",
                                                   outage)
    config.add_subscriber(check_limits, NewRequest)
    config.add_subscriber(add_rate_limit_headers, NewResponse)
    config.add_exception_view(limited_view, Limited)
