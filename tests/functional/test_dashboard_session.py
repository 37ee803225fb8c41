"""Dashboard sign-in: the key is checked once, a signed Strict cookie carries it, CSRF on every form."""
import datetime

from exaroutes import clock
from exaroutes.auth.keys import revoke_key
from exaroutes.dashboard.session import COOKIE_NAME
from tests.helpers.dashboard import api_create, csrf_token, sign_in


def test_pages_need_a_signed_in_session(testapp):
    for path in ("/dashboard/codes", "/dashboard/codes/new", "/dashboard/codes/abcdefgh"):
        response = testapp.get(path, status=303)
        assert response.location.endswith("/dashboard/signin")
    assert testapp.get("/dashboard/", status=303).location.endswith("/dashboard/signin")
    assert testapp.get("/dashboard", status=303).location.endswith("/dashboard/signin")


def test_the_api_never_sets_a_cookie(testapp, api_key, auth):
    sign_in(testapp, api_key)
    for response in (testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth),
                     testapp.get("/api/qr/codes", headers=auth)):
        assert "Set-Cookie" not in response.headers


def test_sign_in_sets_a_signed_httponly_strict_cookie(testapp, api_key):
    page = testapp.get("/dashboard/signin")
    form = page.forms["signin"]
    form["key"] = api_key
    response = form.submit(status=303)
    cookie = next(value for name, value in response.headerlist
                  if name == "Set-Cookie" and value.startswith(COOKIE_NAME + "="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert api_key not in cookie and api_key[9:] not in cookie          # the key never travels again
    codes = response.follow()
    assert "acme" in codes.text and api_key[:17] in codes.text


def test_a_wrong_key_is_refused_next_to_the_field(testapp, api_key):
    form = testapp.get("/dashboard/signin").forms["signin"]
    form["key"] = api_key[:-2] + "xx"
    page = form.submit(status=401)
    assert page.html.select_one("#error-key").text == "unknown, revoked or expired key"
    testapp.get("/dashboard/codes", status=303)


def test_sign_out_ends_the_session(testapp, api_key):
    page = sign_in(testapp, api_key)
    page.forms["signout"].submit(status=303)
    testapp.get("/dashboard/codes", status=303)


def test_a_revoked_keys_sessions_stop_working(testapp, api_key, committed):
    sign_in(testapp, api_key)
    testapp.get("/dashboard/codes", status=200)
    committed(lambda db: revoke_key(db, api_key[:17]))
    assert testapp.get("/dashboard/codes", status=303).location.endswith("/dashboard/signin")


def test_a_session_expires_after_twelve_hours(testapp, api_key, monkeypatch):
    sign_in(testapp, api_key)
    later = clock.utcnow() + datetime.timedelta(hours=12, minutes=1)
    monkeypatch.setattr(clock, "source", lambda: later)
    assert testapp.get("/dashboard/codes", status=303).location.endswith("/dashboard/signin")


def test_a_forged_cookie_is_ignored(testapp, api_key):
    sign_in(testapp, api_key)
    testapp.set_cookie(COOKIE_NAME, "eyJrZXlfaWQiOiAxfQ")
    testapp.get("/dashboard/codes", status=303)


def test_every_form_rejects_a_missing_or_wrong_csrf_token(testapp, api_key, auth, count_rows):
    code = api_create(testapp, auth)
    sign_in(testapp, api_key)
    good = csrf_token(testapp)
    before = count_rows()
    for path, fields in (("/dashboard/codes/new", {"data": "https://example.com/x", "action": "create"}),
                         (f"/dashboard/codes/{code['id']}/edit", {"destination": "https://example.com/y"}),
                         ("/dashboard/signout", {})):
        for token in (None, good[:-1] + ("A" if good[-1] != "A" else "B")):
            body = dict(fields, **({"csrf_token": token} if token else {}))
            page = testapp.post(path, body, status=400)
            assert page.content_type == "text/html" and "The form has expired" in page.text
    assert count_rows() == before
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["destination"] == code["destination"]
    testapp.get("/dashboard/codes", status=200)                     # still signed in: signout was refused
    form = testapp.get("/dashboard/signin").forms["signin"]
    form["csrf_token"] = "forged"
    form["key"] = api_key
    form.submit(status=400)


def test_dashboard_pages_carry_a_strict_content_security_policy(testapp, api_key):
    sign_in(testapp, api_key)
    for path in ("/dashboard/signin", "/dashboard/codes", "/dashboard/codes/new"):
        response = testapp.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert "<script" not in response.text and " style=" not in response.text
        assert response.headers["X-Frame-Options"] == "DENY"
    css = testapp.get("/dashboard/static/dashboard.css")
    assert css.content_type == "text/css"


def test_unknown_dashboard_pages_are_html_404_and_the_api_stays_json(testapp, api_key, auth):
    sign_in(testapp, api_key)
    page = testapp.get("/dashboard/nowhere", status=404)
    assert page.content_type == "text/html"
    assert testapp.get("/api/nowhere", headers=auth, status=404).content_type == "application/json"


def test_an_unexpected_error_is_an_html_page_with_the_request_id(testapp, api_key, auth, monkeypatch, caplog):
    from exaroutes.dashboard import code_views

    def broken(*args):
        raise RuntimeError("analytics store is down")

    code = api_create(testapp, auth)
    sign_in(testapp, api_key)
    monkeypatch.setattr(code_views, "code_analytics", broken)
    page = testapp.get(f"/dashboard/codes/{code['id']}", headers={"X-Request-Id": "req-42"}, status=500)
    assert page.content_type == "text/html" and "req-42" in page.text and "analytics store" not in page.text
    assert "request_id=req-42" in caplog.text and api_key not in caplog.text
