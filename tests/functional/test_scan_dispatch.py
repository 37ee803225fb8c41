"""Scans (`GET`/`HEAD /r/{id}`) are answered in front of Pyramid's router (exaroutes/scan/dispatch.py),
with the same answer, headers and error pages as the full app gives; everything else goes through it."""
import pytest
import webtest
from sqlalchemy import func, select, update

from exaroutes.models import QrCode, Scan
from exaroutes.scan.dispatch import ScanDispatch, scan_short_id
from exaroutes.codes.fold import catch_up
from tests.helpers.agents import IPHONE
from tests.helpers.http import new_code

#: headers that differ between any two requests, whichever path answers them
PER_REQUEST = {"X-Request-Id", "Set-Cookie", "Date"}


def router_of(app):
    """The Pyramid router behind the edge middleware and the scan dispatch."""
    return dispatch_of(app).app


def answer(app, method, path, **headers):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.1"})
    response = client.request(path, method=method, headers=headers, expect_errors=True)
    return (response.status, response.body,
            sorted((k, v) for k, v in response.headerlist if k not in PER_REQUEST))


def dispatch_of(app):
    while not isinstance(app, ScanDispatch):
        app = app.app
    return app


def test_a_scan_never_reaches_the_router_but_is_committed(app, testapp, auth, committed):
    short_id = new_code(testapp, auth)
    dispatch = dispatch_of(app)
    router, routed = dispatch.app, []

    def counting_router(environ, start_response):
        routed.append(environ["PATH_INFO"])
        return router(environ, start_response)

    dispatch.app = counting_router
    try:
        testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE}, status=302)
        testapp.head(f"/r/{short_id}", status=302)
        testapp.get(f"/r/{short_id}/contact.vcf", status=404)      # a url code has no contact card
        testapp.post(f"/r/{short_id}", status=405)                  # the full app's 405
    finally:
        dispatch.app = router
    assert routed == [f"/r/{short_id}/contact.vcf", f"/r/{short_id}"]
    committed(catch_up)
    assert committed(lambda db: db.scalar(select(func.count()).select_from(Scan))) == 1


@pytest.mark.parametrize("case", ["active", "head", "unknown", "garbage", "not-utf8", "inactive", "bot"])
def test_the_dispatch_answers_exactly_as_the_router_would(app, testapp, auth, committed, case):
    short_id = new_code(testapp, auth)
    if case == "inactive":
        committed(lambda db: db.execute(update(QrCode).where(QrCode.short_id == short_id).values(status="inactive")))
    path = {"unknown": "/r/Zz9Zz9Zz", "garbage": "/r/%00x", "not-utf8": "/r/%ff"}.get(case, f"/r/{short_id}")
    method = "HEAD" if case == "head" else "GET"
    agent = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" if case == "bot" else IPHONE
    fast = answer(app, method, path, **{"User-Agent": agent})
    slow = answer(router_of(app), method, path, **{"User-Agent": agent})
    assert fast == slow
    assert fast[0].split()[0] == {"active": "302", "head": "302", "unknown": "404", "garbage": "404",
                                  "not-utf8": "400", "inactive": "410", "bot": "302"}[case]
    assert ("X-Content-Type-Options", "nosniff") in fast[2]


def test_a_protected_code_shows_the_same_password_page_on_both_paths(app, testapp, auth, quick_password_hashes):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/secret", "password": "s3cret-pass"},
                             headers=auth).json
    fast = answer(app, "GET", f"/r/{code['id']}")
    slow = answer(router_of(app), "GET", f"/r/{code['id']}")
    assert fast[0] == slow[0] == "200 OK"
    assert fast[2] == slow[2]                 # CSP and the rest; the CSRF token in the body differs per request
    assert b'type="password"' in fast[1]


def test_the_scan_rate_limit_and_its_page_are_the_full_apps(app_settings, dbengine, testapp, auth):
    from exaroutes import main
    limited = main({}, dbengine=dbengine, **dict(app_settings, **{"exaroutes.rate_limit.scan": "2/minute"}))
    short_id = new_code(testapp, auth)
    try:
        fast = [answer(limited, "GET", f"/r/{short_id}", **{"User-Agent": "curl/8"}) for _ in range(3)]
        slow = answer(router_of(limited), "GET", f"/r/{short_id}", **{"User-Agent": "curl/8"})
    finally:
        limited.registry["scan_recorder"].close()
    assert [r[0].split()[0] for r in fast] == ["302", "302", "429"]
    assert fast[2][0] == slow[0] and fast[2][1] == slow[1]
    assert [h for h in fast[2][2] if h[0] != "RateLimit-Reset"] == [h for h in slow[2] if h[0] != "RateLimit-Reset"]
    assert ("Retry-After" in dict(fast[2][2]))


@pytest.mark.parametrize("method, path, short_id", [
    ("GET", "/r/Ab3xK9pQ", "Ab3xK9pQ"),
    ("HEAD", "/r/Ab3xK9pQ", "Ab3xK9pQ"),
    ("GET", "/r/not-an-id-but-still-the-scan-route", "not-an-id-but-still-the-scan-route"),  # the view's 404
    ("GET", "/r/caf\xc3\xa9", "café"),      # WSGI's latin-1 text of the UTF-8 bytes
    ("GET", "/r/\xff", None),                # not UTF-8: the router's 400
    ("POST", "/r/Ab3xK9pQ", None),            # the full app answers 405
    ("GET", "/r/Ab3xK9pQ/", None),
    ("GET", "/r/Ab3xK9pQ/password", None),
    ("GET", "/r/Ab3xK9pQ/contact.vcf", None),
    ("GET", "/r/", None),
    ("GET", "/api/qr/codes", None),
    ("GET", "/dashboard/r/Ab3xK9pQ", None),
])
def test_only_the_scan_route_is_dispatched(method, path, short_id):
    assert scan_short_id({"REQUEST_METHOD": method, "PATH_INFO": path}) == short_id
