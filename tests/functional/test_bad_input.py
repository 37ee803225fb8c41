"""Hostile and broken input across the endpoints: always a 4xx JSON error, never a 500, nothing written.

Each row: method, path ({id} is an existing code of the caller), Content-Type, raw body, expected status.
"""
import io
import json

import pytest
import webtest
from tests.helpers.http import assert_error_shape


JSON = "application/json"
URL = "https://example.com/"


def j(value):
    return json.dumps(value).encode()


def nested(depth):
    return b'{"data": ' + b"[" * depth + b"]" * depth + b"}"


CASES = [
    # POST /api/qr/codes
    ("POST", "/api/qr/codes", "text/plain", j({"data": URL}), 415),
    ("POST", "/api/qr/codes", "application/x-www-form-urlencoded", b"data=https://example.com/", 415),
    ("POST", "/api/qr/codes", None, j({"data": URL}), 415),
    ("POST", "/api/qr/codes", JSON, b"{", 400),
    ("POST", "/api/qr/codes", JSON, b"", 400),
    ("POST", "/api/qr/codes", JSON, b'{"data": "\xff\xfe"}', 400),
    ("POST", "/api/qr/codes", JSON, '{"data": "https://example.com/"}'.encode("utf-16"), 400),
    ("POST", "/api/qr/codes", JSON, b"\xef\xbb\xbf" + j({"data": URL}), 400),
    ("POST", "/api/qr/codes", JSON, b'{"data": "https://example.com/\x00"}', 400),
    ("POST", "/api/qr/codes", JSON, j({"data": "https://example.com/\u0000"}), 422),
    ("POST", "/api/qr/codes", JSON, b"[" * 100000, 400),
    ("POST", "/api/qr/codes", JSON, nested(5000), 400),
    ("POST", "/api/qr/codes", JSON, nested(500), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": "https://example.com/" + "a" * 5_000_000}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "foregroundColor": "#" * 100_000}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "size": -1}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "size": 10 ** 400}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "size": 1e308}), 422),
    ("POST", "/api/qr/codes", JSON, b'{"data": "https://example.com/", "size": NaN}', 400),
    ("POST", "/api/qr/codes", JSON, b'{"data": "https://example.com/", "margin": -Infinity}', 400),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "size": "512"}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "margin": -5}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": None}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "dataType": ["url"]}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "returnType": {"png": 1}}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "errorCorrection": ""}), 422),
    ("POST", "/api/qr/codes", JSON, j({"data": URL, "x" * 10_000: 1}), 422),
    ("POST", "/api/qr/codes", JSON, j([{"data": URL}]), 400),
    ("POST", "/api/qr/codes", JSON, j("https://example.com/"), 400),
    ("POST", "/api/qr/codes", JSON, j({"data": "javascript:alert(1)"}), 422),
    # PUT /api/qr/codes/{id}
    ("PUT", "/api/qr/codes/{id}", "text/plain", j({"status": "inactive"}), 415),
    ("PUT", "/api/qr/codes/{id}", JSON, b"{", 400),
    ("PUT", "/api/qr/codes/{id}", JSON, j([]), 400),
    ("PUT", "/api/qr/codes/{id}", JSON, j({}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"status": "deleted"}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"status": True}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"destination": 123}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"destination": "https://example.com/\u0000x"}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"destination": "javascript:alert(1)"}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"destination": URL, "data": URL}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"destination": URL + "a" * 100_000}), 422),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"id": "AAAAAAAA"}), 422),
    # POST /api/qr/static
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": ""}), 422),
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": "x" * 10_000}), 422),
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": {"text": "hi"}}), 422),
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": "hi", "size": 4097}), 422),
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": "hi", "returnType": "gif"}), 422),
    ("POST", "/api/qr/static", JSON, b'{"dataType": "text", "data": "\xc3\x28"}', 400),
    # GET /api/qr/codes
    ("GET", "/api/qr/codes?limit=0", None, b"", 422),
    ("GET", "/api/qr/codes?limit=-1", None, b"", 422),
    ("GET", "/api/qr/codes?limit=99999999999999999999999", None, b"", 422),
    ("GET", "/api/qr/codes?limit=abc", None, b"", 422),
    ("GET", "/api/qr/codes?limit=1&limit=2", None, b"", 422),
    ("GET", "/api/qr/codes?cursor=garbage", None, b"", 422),
    ("GET", "/api/qr/codes?cursor=%00", None, b"", 422),
    ("GET", "/api/qr/codes?cursor=%ff%fe", None, b"", 400),
    ("GET", "/api/qr/codes?status=deleted", None, b"", 422),
    ("GET", "/api/qr/codes?type=nope", None, b"", 422),
    ("GET", "/api/qr/codes?limt=10", None, b"", 422),
    # GET one code / its image
    ("GET", "/api/qr/codes/%00", None, b"", 404),
    ("GET", "/api/qr/codes/" + "A" * 10_000, None, b"", 404),
    ("GET", "/api/qr/codes/..%2F..%2Fetc%2Fpasswd/image", None, b"", 404),
]


