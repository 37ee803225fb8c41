"""`encrypt: true` holds for every copy the service keeps (security review 2026-12, B4).

The review read the database file after two requests and found the plaintext in
`idempotency_keys.body` and `bulk_jobs.items`, and the Fernet token in the bulk manifest where the
destination belongs. These tests read every table as the database holds it.
"""
import pytest
from sqlalchemy import text

from exaroutes.models import Base
from tests.helpers.bulk import all_codes, drain, read_archive

IDEMPOTENT_SECRET = "https://example.com/SECRET-IDEMP-PLAINTEXT"
BULK_SECRET = "https://example.com/SECRET-BULK-PLAINTEXT"


def database_holds(dbengine, phrase):
    """Every (table, column) whose stored value contains `phrase` (text, JSON or bytes)."""
    found = []
    needle = phrase.encode("utf-8")
    with dbengine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")).mappings():
                for column, value in row.items():
                    raw = value if isinstance(value, bytes | memoryview) else str(value).encode("utf-8")
                    if needle in bytes(raw):
                        found.append((table.name, column))
    return found


def test_b4_idempotency_copy_of_an_encrypted_code_is_not_plaintext(testapp, auth, dbengine):
    headers = {**auth, "Idempotency-Key": "b4-encrypted-create"}
    body = {"data": IDEMPOTENT_SECRET, "encrypt": True}
    first = testapp.post_json("/api/qr/codes", body, headers=headers, status=201)
    assert first.json["destination"] == IDEMPOTENT_SECRET and first.json["encrypted"] is True
    assert database_holds(dbengine, IDEMPOTENT_SECRET) == []
    assert database_holds(dbengine, "SECRET-IDEMP") == []
    replay = testapp.post_json("/api/qr/codes", body, headers=headers, status=201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    assert replay.headers["Location"] == first.headers["Location"]


@pytest.mark.parametrize("with_key", [False, True])
def test_b4_bulk_items_of_encrypted_codes_are_not_plaintext(testapp, auth, dbengine, queue, with_key):
    items = [{"data": BULK_SECRET, "encrypt": True}, {"data": "https://example.com/public-item"}]
    headers = {**auth, "Idempotency-Key": "b4-bulk"} if with_key else auth
    bulk_id = testapp.post_json("/api/qr/codes/bulk", items, headers=headers, status=202).json["bulkId"]
    assert database_holds(dbengine, "SECRET-BULK") == []       # the queued job
    assert drain(queue) == 1
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (status["status"], status["succeeded"]) == ("completed", 2)
    assert database_holds(dbengine, "SECRET-BULK") == []       # the codes and the stored archive
    result = testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth, status=200)
    _, csv_rows, json_rows, _ = read_archive(result.body)
    # The manifest shows what the codes lead to, as the API does, not the stored token.
    assert [row["destination"] for row in json_rows] == [BULK_SECRET, "https://example.com/public-item"]
    assert [row["destination"] for row in csv_rows] == [BULK_SECRET, "https://example.com/public-item"]
    codes = all_codes(testapp, auth)
    assert codes[json_rows[0]["id"]]["encrypted"] is True
    assert codes[json_rows[0]["id"]]["destination"] == BULK_SECRET
    assert database_holds(dbengine, "SECRET-BULK") == []


def test_b4_dashboard_csv_upload_of_encrypted_codes_is_not_plaintext(testapp, api_key, dbengine, queue):
    from tests.helpers.dashboard import sign_in

    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/bulk").forms["bulk-upload"]
    form["file"] = ("codes.csv", f"data,encrypt\r\n{BULK_SECRET},true\r\n".encode())
    form.submit(status=303)
    assert database_holds(dbengine, "SECRET-BULK") == []
    assert drain(queue) == 1
    assert database_holds(dbengine, "SECRET-BULK") == []
