"""Idempotency-Key on POST /api/qr/codes (DESIGN.md §1.1): retries, conflicts, expiry, concurrency."""
import datetime

import pytest

import exaroutes.clock
from tests.helpers.http import assert_error_shape, concurrent_posts
from tests.helpers.qr_decode import decode_any

BODY = {"data": "https://example.com/idempotent", "returnType": "svg"}


def post(testapp, auth, key, body=BODY, status=201):
    return testapp.post_json("/api/qr/codes", body, headers={**auth, "Idempotency-Key": key}, status=status)


def test_a_retry_gets_the_first_response_and_creates_nothing(testapp, auth, count_rows):
    first = post(testapp, auth, "order-1")
    rows = count_rows()
    again = post(testapp, auth, "order-1")
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_rows() == rows and rows["qr_codes"] == 1
    image = testapp.get(f"/api/qr/codes/{first.json['id']}/image", headers=auth).body
    assert decode_any(image, "image/svg+xml") == [first.json["redirectUrl"]]


def test_key_order_and_spacing_of_the_json_do_not_matter(testapp, auth, count_rows):
    first = post(testapp, auth, "order-2")
    same = testapp.post("/api/qr/codes", '{ "returnType":"svg",  "data":"https://example.com/idempotent" }',
                        headers={**auth, "Idempotency-Key": "order-2", "Content-Type": "application/json"},
                        status=201)
    assert same.json["id"] == first.json["id"] and count_rows()["qr_codes"] == 1


def test_the_same_key_with_another_body_is_422(testapp, auth, count_rows):
    post(testapp, auth, "order-3")
    rows = count_rows()
    body = assert_error_shape(post(testapp, auth, "order-3", {**BODY, "data": "https://example.com/other"},
                                   status=422))
    assert body["errors"][0] == {"location": "header", "name": "Idempotency-Key",
                                 "description": body["errors"][0]["description"]}
    assert count_rows() == rows


def test_without_a_key_every_post_creates(testapp, auth, count_rows):
    testapp.post_json("/api/qr/codes", BODY, headers=auth, status=201)
    testapp.post_json("/api/qr/codes", BODY, headers=auth, status=201)
    assert count_rows()["qr_codes"] == 2 and count_rows()["idempotency_keys"] == 0


def test_keys_belong_to_one_workspace(testapp, auth, other_auth, count_rows):
    mine = post(testapp, auth, "shared-name")
    theirs = post(testapp, other_auth, "shared-name")
    assert mine.json["id"] != theirs.json["id"] and count_rows()["qr_codes"] == 2


@pytest.mark.parametrize("key", ["", " ", "a b", "x" * 256, "clé"])
def test_a_malformed_key_is_422(testapp, auth, count_rows, key):
    before = count_rows()
    body = assert_error_shape(testapp.post_json(
        "/api/qr/codes", BODY, headers={**auth, "Idempotency-Key": key.encode("utf-8").decode("latin-1")},
        status=422))
    assert body["errors"][0]["name"] == "Idempotency-Key"
    assert count_rows() == before


def test_a_failed_request_leaves_the_key_free(testapp, auth, count_rows):
    before = count_rows()
    post(testapp, auth, "order-4", {"data": "not a url"}, status=422)
    assert count_rows() == before
    assert post(testapp, auth, "order-4").json["destination"] == BODY["data"]


def test_keys_expire_after_24_hours(testapp, auth, count_rows, monkeypatch):
    start = datetime.datetime(2026, 5, 21, 12, 0, 0)
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start)
    first = post(testapp, auth, "order-5")
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start + datetime.timedelta(hours=23, minutes=59))
    assert post(testapp, auth, "order-5").json["id"] == first.json["id"]
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start + datetime.timedelta(hours=24, seconds=1))
    second = post(testapp, auth, "order-5")
    assert second.json["id"] != first.json["id"]
    assert count_rows()["qr_codes"] == 2 and count_rows()["idempotency_keys"] == 1


def test_concurrent_duplicates_create_one_code(app, auth, count_rows):
    """Four clients send the same keyed request at the same moment, each on its own thread."""
    results = concurrent_posts(app, "/api/qr/codes", BODY, {**auth, "Idempotency-Key": "race-1"})
    assert sorted(r.status_int for r in results) == [201] * 4, [r.text for r in results]
    assert len({r.json["id"] for r in results}) == 1
    assert count_rows()["qr_codes"] == 1 and count_rows()["idempotency_keys"] == 1