# Rows naming the one field the 4xx must be about (first entry of `errors`): the bulk POST, the
# protection fields on create and update, static bodies and the analytics query.
PAST, FUTURE = "2000-01-01T00:00:00Z", "2099-01-01T00:00:00Z"
ITEM = {"data": URL}
BULK = "/api/qr/codes/bulk"
ANALYTICS = "/api/qr/codes/{id}/analytics"
NAMED_CASES = [
    # POST /api/qr/codes/bulk
    ("POST", BULK, "text/plain", j([ITEM]), 415, "Content-Type"),
    ("POST", BULK, JSON, b"[", 400, ""),
    ("POST", BULK, JSON, j(ITEM), 400, "body"),
    ("POST", BULK, JSON, j("https://example.com/"), 400, "body"),
    ("POST", BULK, JSON, j([]), 422, "body"),
    ("POST", BULK, JSON, j([ITEM] * 1001), 422, "body"),
    ("POST", BULK, JSON, j([ITEM, 5]), 422, "[1]"),
    ("POST", BULK, JSON, j([ITEM, None]), 422, "[1]"),
    ("POST", BULK, JSON, j([ITEM, {"data": "not a url"}]), 422, "[1].data"),
    ("POST", BULK, JSON, j([ITEM, {}]), 422, "[1].data"),
    ("POST", BULK, JSON, j([{**ITEM, "password": "open sesame"}]), 422, "[0].password"),
    ("POST", BULK, JSON, j([{**ITEM, "size": "512"}]), 422, "[0].size"),
    ("POST", BULK, JSON, j([{**ITEM, "encrypt": "yes"}]), 422, "[0].encrypt"),
    ("POST", BULK, JSON, j([{**ITEM, "expiresAt": PAST}]), 422, "[0].expiresAt"),
    ("POST", BULK, JSON, j([{**ITEM, "expiresAt": 4102444800}]), 422, "[0].expiresAt"),
    ("POST", BULK, JSON, j([{**ITEM, "maxScans": 0}]), 422, "[0].maxScans"),
    ("POST", BULK, JSON, j([{**ITEM, "maxScans": 2.5}]), 422, "[0].maxScans"),
    ("POST", BULK, JSON, j([ITEM, ITEM, {**ITEM, "dataTyp": "url"}]), 422, "[2].dataTyp"),
    ("POST", BULK, JSON, j([{**ITEM, "foregroundColor": "#FFFFFF", "backgroundColor": "#000000"}]), 422,
     "[0].foregroundColor"),
    # protection fields on POST /api/qr/codes
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "password": 1234}), 422, "password"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "password": "abc"}), 422, "password"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "password": "x" * 257}), 422, "password"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "password": ""}), 422, "password"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "password": None}), 422, "password"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "encrypt": "true"}), 422, "encrypt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "encrypt": 1}), 422, "encrypt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "encrypt": None}), 422, "encrypt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": PAST}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": "2099-01-01T00:00:00"}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": "tomorrow"}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": ""}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": 4102444800}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": None}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": [FUTURE]}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": 0}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": -1}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": 2**31}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": 1.5}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": "5"}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": True}), 422, "maxScans"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "maxScans": None}), 422, "maxScans"),
    # protection fields on PUT /api/qr/codes/{id} (null is allowed there: it removes a limit)
    ("PUT", "/api/qr/codes/{id}", JSON, j({"maxScans": 0}), 422, "maxScans"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"maxScans": "5"}), 422, "maxScans"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"maxScans": 2**31}), 422, "maxScans"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"expiresAt": PAST}), 422, "expiresAt"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"expiresAt": 123}), 422, "expiresAt"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"expiresAt": "2099-13-01T00:00:00Z"}), 422, "expiresAt"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"password": "open sesame"}), 422, "password"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"encrypt": True}), 422, "encrypt"),
    # POST /api/qr/static stores nothing, so it takes no protection
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": "hi", "password": "open sesame"}), 422,
     "password"),
    ("POST", "/api/qr/static", JSON, j({"dataType": "text", "data": "hi", "maxScans": 5}), 422, "maxScans"),
    # Review B5: timestamps that overflow in UTC, lone UTF-16 surrogates and NUL (PostgreSQL cannot store
    # it) are a 422 naming the field on both backends, never a 500; B16: a colour with a final newline
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": "9999-12-31T23:59:59-23:59"}), 422, "expiresAt"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "expiresAt": "0001-01-01T00:00:00+01:00"}), 422, "expiresAt"),
    ("PUT", "/api/qr/codes/{id}", JSON, j({"expiresAt": "9999-12-31T23:59:59-23:59"}), 422, "expiresAt"),
    ("POST", BULK, JSON, j([{**ITEM, "expiresAt": "0001-01-01T00:00:00+01:00"}]), 422, "[0].expiresAt"),
    ("POST", "/api/qr/codes", JSON, b'{"dataType": "text", "data": "a\\ud800b"}', 422, "data"),
    ("POST", "/api/qr/codes", JSON, b'{"dataType": "wifi", "data": {"ssid": "\\udfff"}}', 422, "data.ssid"),
    ("POST", "/api/qr/codes", JSON, b'{"data": "https://example.com/", "password": "ab\\ud800cd"}', 422,
     "password"),
    ("POST", "/api/qr/static", JSON, b'{"dataType": "text", "data": "\\ud83d"}', 422, "data"),
    ("PUT", "/api/qr/codes/{id}", JSON, b'{"destination": "https://example.com/\\udc00"}', 422, "destination"),
    ("POST", BULK, JSON, b'[{"dataType": "text", "data": "\\ud800"}]', 422, "[0].data"),
    ("POST", "/api/qr/codes", JSON, j({"dataType": "text", "data": "a\u0000b"}), 422, "data"),
    ("POST", "/api/qr/codes", JSON, j({"dataType": "vcard", "data": {"firstName": "A", "note": "\u0000"}}), 422,
     "data.note"),
    ("POST", BULK, JSON, j([ITEM, {"dataType": "text", "data": "\u0000"}]), 422, "[1].data"),
    ("GET", "/api/qr/codes?cursor=MjAyNi0wMS0wMXxhAGI=", None, b"", 422, "cursor"),
    ("GET", "/api/qr/codes/bulk/%00abc", None, b"", 404, "bulkId"),
    ("GET", "/api/qr/codes/bulk/%00abc/result", None, b"", 404, "bulkId"),
    ("POST", "/api/qr/codes", JSON, j({**ITEM, "foregroundColor": "#000000\n"}), 422, "foregroundColor"),
    # GET /api/qr/codes/{id}/analytics
    ("GET", ANALYTICS + "?days=0", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=91", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=abc", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=1.5", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=1e1", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=%207", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=%00", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=99999999999999999999999", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=1&days=2", None, b"", 422, "days"),
    ("GET", ANALYTICS + "?days=%ff", None, b"", 400, ""),
    ("GET", ANALYTICS + "?from=2026-01-01", None, b"", 422, "from"),
]


