"""Protected and limited codes at the redirect: expiry and scan caps (410), the password form (CSRF, guess limit)."""
import datetime
import re

import pytest
import webtest
from sqlalchemy import func, select

from exaroutes import clock, main
from exaroutes.models import PasswordAttempt, QrCode
from tests.helpers.protections import PASSWORD, URL, create, scans

pytestmark = pytest.mark.usefixtures("quick_password_hashes")


def csrf_token(page):
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def submit(testapp, code, password=PASSWORD, status=303, client="127.0.0.1"):
    environ = {"REMOTE_ADDR": client}
    form = testapp.get(f"/r/{code['id']}", status=200, extra_environ=environ)
    return testapp.post(f"/r/{code['id']}/password", {"password": password, "csrf": csrf_token(form)},
                        status=status, extra_environ=environ)


# expiry and caps ---------------------------------------------------------------------------------

def test_expired_code_answers_410_html_and_counts_nothing(testapp, auth, committed, move_clock):
    code = create(testapp, auth, expiresAt=(clock.utcnow() + datetime.timedelta(hours=1)).isoformat() + "Z")
    testapp.get(f"/r/{code['id']}", status=302)
    move_clock(datetime.timedelta(hours=1, seconds=1))
    gone = testapp.get(f"/r/{code['id']}", status=410)
    assert gone.content_type == "text/html" and "expired" in gone.text
    assert scans(committed) == 1


def test_scan_cap_lets_exactly_max_scans_through(testapp, auth, committed):
    code = create(testapp, auth, maxScans=3)
    head = testapp.head(f"/r/{code['id']}", status=200)   # not counted, so not spent, and not let through
    assert "Location" not in head.headers
    for _ in range(3):
        assert testapp.get(f"/r/{code['id']}", status=302).headers["Location"] == URL
    gone = testapp.get(f"/r/{code['id']}", status=410)
    assert gone.content_type == "text/html" and "scan limit" in gone.text
    testapp.head(f"/r/{code['id']}", status=410)
    assert scans(committed) == 3


def test_raising_the_cap_reopens_and_a_late_cap_counts_earlier_scans(testapp, auth, committed):
    code = create(testapp, auth)
    for _ in range(2):
        testapp.get(f"/r/{code['id']}", status=302)
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"maxScans": 3}, headers=auth)
    testapp.get(f"/r/{code['id']}", status=302)
    testapp.get(f"/r/{code['id']}", status=410)
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"maxScans": 4}, headers=auth)
    testapp.get(f"/r/{code['id']}", status=302)
    testapp.get(f"/r/{code['id']}", status=410)
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"maxScans": None}, headers=auth)
    testapp.get(f"/r/{code['id']}", status=302)
    assert scans(committed) == 5


# the password form --------------------------------------------------------------------------------

def test_password_form_then_correct_password_leads_to_the_destination_once(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    form = testapp.get(f"/r/{code['id']}", status=200)
    assert form.content_type == "text/html" and 'type="password"' in form.text
    assert form.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in \
        form.headers["Content-Security-Policy"]
    cookie = form.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path=/r/{code['id']}" in cookie
    assert URL not in form.text and scans(committed) == 0
    unlocked = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": csrf_token(form)},
                            status=303)
    assert unlocked.headers["Location"] == f"http://localhost/r/{code['id']}"
    assert scans(committed) == 0
    assert unlocked.follow(status=302).headers["Location"] == URL
    assert scans(committed) == 1
    testapp.get(f"/r/{code['id']}", status=200)            # the unlock is spent: the form again
    assert scans(committed) == 1


