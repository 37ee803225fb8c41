"""A PostgreSQL outage is 503 + Retry-After (JSON on /api, HTML on /r), never 500, and heals by itself.

The app reaches a database of its own through a TCP proxy this test controls: `cut()` resets every
connection and refuses new ones, as a restarting server does; `restore()` brings it back. The shared
PostgreSQL server is never touched.
"""
import time
from urllib.parse import urlsplit

import pytest
import webtest
from sqlalchemy import func, select

from exaroutes import main
from exaroutes.models import QrCode
from tests.helpers.agents import BROWSER
from tests.helpers.own_database import own_postgres
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.scans import recorded_scans


@pytest.fixture
def outage(tmp_path):
    """(WebTest app over the proxy, the proxy, a direct engine, an API key header)."""
    with own_postgres("outage") as (url, direct, (key,)):
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname, parts.port or 5432)
        proxied = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
        app = main({}, **{"sqlalchemy.url": proxied, "exaroutes.redirect_base": "https://qr.example.test",
                          "exaroutes.secret": "outage-test", "exaroutes.scan.code_cache_seconds": "0",
                          "exaroutes.jobs.url": f"sqlite:///{tmp_path / 'jobs.sqlite'}"})
        try:
            yield webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"}), proxy, direct, \
                {"Authorization": f"Bearer {key}"}
        finally:
            proxy.close()
            app.registry["dbengine"].dispose()


def test_a_database_outage_is_503_with_retry_after_and_heals_by_itself(outage):
    client, proxy, direct, auth = outage
    created = client.post_json("/api/qr/codes", {"data": "https://example.com/up", "returnType": "svg"},
                               headers=auth, status=201).json
    short_id = created["id"]
    assert client.get(f"/r/{short_id}", headers=BROWSER, status=302).location == "https://example.com/up"

    proxy.cut()
    scan = client.get(f"/r/{short_id}", headers=BROWSER, status=503)
    assert scan.content_type == "text/html" and scan.headers["Retry-After"] == "5"
    assert "try again" in scan.text.lower()
    for method, path, body in [("GET", f"/api/qr/codes/{short_id}", None), ("GET", "/api/qr/codes", None),
                               ("POST", "/api/qr/codes", {"data": "https://example.com/during", "returnType": "svg"})]:
        response = (client.post_json(path, body, headers=auth, status=503) if method == "POST"
                    else client.get(path, headers=auth, status=503))
        assert response.content_type == "application/json" and response.headers["Retry-After"] == "5"
        assert response.json == {"error": response.json["error"], "errors": []}
        assert "unavailable" in response.json["error"]
    ready = client.get("/readyz", status=503).json
    assert ready["status"] == "unavailable" and ready["checks"]["database"].startswith("unreachable")
    assert client.get("/healthz", status=200).json == {"status": "ok"}

    proxy.restore()
    # No restart: the pool replaces its dead connections on checkout (pool_pre_ping), so the API's next
    # request succeeds; the scan writer finds its connection dead on its next batch (503, nothing
    # acknowledged) and reconnects for the one after.
    assert client.get(f"/api/qr/codes/{short_id}", headers=auth, status=200).json["id"] == short_id
    statuses = [client.get(f"/r/{short_id}", headers=BROWSER, expect_errors=True).status_int for _ in range(3)]
    assert statuses in ([302, 302, 302], [503, 302, 302]), statuses
    assert client.get(f"/r/{short_id}", headers=BROWSER, status=302).location == "https://example.com/up"
    assert client.get("/readyz", status=200).json == {"status": "ok", "checks": {"database": "ok"}}
    with direct.connect() as connection:      # nothing was written by the requests that failed
        assert connection.execute(select(func.count()).select_from(QrCode)).scalar() == 1
        # every 302 (1 before, 3 or 4 after) has its scan (folded or still pending); no 503 left one behind
        recorded = recorded_scans(connection)
        assert recorded == 1 + statuses.count(302) + 1


def test_while_the_database_is_down_concurrent_scans_are_503_never_500(outage):
    """Many scans in flight when the connections are reset: each one is a 302 or a 503."""
    import concurrent.futures

    client, proxy, direct, auth = outage
    short_id = client.post_json("/api/qr/codes", {"data": "https://example.com/x", "returnType": "svg"},
                                headers=auth, status=201).json["id"]
    statuses = []

    def scan():
        return client.get(f"/r/{short_id}", headers=BROWSER, expect_errors=True).status_int

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        before = [pool.submit(scan) for _ in range(40)]
        proxy.cut()
        during = [pool.submit(scan) for _ in range(40)]
        statuses = [f.result() for f in before + during]
        proxy.restore()
        deadline = time.monotonic() + 10
        after = []
        while time.monotonic() < deadline and after[-1:] != [302]:
            after.append(scan())
    assert set(statuses) <= {302, 503}, statuses
    assert 503 in statuses[40:]
    assert after[-1] == 302