@pytest.fixture
def code_id(testapp, auth):
    return testapp.post_json("/api/qr/codes", {"data": URL, "returnType": "svg"}, headers=auth).json["id"]


def send_and_check_nothing_changed(testapp, app, auth, count_rows, code_id, method, path, content_type, body,
                                   status):
    """Send one bad request; assert its status and error shape, and that no row, task or code changed."""
    code_path = f"/api/qr/codes/{code_id}" if code_id else None
    code_before = testapp.get(code_path, headers=auth).json if code_id else None
    huey = app.registry["huey"]
    before, queued = count_rows(), huey.pending_count()
    headers = {**auth, "Content-Type": content_type} if content_type else auth
    response = testapp.request(path.format(id=code_id), method=method, headers=headers, body=body,
                               expect_errors=True)
    assert response.status_int == status, response.text[:300]
    error = assert_error_shape(response)
    assert count_rows() == before and huey.pending_count() == queued
    if code_id:
        assert testapp.get(code_path, headers=auth).json == code_before
    return error


@pytest.mark.parametrize("method,path,content_type,body,status", CASES,
                         ids=[f"{i:02d}-{c[0]}-{c[4]}" for i, c in enumerate(CASES)])
def test_bad_input_is_a_json_4xx_and_writes_nothing(testapp, app, auth, count_rows, request,
                                                    method, path, content_type, body, status):
    code_id = request.getfixturevalue("code_id") if "{id}" in path else None
    send_and_check_nothing_changed(testapp, app, auth, count_rows, code_id, method, path, content_type, body, status)


