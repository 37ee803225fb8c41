"""One JSON error shape for every failure, the right status for each, and nothing half-written."""
import logging

import pytest

from exaroutes.auth.keys import revoke_key
from tests.helpers.http import assert_error_shape

BODY = {"data": "https://example.com/"}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic dXNlcjpwYXNz",
                                    "Bearer exr_live_" + "A" * 40, "Token exr_live_" + "A" * 40])
def test_missing_or_wrong_keys_are_401_with_challenge(testapp, header):
    headers = {"Authorization": header} if header else {}
    for method, path in (("get", "/api/qr/codes"), ("get", "/api/qr/codes/abcdefgh"),
                         ("post_json", "/api/qr/codes"), ("post_json", "/api/qr/static")):
        call = getattr(testapp, method)
        args = (path, BODY) if method == "post_json" else (path,)
        response = call(*args, headers=headers, status=401)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="exaroutes"'
        assert_error_shape(response)


def test_revoked_key_is_401_at_once(testapp, auth, api_key, committed):
    testapp.get("/api/qr/codes", headers=auth, status=200)
    committed(lambda db: revoke_key(db, api_key[:17]))
    testapp.get("/api/qr/codes", headers=auth, status=401)


def test_unknown_route_and_unknown_code_are_json_404(testapp, auth):
    assert_error_shape(testapp.get("/api/nothing-here", headers=auth, status=404))
    assert_error_shape(testapp.get("/nothing", status=404))
    body = assert_error_shape(testapp.get("/api/qr/codes/ZZZZZZZZ", headers=auth, status=404))
    assert body["errors"][0]["name"] == "id"


def test_wrong_method_is_405_with_allow(testapp, auth):
    response = testapp.delete("/api/qr/codes", headers=auth, status=405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    assert_error_shape(response)


def test_non_json_body_is_415(testapp, auth):
    response = testapp.post("/api/qr/codes", "data=https://example.com", headers=auth, status=415)
    assert_error_shape(response)
    response = testapp.post("/api/qr/codes", b'{"data": "https://example.com"}',
                            headers={**auth, "Content-Type": "text/plain"}, status=415)
    assert_error_shape(response)


@pytest.mark.parametrize("raw", [b"{", b"", b"\xff\xfe{}", b'{"data": NaN}', b"[" * 100000])
def test_malformed_json_is_400(testapp, auth, count_rows, raw):
    before = count_rows()
    response = testapp.post("/api/qr/codes", raw, headers={**auth, "Content-Type": "application/json"},
                            status=400)
    assert_error_shape(response)
    assert count_rows() == before


@pytest.mark.parametrize("body", [[BODY], "https://example.com", 42, None])
def test_json_of_the_wrong_type_is_400(testapp, auth, body):
    assert_error_shape(testapp.post_json("/api/qr/codes", body, headers=auth, status=400))


@pytest.mark.parametrize("field,value", [("size", 12.7), ("size", True), ("size", "512"), ("size", 63),
                                         ("size", 4097), ("margin", -1), ("margin", 21), ("margin", None),
                                         ("errorCorrection", "X"), ("foregroundColor", "black"),
                                         ("backgroundColor", "#FFF"), ("dataType", "nope"),
                                         ("returnType", "gif"), ("dataType", 1), ("sizee", 512)])
def test_invalid_fields_are_422_naming_the_field(testapp, auth, count_rows, field, value):
    before = count_rows()
    body = assert_error_shape(testapp.post_json("/api/qr/codes", {**BODY, field: value}, headers=auth,
                                                status=422))
    assert field in [e["name"] for e in body["errors"]]
    assert all(e["location"] == "body" for e in body["errors"])
    assert count_rows() == before


def test_every_problem_is_listed(testapp, auth):
    body = testapp.post_json("/api/qr/codes", {"data": "x", "size": "big", "margin": 99, "oops": 1},
                             headers=auth, status=422).json
    assert {"size", "margin", "oops"} <= {e["name"] for e in body["errors"]}


@pytest.mark.parametrize("data", [None, "", "javascript:alert(1)", "data:text/html,hi", "example.com",
                                  "ftp://example.com/", 42, ["https://example.com"], "http://exa mple.com/"])
def test_bad_url_data_is_422(testapp, auth, count_rows, data):
    before = count_rows()
    body = assert_error_shape(testapp.post_json("/api/qr/codes", {"data": data}, headers=auth, status=422))
    assert body["errors"][0]["name"] == "data"
    assert count_rows() == before


def test_missing_data_is_422(testapp, auth):
    body = testapp.post_json("/api/qr/codes", {"dataType": "url"}, headers=auth, status=422).json
    assert body["errors"][0]["name"] == "data"


def test_unexpected_error_is_json_500_logged_without_the_key(testapp, auth, api_key, monkeypatch, caplog):
    import exaroutes.api.codes

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(exaroutes.api.codes, "list_codes", explode)
    with caplog.at_level(logging.DEBUG):
        response = testapp.get("/api/qr/codes", headers={**auth, "X-Request-Id": "req-500-test"}, status=500)
    assert_error_shape(response)
    assert response.headers["X-Request-Id"] == "req-500-test"
    assert "req-500-test" in caplog.text and "RuntimeError" in caplog.text
    assert api_key not in caplog.text and "Authorization" not in caplog.text


def test_request_id_is_echoed_or_generated(testapp, auth):
    echoed = testapp.get("/api/qr/codes", headers={**auth, "X-Request-Id": "abc-123"})
    assert echoed.headers["X-Request-Id"] == "abc-123"
    generated = testapp.get("/api/qr/codes", headers=auth).headers["X-Request-Id"]
    assert len(generated) >= 16
    assert testapp.get("/nope", status=404).headers["X-Request-Id"]
