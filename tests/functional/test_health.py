"""`/healthz` and `/readyz` (DESIGN.md §9): answered before the app, never rate-limited or access-logged."""
import logging

import webtest

from exaroutes import main


def test_health_checks_are_not_rate_limited_nor_logged(dbengine, app_settings, caplog):
    limited = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.rate_limit.api": "2/minute",
                                             "exaroutes.rate_limit.scan": "2/minute"})
    client = webtest.TestApp(limited, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.77"})
    caplog.set_level(logging.INFO, logger="exaroutes.access")
    for _ in range(5):      # more than either limit
        assert client.get("/healthz", status=200).json == {"status": "ok"}
        assert client.get("/readyz", status=200).json == {"status": "ok", "checks": {"database": "ok"}}
    health = client.get("/healthz")
    assert health.headers["Cache-Control"] == "no-store" and health.content_type == "application/json"
    assert not [r for r in caplog.records if r.name == "exaroutes.access"]
    client.get("/api/openapi.json", status=200)          # the access log itself works
    assert [r for r in caplog.records if r.name == "exaroutes.access"]


def test_readyz_says_draining_once_the_process_stops(app):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    state = app.registry["process_state"]
    state.draining = True
    try:
        assert client.get("/readyz", status=503).json == {"status": "draining"}
        assert client.get("/healthz", status=200).json == {"status": "ok"}   # it still serves
    finally:
        state.draining = False
    assert client.get("/readyz", status=200).json["status"] == "ok"