@pytest.mark.parametrize("method,path,content_type,body,status,field", NAMED_CASES,
                         ids=[f"{i:02d}-{c[0]}-{c[4]}-{c[5] or 'body'}" for i, c in enumerate(NAMED_CASES)])
def test_bad_fields_are_named_and_write_nothing(testapp, app, auth, count_rows, request,
                                                method, path, content_type, body, status, field):
    code_id = request.getfixturevalue("code_id") if "{id}" in path else None
    error = send_and_check_nothing_changed(testapp, app, auth, count_rows, code_id, method, path, content_type,
                                           body, status)
    assert error["errors"] and error["errors"][0]["name"] == field, error


def test_the_table_is_at_least_40_rows():
    assert len(CASES) >= 40


class Unreadable(io.RawIOBase):
    """A body that must never be read: reading it fails the test."""

    def read(self, size=-1):
        raise AssertionError("the body was read")

    readline = read


def test_a_declared_body_over_10_mib_is_413_before_reading(app, auth, count_rows):
    before = count_rows()
    response = webtest.TestApp(app).request(
        "/api/qr/codes", method="POST", headers={**auth, "Content-Type": JSON}, expect_errors=True,
        environ={"CONTENT_LENGTH": str(10 * 1024 * 1024 + 1), "wsgi.input": Unreadable()})
    assert response.status_int == 413
    assert_error_shape(response)
    assert response.headers["X-Request-Id"]
    assert count_rows() == before


def test_an_undeclared_body_is_cut_at_10_mib(app, auth, count_rows):
    """Without Content-Length (chunked), the body is read through a cap: 413 at the first byte too many."""
    before = count_rows()
    big = io.BytesIO(b'{"data": "' + b"a" * (10 * 1024 * 1024) + b'"}')
    response = webtest.TestApp(app).request(
        "/api/qr/codes", method="POST", headers={**auth, "Content-Type": JSON}, expect_errors=True,
        environ={"CONTENT_LENGTH": "", "wsgi.input": big, "wsgi.input_terminated": True})
    assert response.status_int == 413
    assert_error_shape(response)
    assert big.tell() <= 10 * 1024 * 1024 + 1
    assert count_rows() == before


def test_a_body_of_exactly_the_limit_is_read(app, auth):
    frame = j({"data": URL, "pad": ""})
    body = frame[:-2] + b"a" * (10 * 1024 * 1024 - len(frame)) + frame[-2:]
    assert len(body) == 10 * 1024 * 1024
    response = webtest.TestApp(app).post("/api/qr/codes", body, headers={**auth, "Content-Type": JSON},
                                         status=422)
    assert response.json["errors"][0]["name"] == "pad"


@pytest.mark.parametrize("path", ["/r/%00", "/r/" + "A" * 10_000, "/r/%00AAAAAAA", "/r/%00AAAAAA/contact.vcf",
                                  "/r/" + "A" * 10_000 + "/contact.vcf"])
def test_hostile_scan_paths_are_plain_404_pages(testapp, count_rows, path):
    before = count_rows()
    response = testapp.get(path, status=404)
    assert response.content_type == "text/html"
    assert count_rows() == before


@pytest.mark.parametrize("path", ["/r/%ff%fe", "/api/qr/codes/%ff%fe", "/api/qr/codes/%c3%28/image"])
def test_paths_that_are_not_utf8_are_400(testapp, auth, count_rows, path):
    before = count_rows()
    body = assert_error_shape(testapp.get(path, headers=auth, status=400))
    assert body["errors"][0]["location"] == "path"
    assert count_rows() == before


@pytest.mark.parametrize("path", ["/r/AAAA%00AA/password", "/r/%00/password"])
def test_hostile_password_form_paths_are_plain_404_pages(testapp, count_rows, path):
    """No key is needed here; a NUL in the id once reached PostgreSQL (review B5)."""
    before = count_rows()
    response = testapp.post(path, {"password": "x"}, status=404)
    assert response.content_type == "text/html"
    assert count_rows() == before
