"""Rate limits: per API key on /api (headers on every response, 429 + Retry-After), per address on /r/{id}."""
import uuid

import pytest
import webtest

from exaroutes import main
from tests.helpers.http import assert_error_shape
from tests.helpers.services import redis_url


def limited_app(dbengine, app_settings, storage_url="memory://", api="3/minute", scan="4/minute"):
    return main({}, dbengine=dbengine, **{**app_settings, "exaroutes.rate_limit.storage_url": storage_url,
                                          "exaroutes.rate_limit.api": api, "exaroutes.rate_limit.scan": scan})


def client(app, address):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def my_redis_url():
    """The test run's Redis database (EXAROUTES_TEST_REDIS_URL, so a shared machine's runs stay apart);
    keys are per API key and expire with their window. Fails under CI=true when Redis is down."""
    return redis_url()


@pytest.fixture(params=["memory", "redis"])
def storage_url(request):
    return "memory://" if request.param == "memory" else my_redis_url()


def test_every_api_response_counts_down_then_429(dbengine, app_settings, auth, other_auth, storage_url):
    testapp = client(limited_app(dbengine, app_settings, storage_url), "192.0.2.1")
    remaining = []
    for status in (200, 404, 200):  # errors count too: they cost us work
        path = "/api/qr/codes" if status == 200 else "/api/qr/codes/missing1"
        response = testapp.get(path, headers=auth, status=status)
        assert response.headers["RateLimit-Limit"] == "3"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    response = testapp.get("/api/qr/codes", headers=auth, status=429)
    body = assert_error_shape(response)
    assert body["errors"][0]["name"] == "Authorization"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Remaining"] == "0"
    # Another key of another workspace, from the same address, has its own budget.
    assert testapp.get("/api/qr/codes", headers=other_auth).headers["RateLimit-Remaining"] == "2"


def test_requests_without_a_valid_key_are_limited_by_address(dbengine, app_settings):
    app = limited_app(dbengine, app_settings)
    guesser = client(app, "192.0.2.2")
    for _ in range(3):
        guesser.get("/api/qr/codes", headers={"Authorization": "Bearer exr_live_" + "A" * 40}, status=401)
    assert_error_shape(guesser.get("/api/qr/codes", status=429))
    assert client(app, "192.0.2.3").get("/api/openapi.json").headers["RateLimit-Remaining"] == "2"


def make_code(app, auth):
    """A code made through the API of the default app (in-process calls have no address: not counted)."""
    body = {"data": "https://example.com/poster", "returnType": "svg"}
    return webtest.TestApp(app).post_json("/api/qr/codes", body, headers=auth).json["id"]


def test_scans_are_limited_per_address_only(dbengine, app_settings, app, auth, count_rows):
    short_id = make_code(app, auth)
    app = limited_app(dbengine, app_settings)
    one = client(app, "198.51.100.7")
    for _ in range(4):
        assert one.get(f"/r/{short_id}", status=302).headers["Location"] == "https://example.com/poster"
    scans = count_rows()["pending_scans"]
    blocked = one.get(f"/r/{short_id}", status=429)
    assert blocked.content_type == "text/html" and int(blocked.headers["Retry-After"]) >= 1
    assert count_rows()["pending_scans"] == scans  # a refused scan is not recorded
    assert client(app, "198.51.100.8").get(f"/r/{short_id}", status=302)


def test_default_scan_limit_never_blocks_normal_scanning(app, auth, count_rows):
    """A crowd behind one NAT scanning a poster, 120 scans in a burst: every one is redirected and counted."""
    short_id = make_code(app, auth)
    venue = client(app, f"203.0.113.{uuid.uuid4().int % 250 + 1}")
    for _ in range(120):
        venue.get(f"/r/{short_id}", status=302)
    rows = count_rows()
    assert rows["scans"] + rows["pending_scans"] == 120      # recorded: folded or still pending


def test_a_dead_redis_does_not_stop_scans_or_the_api(dbengine, app_settings, app, auth, caplog):
    """Fail open: nothing listens on this port (one of ours), so every count fails; requests go on."""
    short_id = make_code(app, auth)
    dead = client(limited_app(dbengine, app_settings, "redis://127.0.0.1:7899/8"), "192.0.2.50")
    for _ in range(5):  # over both limits, were they counted
        dead.get(f"/r/{short_id}", status=302)
        response = dead.get("/api/qr/codes", headers=auth, status=200)
        assert "RateLimit-Limit" not in response.headers
    assert "rate limits: Redis unavailable" in caplog.text


def test_an_unreachable_redis_warns_once_a_minute_and_readyz_says_degraded(dbengine, app_settings, app, auth,
                                                                           caplog):
    """Limits fail open without a warning per request (one a minute) nor a connection attempt per request;
    /readyz names Redis. The port is a listener this test opened and closed: nothing answers there."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    short_id = make_code(app, auth)
    dead_app = limited_app(dbengine, app_settings, dead_url, api="3/minute", scan="4/minute")
    dead = client(dead_app, "192.0.2.51")
    caplog.clear()
    for _ in range(50):
        dead.get(f"/r/{short_id}", status=302)
        dead.get("/api/qr/codes", headers=auth, status=200)
    warnings = [r for r in caplog.records if "rate limits: Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1
    assert dead_app.registry["rate_limit.scan"].outage.skipped >= 98   # not even tried: no timeout per request
    ready = dead.get("/readyz", status=503).json
    assert ready["status"] == "degraded"
    assert ready["checks"]["database"] == "ok" and ready["checks"]["redis"].startswith("unreachable")
