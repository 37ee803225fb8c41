"""One access-log line per request (method, path, status, duration, request id); never a key or header."""
import logging
import re

import webtest

LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms request_id=(?P<rid>\S+)$")


def access_lines(caplog):
    return [LINE.match(r.getMessage()) for r in caplog.records if r.name == "exaroutes.access"]


def test_one_line_per_request_with_what_happened(app, auth, api_key, caplog):
    testapp = webtest.TestApp(app)
    with caplog.at_level(logging.DEBUG):
        created = testapp.post_json("/api/qr/codes?secret=exr_live_query", {"data": "https://example.com/"},
                                    headers={**auth, "X-Request-Id": "req-log-1"}, status=201)
        testapp.get(f"/api/qr/codes/{created.json['id']}", headers=auth)
        testapp.get("/api/qr/codes", headers={"Authorization": "Bearer " + api_key[:-1] + "x"}, status=401)
        testapp.get("/nothing\x1b[31m", status=404)
    lines = access_lines(caplog)
    assert len(lines) == 4 and all(lines)
    first, second, third, fourth = (m.groupdict() for m in lines)
    assert (first["method"], first["path"], first["status"], first["rid"]) == ("POST", "/api/qr/codes", "201",
                                                                              "req-log-1")
    assert (second["method"], second["status"]) == ("GET", "200") and len(second["rid"]) == 32
    assert third["status"] == "401" and fourth["status"] == "404"
    assert "\x1b" not in caplog.text  # control characters from a path cannot forge log lines
    # Nothing secret anywhere in any log record: not the key, not its tail, not the header, not the query.
    assert api_key not in caplog.text and api_key[-20:] not in caplog.text
    assert "Bearer" not in caplog.text and "Authorization" not in caplog.text and "exr_live_query" not in caplog.text


def test_even_a_500_logs_one_line_and_no_key(app, auth, api_key, caplog, monkeypatch):
    import exaroutes.api.codes

    monkeypatch.setattr(exaroutes.api.codes, "list_codes", lambda *a, **k: 1 / 0)
    with caplog.at_level(logging.DEBUG):
        response = webtest.TestApp(app).get("/api/qr/codes", headers=auth, status=500)
    (line,) = access_lines(caplog)
    assert line["status"] == "500" and line["rid"] == response.headers["X-Request-Id"]
    assert api_key not in caplog.text and "Bearer" not in caplog.text


def test_scan_lines_can_be_sampled_but_never_errors(dbengine, app_settings, testapp, auth, caplog):
    """`exaroutes.access.scan_sample = 2`: every second answered scan is logged, every 404 is."""
    from exaroutes import main

    sampled = webtest.TestApp(main({}, dbengine=dbengine, **{**app_settings, "exaroutes.access.scan_sample": "2"}),
                              extra_environ={"HTTP_HOST": "localhost"})
    short_id = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json["id"]
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(4):
                sampled.get(f"/r/{short_id}", status=302)
            sampled.get("/r/Zz9Zz9Zz", status=404)
    finally:
        sampled.app.registry["scan_recorder"].close()
    statuses = [m["status"] for m in access_lines(caplog) if m and m["path"].startswith("/r/")]
    assert statuses == ["302", "302", "404"]