def test_wrong_password_shows_the_form_again_and_counts_nothing(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    wrong = submit(testapp, code, "incorrect horse", status=403)
    assert "Wrong password" in wrong.text and 'type="password"' in wrong.text and URL not in wrong.text
    testapp.get(f"/r/{code['id']}", status=200)
    assert scans(committed) == 0
    submit(testapp, code, "", status=400)


def test_password_post_without_a_valid_csrf_token_is_403(testapp, auth, committed, move_clock):
    code = create(testapp, auth, password=PASSWORD)

    def refused(token):
        page = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": token}, status=403)
        assert "expired" in page.text

    def fresh_token():
        return csrf_token(testapp.get(f"/r/{code['id']}", status=200))

    token = fresh_token()
    testapp.reset()                                               # no cookie
    refused(token)
    token = fresh_token()
    refused(token[:-4] + ("0000" if not token.endswith("0000") else "1111"))   # tampered
    for forged in ("9" * 5000 + ".ab", "²³.ab", "", "abc"):
        fresh_token()
        refused(forged)
    token = fresh_token()
    move_clock(datetime.timedelta(minutes=31))                    # expired
    refused(token)
    assert committed(lambda db: db.scalar(select(func.count()).select_from(PasswordAttempt))) == 0
    assert scans(committed) == 0


def test_a_token_for_one_code_does_not_open_another(testapp, auth):
    first, second = (create(testapp, auth, password=PASSWORD) for _ in range(2))
    token = csrf_token(testapp.get(f"/r/{second['id']}", status=200))
    testapp.get(f"/r/{first['id']}", status=200)
    testapp.post(f"/r/{first['id']}/password", {"password": PASSWORD, "csrf": token}, status=403)
    submit(testapp, first)
    testapp.get(f"/r/{second['id']}", status=200)                 # first's unlock does not open second


def test_guessing_is_limited_per_code_and_client(dbengine, app_settings, auth, committed, move_clock):
    app = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.password.max_attempts": "2"})
    testapp = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    code = create(testapp, auth, password=PASSWORD)
    other = create(testapp, auth, password=PASSWORD)
    for _ in range(2):
        submit(testapp, code, "guess", status=403)
    limited = submit(testapp, code, PASSWORD, status=429)      # even the right one, while limited
    assert int(limited.headers["Retry-After"]) > 0 and "Too many" in limited.text
    submit(testapp, other, PASSWORD)                           # another code is not affected
    submit(testapp, code, PASSWORD, client="192.0.2.7")        # nor another client
    move_clock(datetime.timedelta(seconds=901))
    submit(testapp, code, PASSWORD).follow(status=302)
    # the right password clears the client's attempts on that code: it starts afresh
    assert committed(lambda db: db.scalar(select(func.count()).select_from(PasswordAttempt).join(QrCode)
                                          .where(QrCode.short_id == code["id"]))) == 0


def test_unlock_cookie_works_only_for_its_code_and_only_briefly(testapp, auth, move_clock):
    code = create(testapp, auth, password=PASSWORD)
    submit(testapp, code)
    move_clock(datetime.timedelta(seconds=61))
    testapp.get(f"/r/{code['id']}", status=200)


def test_password_and_cap_together_count_only_unlocked_scans(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD, maxScans=1)
    testapp.get(f"/r/{code['id']}", status=200)
    submit(testapp, code).follow(status=302)
    testapp.get(f"/r/{code['id']}", status=410)
    testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": "x"}, status=410)
    assert committed(lambda db: db.scalar(select(QrCode.scan_count))) == 1
    assert scans(committed) == 1


def test_password_route_edges(testapp, auth):
    plain = create(testapp, auth)
    testapp.post(f"/r/{plain['id']}/password", {"password": "x", "csrf": "y"}, status=404)
    testapp.post("/r/ZZZZZZZZ/password", {"password": "x", "csrf": "y"}, status=404)
    locked = create(testapp, auth, password=PASSWORD)
    assert testapp.get(f"/r/{locked['id']}/password", status=405).headers["Allow"] == "POST"
    testapp.post(f"/r/{locked['id']}", status=405)
    testapp.put_json(f"/api/qr/codes/{plain['id']}", {"status": "inactive"}, headers=auth)
    testapp.head(f"/r/{plain['id']}", status=410)
