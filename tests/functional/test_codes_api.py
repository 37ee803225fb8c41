"""The dynamic-code API of DESIGN.md §1.2-1.3, on every backend."""
import re

from exaroutes.clock import isoformat
from exaroutes.testing import REDIRECT_BASE
from tests.helpers.qr_decode import decode_any

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FIELDS = {"id", "type", "dataType", "destination", "redirectUrl", "status", "encrypted", "secure",
          "createdAt", "updatedAt"}


def create(testapp, auth, status=201, **body):
    body.setdefault("data", "https://example.com/spring")
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=status)


def test_create_answers_the_code_object_and_location(testapp, auth):
    response = create(testapp, auth)
    code = response.json
    assert FIELDS <= code.keys()
    assert re.fullmatch(r"[A-Za-z0-9]{8}", code["id"])
    assert code["type"] == "dynamic" and code["dataType"] == "url"
    assert code["destination"] == "https://example.com/spring"
    assert code["redirectUrl"] == f"{REDIRECT_BASE}/r/{code['id']}"
    assert code["status"] == "active" and code["encrypted"] is False and code["secure"] == []
    assert TIMESTAMP.match(code["createdAt"]) and code["createdAt"] == code["updatedAt"]
    assert response.headers["Location"] == f"http://localhost/api/qr/codes/{code['id']}"
    assert testapp.get(response.headers["Location"], headers=auth).json == code


def test_short_ids_are_random_and_distinct(testapp, auth):
    ids = [create(testapp, auth).json["id"] for _ in range(6)]
    assert len(set(ids)) == 6
    assert all(re.fullmatch(r"[A-Za-z0-9]{8}", id_) for id_ in ids)


def test_image_encodes_the_redirect_url_in_png_and_svg(testapp, auth):
    for return_type, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        code = create(testapp, auth, returnType=return_type).json
        image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
        assert image.content_type == media_type
        assert decode_any(image.body, media_type) == [code["redirectUrl"]]


def test_image_etag_and_not_modified(testapp, auth):
    code = create(testapp, auth).json
    first = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
    assert first.etag
    again = testapp.get(f"/api/qr/codes/{code['id']}/image",
                        headers={**auth, "If-None-Match": f'"{first.etag}"'}, status=304)
    assert again.body == b""


def test_put_changes_destination_and_status_but_not_the_image(testapp, auth):
    code = create(testapp, auth).json
    before = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    updated = testapp.put_json(f"/api/qr/codes/{code['id']}",
                               {"destination": "https://example.com/autumn", "status": "inactive"},
                               headers=auth).json
    assert updated["id"] == code["id"] and updated["redirectUrl"] == code["redirectUrl"]
    assert updated["destination"] == "https://example.com/autumn"
    assert updated["status"] == "inactive"
    assert updated["createdAt"] == code["createdAt"] and updated["updatedAt"] >= code["updatedAt"]
    assert testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body == before
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == updated


def test_put_with_bad_destination_is_422_and_changes_nothing(testapp, auth):
    code = create(testapp, auth).json
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "javascript:alert(1)"},
                             headers=auth, status=422).json
    assert error["errors"][0]["name"] == "destination"
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", {"status": "paused"}, headers=auth, status=422).json
    assert error["errors"][0]["name"] == "status"
    testapp.put_json(f"/api/qr/codes/{code['id']}", {}, headers=auth, status=422)


def test_text_code_put_accepts_data(testapp, auth):
    code = create(testapp, auth, dataType="text", data="hello").json
    assert code["destination"] == "hello"
    updated = testapp.put_json(f"/api/qr/codes/{code['id']}", {"data": "bye"}, headers=auth).json
    assert updated["destination"] == "bye"


def test_list_pages_newest_first_with_stable_cursors(testapp, auth):
    ids = [create(testapp, auth).json["id"] for _ in range(5)]
    first = testapp.get("/api/qr/codes?limit=2", headers=auth).json
    assert first["pagination"] == {"total": 5, "limit": 2, "cursor": "0",
                                   "nextCursor": first["pagination"]["nextCursor"]}
    seen = [c["id"] for c in first["data"]]
    cursor = first["pagination"]["nextCursor"]
    create(testapp, auth)                       # a new code while paging must not shift the pages
    while cursor:
        page = testapp.get("/api/qr/codes", {"limit": "2", "cursor": cursor}, headers=auth).json
        assert page["pagination"]["cursor"] == cursor
        seen += [c["id"] for c in page["data"]]
        cursor = page["pagination"]["nextCursor"]
    assert seen == list(reversed(ids))
    assert page["pagination"]["total"] == 6 and page["pagination"]["nextCursor"] is None


def test_list_order_breaks_ties_on_id(testapp, auth, committed):
    """Codes created in the same millisecond still page without repeats or gaps."""
    from exaroutes.models import QrCode

    ids = [create(testapp, auth).json["id"] for _ in range(4)]
    committed(lambda db: [setattr(c, "created_at", c.created_at.replace(microsecond=0))
                          for c in db.query(QrCode).all()])
    seen, cursor = [], "0"
    while cursor:
        page = testapp.get("/api/qr/codes", {"limit": "1", "cursor": cursor}, headers=auth).json
        seen += [c["id"] for c in page["data"]]
        cursor = page["pagination"]["nextCursor"]
    assert sorted(seen) == sorted(ids) and len(seen) == 4


def test_list_filters_by_type_and_status(testapp, auth):
    url_code = create(testapp, auth).json
    text_code = create(testapp, auth, dataType="text", data="hi").json
    testapp.put_json(f"/api/qr/codes/{url_code['id']}", {"status": "inactive"}, headers=auth)
    by_type = testapp.get("/api/qr/codes?type=text", headers=auth).json
    assert [c["id"] for c in by_type["data"]] == [text_code["id"]] and by_type["pagination"]["total"] == 1
    inactive = testapp.get("/api/qr/codes?status=inactive", headers=auth).json
    assert [c["id"] for c in inactive["data"]] == [url_code["id"]]


def test_list_rejects_bad_query_parameters(testapp, auth):
    for query, name in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"),
                        ("limit=1.5", "limit"), ("cursor=%25%25", "cursor"), ("status=gone", "status"),
                        ("type=nope", "type"), ("colour=red", "colour")):
        error = testapp.get(f"/api/qr/codes?{query}", headers=auth, status=422).json
        assert error["errors"][0]["name"] == name, query
        assert error["errors"][0]["location"] == "querystring"


def test_timestamps_format():
    import datetime

    assert isoformat(datetime.datetime(2026, 5, 21, 15, 0, 0, 123456)) == "2026-05-21T15:00:00.123Z"
