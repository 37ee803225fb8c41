"""A bulk item that passes validation but cannot be stored (security review 2026-12, B6).

The review saw such a job stay `queued` for good, retried by huey and re-queued by the sweeper every
minute, and the good items of its chunk never made. Now the item that the database refuses ends
`failed` on its own, reported in the manifest, and the rest of the job completes: nothing is retried.
The refusal here is real: the item's code is given a lone surrogate, which neither SQLite nor
PostgreSQL can store; only how it got past validation is simulated.
"""
import datetime

from exaroutes import clock
from exaroutes.bulk import worker
from tests.helpers.bulk import all_codes, drain, read_archive
from tests.helpers.qr_decode import decode_image

POISON = "https://example.com/poison"


def poison_one_item(monkeypatch):
    """Items whose destination is POISON are built with a value no database accepts."""
    make = worker.new_dynamic_code

    def unstorable(*args, **kwargs):
        code = make(*args, **kwargs)
        if code.destination == POISON:
            code.destination = POISON + "\ud800"
        return code

    monkeypatch.setattr(worker, "new_dynamic_code", unstorable)


def test_b6_unstorable_item_fails_alone_and_job_completes(app, testapp, auth, queue, monkeypatch):
    poison_one_item(monkeypatch)
    items = [{"data": "https://example.com/good/0"}, {"data": POISON}, {"data": "https://example.com/good/2"}]
    bulk_id = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]
    assert drain(queue) == 1
    assert queue.pending_count() == 0 and queue.scheduled_count() == 0      # no retry waiting
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (status["status"], status["processed"], status["succeeded"], status["failed"]) == \
        ("completed", 3, 2, 1)
    body = testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth).body
    names, csv_rows, json_rows, files = read_archive(body)
    assert json_rows[1]["id"] is None and json_rows[1]["file"] is None
    assert "could not be stored" in json_rows[1]["error"]
    assert csv_rows[1]["error"] == json_rows[1]["error"]
    codes = all_codes(testapp, auth)
    assert sorted(code["destination"] for code in codes.values()) == \
        ["https://example.com/good/0", "https://example.com/good/2"]
    for row in (json_rows[0], json_rows[2]):
        assert decode_image(files[row["file"]]) == [row["redirectUrl"]]
    # The sweeper finds nothing left to do, however long we wait.
    later = clock.utcnow() + datetime.timedelta(hours=1)
    monkeypatch.setattr(clock, "source", lambda: later)
    assert worker.sweep(app.registry)["requeued"] == []


def test_b6_a_job_of_only_unstorable_items_ends_failed(testapp, auth, queue, monkeypatch):
    poison_one_item(monkeypatch)
    bulk_id = testapp.post_json("/api/qr/codes/bulk", [{"data": POISON}], headers=auth, status=202).json["bulkId"]
    assert drain(queue) == 1
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (status["status"], status["processed"], status["succeeded"], status["failed"]) == ("failed", 1, 0, 1)
    assert queue.pending_count() == 0 and queue.scheduled_count() == 0
