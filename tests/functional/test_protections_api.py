"""Protected and limited codes through the API: password, encryption at rest, compliance lock, expiry and scan caps."""
import datetime

import pytest
from sqlalchemy import text

from exaroutes import clock, main
from exaroutes.protections.locks import lock_code
from tests.helpers.qr_decode import decode_any

pytestmark = pytest.mark.usefixtures("quick_password_hashes")

URL = "https://example.com/secret-spring-sale"


def create(testapp, auth, status=201, **body):
    body.setdefault("data", URL)
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=status)


def raw_row(dbengine, short_id):
    """The row exactly as the database holds it, as text."""
    with dbengine.connect() as connection:
        row = connection.execute(text("SELECT * FROM qr_codes WHERE short_id = :id"), {"id": short_id}).one()
    return repr(tuple(row))


def in_hours(hours):
    moment = clock.utcnow() + datetime.timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_password_code_lists_the_protection_and_stores_only_a_slow_hash(testapp, auth, dbengine):
    code = create(testapp, auth, password="open sesame 42").json
    assert code["secure"] == ["password"] and code["encrypted"] is False
    assert "password" not in code and code["destination"] == URL
    row = raw_row(dbengine, code["id"])
    assert "open sesame 42" not in row and "$argon2id$" in row


def test_encrypted_code_holds_no_plaintext_at_rest_but_reads_and_scans_as_usual(testapp, auth, dbengine):
    response = create(testapp, auth, encrypt=True)
    code = response.json
    assert code["encrypted"] is True and code["secure"] == ["encrypt"] and code["destination"] == URL
    row = raw_row(dbengine, code["id"])
    assert URL not in row and "secret-spring-sale" not in row and "example.com" not in row
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code
    assert testapp.get("/api/qr/codes", headers=auth).json["data"] == [code]
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
    assert decode_any(image.body, image.content_type) == [code["redirectUrl"]]
    assert testapp.get(f"/r/{code['id']}", status=302).headers["Location"] == URL


def test_encrypted_text_code_shows_its_plaintext_page(testapp, auth, dbengine):
    code = create(testapp, auth, dataType="text", data="door code 4711", encrypt=True).json
    assert "door code" not in raw_row(dbengine, code["id"])    # ("4711" alone can occur in a timestamp)
    assert "door code 4711" in testapp.get(f"/r/{code['id']}", status=200).text


def test_encrypt_without_a_configured_secret_is_422(dbengine, app_settings, auth, count_rows):
    import webtest

    app = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.secret": ""})
    plain = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    before = count_rows()
    error = plain.post_json("/api/qr/codes", {"data": URL, "encrypt": True}, headers=auth, status=422).json
    assert error["errors"][0]["name"] == "encrypt" and "EXAROUTES_SECRET" in error["error"]
    assert count_rows() == before


def test_all_protections_together_in_canonical_order(testapp, auth, committed):
    code = create(testapp, auth, encrypt=True, password="pass-word").json
    committed(lambda db: lock_code(db, code["id"], "legal hold"))
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["secure"] == [
        "password", "encrypt", "compliance"]


@pytest.mark.parametrize("protect, phrase", [
    ({"password": "pass-word"}, "password-protected"),
    ({"encrypt": True}, "encrypted at rest"),
    ({}, "compliance lock"),
])
def test_put_on_a_protected_code_is_409_naming_the_protection_and_changes_nothing(
        testapp, auth, committed, dbengine, protect, phrase):
    code = create(testapp, auth, **protect).json
    if not protect:
        committed(lambda db: lock_code(db, code["id"], "regulator request"))
        code = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    row = raw_row(dbengine, code["id"])
    for body in ({"destination": "https://example.com/other"}, {"status": "inactive"},
                 {"maxScans": 3}, {"expiresAt": in_hours(2)}):
        error = testapp.put_json(f"/api/qr/codes/{code['id']}", body, headers=auth, status=409).json
        assert phrase in error["error"] and error["errors"][0]["name"] == "secure"
    assert raw_row(dbengine, code["id"]) == row
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code


def test_limits_appear_in_the_code_object_and_put_changes_or_removes_them(testapp, auth):
    expires = in_hours(24)
    code = create(testapp, auth, expiresAt=expires, maxScans=5).json
    assert code["expiresAt"] == expires and code["maxScans"] == 5 and code["secure"] == []
    plain = create(testapp, auth).json
    assert plain["expiresAt"] is None and plain["maxScans"] is None
    later = in_hours(48)
    updated = testapp.put_json(f"/api/qr/codes/{code['id']}", {"expiresAt": later, "maxScans": 9},
                               headers=auth).json
    assert updated["expiresAt"] == later and updated["maxScans"] == 9
    cleared = testapp.put_json(f"/api/qr/codes/{code['id']}", {"expiresAt": None, "maxScans": None},
                               headers=auth).json
    assert cleared["expiresAt"] is None and cleared["maxScans"] is None


def test_expires_at_takes_any_timezone_and_answers_utc(testapp, auth):
    moment = clock.utcnow().replace(microsecond=0) + datetime.timedelta(days=2)
    offset = (moment + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    assert create(testapp, auth, expiresAt=offset).json["expiresAt"] == moment.strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize("field, value", [
    ("password", "abc"), ("password", 1234), ("password", "x" * 257), ("password", None),
    ("encrypt", "yes"), ("encrypt", 1), ("encrypt", None),
    ("expiresAt", "2020-01-01T00:00:00Z"), ("expiresAt", "2999-01-01T00:00:00"), ("expiresAt", "tomorrow"),
    ("expiresAt", 1893456000), ("expiresAt", None),
    ("maxScans", 0), ("maxScans", -1), ("maxScans", 1.5), ("maxScans", "5"), ("maxScans", True),
    ("maxScans", 2**31), ("maxScans", None),
])
def test_bad_create_fields_are_422_naming_the_field_and_store_nothing(testapp, auth, count_rows, field, value):
    before = count_rows()
    error = create(testapp, auth, status=422, **{field: value}).json
    assert error["errors"][0]["name"] == field and error["errors"][0]["location"] == "body"
    assert count_rows() == before


@pytest.mark.parametrize("body, field", [
    ({"maxScans": 0}, "maxScans"), ({"maxScans": "3"}, "maxScans"),
    ({"expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt"), ({"expiresAt": 5}, "expiresAt"),
    ({"password": "new-password"}, "password"), ({"encrypt": True}, "encrypt"),
    ({"status": "inactive", "maxScans": -5}, "maxScans"),
])
def test_bad_put_fields_are_422_and_change_nothing(testapp, auth, dbengine, body, field):
    code = create(testapp, auth, maxScans=4).json
    row = raw_row(dbengine, code["id"])
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", body, headers=auth, status=422).json
    assert error["errors"][0]["name"] == field
    assert raw_row(dbengine, code["id"]) == row
