"""The dashboard under hostile use (security review 2026-12: B2, B10, B13, B15, B18).

Each test is named after the finding it pins and reproduces the review's observation first.
"""
import pytest
import webtest
from sqlalchemy import select

from exaroutes import main
from exaroutes.dashboard.session import COOKIE_NAME
from exaroutes.models import QrCode
from tests.helpers.dashboard import api_create, edit_form, sign_in

pytestmark = pytest.mark.usefixtures("quick_password_hashes")

SECRET_PASSWORD = "MyS3cretPw"
DESTINATION = "https://example.com/dash-protected"


# B2: the "New code" form keeps password, encrypt, maxScans and expiresAt -------------------------------

def test_b2_new_code_form_creates_the_protections_it_offers(testapp, api_key, auth, committed):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    assert form.html.select_one("#field-password")["type"] == "password"
    form["data"] = DESTINATION
    form["password"] = "hunter22"
    form["encrypt"] = True
    form["maxScans"] = "2"
    form["expiresAt"] = "2030-01-01T00:00:00Z"
    created = form.submit("action", value="create", status=303)
    short_id = created.location.rsplit("/", 1)[-1]
    code = testapp.get(f"/api/qr/codes/{short_id}", headers=auth).json
    assert (code["encrypted"], code["secure"], code["expiresAt"], code["maxScans"]) == \
        (True, ["password", "encrypt"], "2030-01-01T00:00:00.000Z", 2)
    assert code["destination"] == DESTINATION
    stored = committed(lambda db: db.scalar(select(QrCode.destination).where(QrCode.short_id == short_id)))
    assert DESTINATION not in stored
    scan = testapp.get(f"/r/{short_id}", status=200)          # the password form, not a 302
    assert 'type="password"' in scan.text and DESTINATION not in scan.text


def test_b2_password_is_never_echoed_back(testapp, api_key, count_rows):
    sign_in(testapp, api_key)
    before = count_rows()["qr_codes"]
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = DESTINATION
    form["password"] = SECRET_PASSWORD
    preview = form.submit("action", value="preview", status=200)
    assert preview.html.select_one("#preview") is not None
    assert SECRET_PASSWORD not in preview.text
    assert preview.html.select_one("#field-password")["type"] == "password"
    # A form refused for another field does not show the password again either.
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "not a url"
    form["password"] = SECRET_PASSWORD
    refused = form.submit("action", value="create", status=422)
    assert SECRET_PASSWORD not in refused.text
    assert count_rows()["qr_codes"] == before


def test_b2_form_limits_are_validated_like_the_api(testapp, api_key, count_rows):
    sign_in(testapp, api_key)
    before = count_rows()["qr_codes"]
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = DESTINATION
    form["expiresAt"] = "2001-01-01T00:00:00Z"
    form["maxScans"] = "0"
    refused = form.submit("action", value="create", status=422)
    assert refused.html.select_one("#error-expiresAt").text == "must be in the future"
    assert "positive integer" in refused.html.select_one("#error-maxScans").text
    assert count_rows()["qr_codes"] == before


# B10: sign-out ends the session on the server --------------------------------------------------------

def test_b10_signout_ends_session(testapp, app, api_key):
    page = sign_in(testapp, api_key)
    copied = testapp.cookies[COOKIE_NAME]
    page.forms["signout"].submit(status=303)
    replay = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    replay.set_cookie(COOKIE_NAME, copied)
    assert replay.get("/dashboard/codes", status=303).location.endswith("/dashboard/signin")


def test_b10_signout_leaves_a_new_sign_in_working(testapp, api_key):
    page = sign_in(testapp, api_key)
    page.forms["signout"].submit(status=303)
    sign_in(testapp, api_key)
    testapp.get("/dashboard/codes", status=200)


# B13: odd `days` on the code page ---------------------------------------------------------------------

@pytest.mark.parametrize("days", ["\u00b2", "\u0663", "9" * 5000, "-7", " 7", ""])
def test_b13_odd_days_is_a_422_page(testapp, api_key, auth, days):
    sign_in(testapp, api_key)
    code = api_create(testapp, auth)
    page = testapp.get(f"/dashboard/codes/{code['id']}", {"days": days}, status=422)
    assert page.content_type == "text/html" and "must be 7, 30 or 90" in page.text


# B15: the dashboard's password re-entry shares the scan form's attempt limit ------------------------------

def test_b15_dashboard_password_edit_is_attempt_limited(testapp, api_key, auth):
    sign_in(testapp, api_key)
    code = api_create(testapp, auth, password="correct horse")
    for _ in range(5):
        form = edit_form(testapp, code["id"])
        form["destination"] = "https://example.com/changed"
        form["password"] = "wrong guess"
        assert form.submit(status=422).html.select_one("#error-password").text == "wrong password"
    form = edit_form(testapp, code["id"])
    form["destination"] = "https://example.com/changed"
    form["password"] = "correct horse"
    limited = form.submit(status=429)
    assert "Too many" in limited.text and int(limited.headers["Retry-After"]) >= 1
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["destination"] == \
        "https://example.com/spring"


# B18: sign-in is rate limited per address ------------------------------------------------------------------

def limited_client(dbengine, app_settings, address, api="3/minute"):
    app = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.rate_limit.api": api})
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def test_b18_signin_is_rate_limited(dbengine, app_settings, api_key):
    client = limited_client(dbengine, app_settings, "192.0.2.44")
    page = client.get("/dashboard/signin")
    token = page.forms["signin"]["csrf_token"].value
    statuses = [client.post("/dashboard/signin", {"csrf_token": token, "key": "exr_live_" + "A" * 40},
                            expect_errors=True).status_int for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    limited = client.post("/dashboard/signin", {"csrf_token": token, "key": api_key}, expect_errors=True)
    assert limited.status_int == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.content_type == "text/html" and "Too many" in limited.text
    # Another address is not affected.
    other = limited_client(dbengine, app_settings, "192.0.2.45")
    sign_in(other, api_key)
    other.get("/dashboard/codes", status=200)


def test_b18_an_address_over_its_api_budget_cannot_guess_keys_in_the_dashboard(dbengine, app_settings, api_key):
    client = limited_client(dbengine, app_settings, "192.0.2.46", api="2/minute")
    for _ in range(2):
        client.get("/api/qr/codes", headers={"Authorization": "Bearer exr_live_" + "B" * 40}, status=401)
    client.get("/api/qr/codes", status=429)
    token = client.get("/dashboard/signin").forms["signin"]["csrf_token"].value
    client.post("/dashboard/signin", {"csrf_token": token, "key": "exr_live_" + "C" * 40}, status=429)
