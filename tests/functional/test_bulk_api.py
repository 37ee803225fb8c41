"""Bulk creation, DESIGN.md §1.6 and issue 7: validated up front, queued after commit, zip served once."""
import datetime
import re

import pytest
from sqlalchemy import select

from exaroutes import clock, main
from exaroutes.bulk.jobs import create_job
from exaroutes.bulk.worker import sweep
from exaroutes.jobs import stop_embedded_consumer
from exaroutes.models import ApiKey
from exaroutes.testing import REDIRECT_BASE
from tests.helpers.bulk import all_codes, check_archive, drain, read_archive, url_items
from tests.helpers.queues import queue_settings

STATUS_FIELDS = {"bulkId", "status", "total", "processed", "succeeded", "failed", "createdAt", "completedAt",
                 "resultAvailable"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def post_bulk(testapp, auth, items, status=202):
    return testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=status)


def status_of(testapp, auth, bulk_id, status=200):
    return testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth, status=status).json


def test_post_answers_202_at_once_and_renders_nothing(testapp, auth, queue):
    response = post_bulk(testapp, auth, url_items(3))
    body = response.json
    assert set(body) == {"bulkId", "status", "total"}
    assert body["status"] == "queued" and body["total"] == 3
    assert response.headers["Location"] == f"http://localhost/api/qr/codes/bulk/{body['bulkId']}"
    status = testapp.get(response.headers["Location"], headers=auth).json
    assert set(status) == STATUS_FIELDS
    assert status["status"] == "queued" and (status["processed"], status["succeeded"], status["failed"]) == (0, 0, 0)
    assert TIMESTAMP.match(status["createdAt"]) and status["completedAt"] is None
    assert status["resultAvailable"] is False
    assert testapp.get("/api/qr/codes", headers=auth).json["pagination"]["total"] == 0
    assert queue.pending_count() == 1     # one slice of up to 100 items, queued after the commit


def test_job_makes_normal_codes_and_a_zip_served_once(testapp, auth, queue):
    items = [{"data": "https://example.com/a"},
             {"data": "https://example.com/b?x=1,2", "returnType": "svg"},
             {"dataType": "text", "data": "Hello, bulk", "foregroundColor": "#123456", "size": 300},
             {"data": "https://example.com/d", "errorCorrection": "H", "margin": 2}]
    bulk_id = post_bulk(testapp, auth, items).json["bulkId"]
    assert drain(queue) == 1
    status = status_of(testapp, auth, bulk_id)
    assert status["status"] == "completed" and status["resultAvailable"] is True
    assert (status["total"], status["processed"], status["succeeded"], status["failed"]) == (4, 4, 4, 0)
    assert TIMESTAMP.match(status["completedAt"]) and status["completedAt"] >= status["createdAt"]

    result = testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth)
    assert result.content_type == "application/zip"
    assert result.headers["Cache-Control"] == "no-store"
    codes = check_archive(result.body, ["https://example.com/a", "https://example.com/b?x=1,2", "Hello, bulk",
                                        "https://example.com/d"], all_codes(testapp, auth))
    assert [c["format"] for c in codes] == ["png", "svg", "png", "png"]
    assert codes[2]["dataType"] == "text" and codes[2]["style"] == {"foregroundColor": "#123456", "size": 300}
    assert all(c["type"] == "dynamic" and c["redirectUrl"] == f"{REDIRECT_BASE}/r/{c['id']}" for c in codes)

    listed = testapp.get("/api/qr/codes", headers=auth).json
    assert sorted(c["id"] for c in listed["data"]) == sorted(c["id"] for c in codes)
    testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth, status=410)
    assert status_of(testapp, auth, bulk_id)["resultAvailable"] is False
    # The codes stay, with their images.
    image = testapp.get(f"/api/qr/codes/{codes[0]['id']}/image", headers=auth)
    assert image.content_type == "image/png"


def test_status_counts_items_while_the_job_runs(testapp, auth, queue, app):
    """Chunks commit as they go: a second slice still queued leaves the job processing, half done."""
    app.registry.settings["exaroutes.jobs.bulk_slice_size"] = 2
    try:
        bulk_id = post_bulk(testapp, auth, url_items(4)).json["bulkId"]
        queue.execute(queue.dequeue())
    finally:
        app.registry.settings["exaroutes.jobs.bulk_slice_size"] = 100
    status = status_of(testapp, auth, bulk_id)
    assert (status["status"], status["processed"], status["succeeded"]) == ("processing", 2, 2)
    testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth, status=409)
    drain(queue)
    assert status_of(testapp, auth, bulk_id)["processed"] == 4


def test_items_may_be_encrypted_and_limited(testapp, auth, queue, dbengine):
    items = [{"data": "https://example.com/private", "encrypt": True},
             {"data": "https://example.com/capped", "maxScans": 3, "expiresAt": "2099-01-01T00:00:00Z"}]
    bulk_id = post_bulk(testapp, auth, items).json["bulkId"]
    assert drain(queue) == 1
    assert status_of(testapp, auth, bulk_id)["succeeded"] == 2
    codes = {c["destination"]: c for c in all_codes(testapp, auth).values()}
    assert codes["https://example.com/private"]["encrypted"] is True
    assert codes["https://example.com/capped"]["maxScans"] == 3
    with dbengine.connect() as connection:
        assert "example.com/private" not in repr(connection.exec_driver_sql("SELECT * FROM qr_codes").all())


@pytest.mark.parametrize("items, names", [
    (url_items(3) + [{"data": "ftp://example.com/x"}], ["[3].data"]),
    ([{"data": "https://example.com/", "size": "512"}, "https://example.com/",
      {"data": "https://x.test/", "colour": 1}], ["[0].size", "[1]", "[2].colour"]),
    ([{"data": "https://example.com/", "dataType": "telepathy"}, {}], ["[0].dataType", "[1].data"]),
    # a look that cannot be drawn (65 modules in 64 px) is named for every item that has it
    (url_items(1) + url_items(2, size=64, margin=20), ["[1].size", "[2].size"]),
    # passwords are set one code at a time, never in bulk (README "Protected and limited codes")
    ([{"data": "https://example.com/", "password": "secret1"}], ["[0].password"]),
])
def test_one_bad_item_is_422_naming_it_and_nothing_is_stored(testapp, auth, queue, count_rows, items, names):
    before = count_rows()
    error = post_bulk(testapp, auth, items, status=422).json
    assert [e["name"] for e in error["errors"]] == names
    assert all(e["location"] == "body" for e in error["errors"])
    assert error["error"].startswith(names[0])
    assert count_rows() == before and queue.pending_count() == 0


def test_array_size_and_body_type(testapp, auth, queue, count_rows):
    before = count_rows()
    assert post_bulk(testapp, auth, [], status=422).json["errors"][0]["name"] == "body"
    error = post_bulk(testapp, auth, url_items(1001), status=422).json
    assert "1001" in error["error"]
    assert post_bulk(testapp, auth, {"data": "https://example.com/"}, status=400).json["errors"][0]["name"] == "body"
    testapp.post("/api/qr/codes/bulk", "[]", headers={**auth, "Content-Type": "text/csv"}, status=415)
    testapp.post("/api/qr/codes/bulk", "[{", headers={**auth, "Content-Type": "application/json"}, status=400)
    testapp.post_json("/api/qr/codes/bulk", url_items(1), status=401)
    assert count_rows() == before and queue.pending_count() == 0


def test_1000_items_are_accepted_without_rendering(testapp, auth, queue):
    response = post_bulk(testapp, auth, url_items(1000))
    assert response.json["total"] == 1000
    assert queue.pending_count() == 10
    assert testapp.get("/api/qr/codes", headers=auth).json["pagination"]["total"] == 0


def test_other_workspaces_jobs_are_404(testapp, auth, other_auth, queue):
    bulk_id = post_bulk(testapp, auth, url_items(1)).json["bulkId"]
    drain(queue)
    status_of(testapp, other_auth, bulk_id, status=404)
    error = testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=other_auth, status=404).json
    assert error["errors"][0]["name"] == "bulkId"
    status_of(testapp, auth, "nosuchjob0000000", status=404)
    # the owner's archive is still there, once
    testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth, status=200)


def test_unfetched_result_expires_after_7_days(testapp, auth, queue, app, monkeypatch, dbengine):
    bulk_id = post_bulk(testapp, auth, url_items(1)).json["bulkId"]
    drain(queue)
    later = clock.utcnow() + datetime.timedelta(days=7, minutes=1)
    monkeypatch.setattr(clock, "source", lambda: later)
    assert status_of(testapp, auth, bulk_id)["resultAvailable"] is False
    testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth, status=410)
    assert sweep(app.registry) == {"requeued": [], "expired": 1}
    with dbengine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM bulk_archives").scalar() == 0
    assert status_of(testapp, auth, bulk_id)["status"] == "completed"


def test_lost_enqueue_is_picked_up_by_the_sweeper(testapp, app, auth, queue, monkeypatch, caplog):
    """The queue answered the POST's check but fails at the enqueue after the commit: 202 anyway (the job
    is committed), and the sweeper queues the slice once it has waited `stale_seconds` unclaimed.
    (A queue already down at the POST is a 503 that stores nothing: tests/functional/test_bulk_leases.py.)"""
    def unreachable(*args):
        raise ConnectionError("the queue went away after the commit")

    with monkeypatch.context() as patched:
        patched.setitem(app.registry["tasks"], "bulk.slice", unreachable)
        bulk_id = post_bulk(testapp, auth, url_items(3)).json["bulkId"]
    client = testapp
    assert "could not queue bulk.slice" in caplog.text
    assert status_of(client, auth, bulk_id)["status"] == "queued" and queue.pending_count() == 0

    assert sweep(app.registry)["requeued"] == []           # not stale yet: it may still be on its way
    later = clock.utcnow() + datetime.timedelta(seconds=app.registry.settings["exaroutes.jobs.stale_seconds"] + 1)
    monkeypatch.setattr(clock, "source", lambda: later)
    assert len(sweep(app.registry)["requeued"]) == 1
    assert sweep(app.registry)["requeued"] == []           # touched: not queued twice
    drain(queue)
    status = status_of(client, auth, bulk_id)
    assert (status["status"], status["succeeded"]) == ("completed", 3)


def test_a_slice_run_twice_makes_no_duplicates(testapp, auth, queue, app):
    """A re-queued slice (sweeper, retry) finds its items done and adds nothing."""
    bulk_id = post_bulk(testapp, auth, url_items(3)).json["bulkId"]
    task = queue.dequeue()
    queue.execute(task)
    job_id = task.args[0]
    app.registry["tasks"]["bulk.slice"](job_id, 0, 3)
    drain(queue)
    assert testapp.get("/api/qr/codes", headers=auth).json["pagination"]["total"] == 3
    names = read_archive(testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth).body)[0]
    assert len(names) == 5


def test_embedded_consumer_runs_jobs_in_the_web_process(dbengine, app_settings, auth, tmp_path, queue_backend):
    """development.ini's setup: no separate worker, and the server keeps its own signal handlers."""
    import signal
    import time

    import webtest

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    embedded = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.jobs.embedded_consumer": "true",
                                              **queue_settings(queue_backend, tmp_path)})
    try:
        assert {s: signal.getsignal(s) for s in handlers} == handlers
        client = webtest.TestApp(embedded, extra_environ={"HTTP_HOST": "localhost"})
        bulk_id = post_bulk(client, auth, url_items(2)).json["bulkId"]
        deadline = time.monotonic() + 30
        while (status := status_of(client, auth, bulk_id))["status"] != "completed":
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        assert status["succeeded"] == 2
        check_archive(client.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth).body,
                      [item["data"] for item in url_items(2)], all_codes(client, auth))
    finally:
        stop_embedded_consumer(embedded.registry)     # its lease thread too: see LeaseKeeper.stop
        embedded.registry["huey"].flush()


def test_an_item_the_worker_cannot_make_is_reported_not_retried_forever(testapp, auth, queue, committed, app):
    """An item stored valid but unmakeable later (its data type uninstalled): the job ends, and says why."""
    workspace_id = committed(lambda db: db.scalar(select(ApiKey.workspace_id)))

    def store(items):
        job = committed(lambda db: create_job(db, app.registry.settings, workspace_id, items))
        app.registry["tasks"]["bulk.slice"](job.id, 0, job.total)
        return job.bulk_id

    bad_id = store([{"data": "x", "dataType": "uninstalled"}])
    mixed_id = store([{"data": "https://example.com/ok"}, {"data": "y", "dataType": "gone"}])
    drain(queue)
    bad = status_of(testapp, auth, bad_id)
    assert (bad["status"], bad["processed"], bad["succeeded"], bad["failed"]) == ("failed", 1, 0, 1)
    rows = read_archive(testapp.get(f"/api/qr/codes/bulk/{bad_id}/result", headers=auth).body)[2]
    assert rows[0]["id"] is None and rows[0]["error"].startswith("[0].dataType")
    mixed = status_of(testapp, auth, mixed_id)
    assert (mixed["status"], mixed["succeeded"], mixed["failed"]) == ("completed", 1, 1)
    names, _, rows, _ = read_archive(testapp.get(f"/api/qr/codes/bulk/{mixed_id}/result", headers=auth).body)
    assert names == [rows[0]["file"], "manifest.csv", "manifest.json"]
    assert rows[1]["file"] is None and rows[1]["error"].startswith("[1].dataType")


def test_a_worker_killed_before_finishing_leaves_a_job_the_sweeper_completes(testapp, auth, queue, app, monkeypatch):
    """Every item committed, but the archive was never built: the sweeper queues the last slice again."""
    from exaroutes.bulk.worker import run_chunk

    bulk_id = post_bulk(testapp, auth, url_items(2)).json["bulkId"]
    job_id = queue.dequeue().args[0]          # the task is lost with its worker; only its chunk ran
    run_chunk(app.registry, job_id, 0, 2, 25)
    status = status_of(testapp, auth, bulk_id)
    assert (status["status"], status["processed"], status["resultAvailable"]) == ("processing", 2, False)
    later = clock.utcnow() + datetime.timedelta(seconds=app.registry.settings["exaroutes.jobs.stale_seconds"] + 1)
    monkeypatch.setattr(clock, "source", lambda: later)
    assert sweep(app.registry)["requeued"] == [job_id]
    drain(queue)
    status = status_of(testapp, auth, bulk_id)
    assert (status["status"], status["succeeded"], status["resultAvailable"]) == ("completed", 2, True)
    assert testapp.get("/api/qr/codes", headers=auth).json["pagination"]["total"] == 2


def test_tasks_are_queued_only_when_the_transaction_commits(app, queue):
    from types import SimpleNamespace

    import transaction

    from exaroutes.jobs import enqueue_after_commit

    for outcome, queued in (("abort", 0), ("commit", 1)):
        tm = transaction.TransactionManager(explicit=True)
        tm.begin()
        enqueue_after_commit(SimpleNamespace(registry=app.registry, tm=tm), "bulk.slice", 1, 0, 1)
        assert queue.pending_count() == 0
        getattr(tm, outcome)()
        assert queue.pending_count() == queued


class BrokenRenderer:
    """A renderer with a bug: it raises something that is not an ApiError."""

    name = "broken"
    media_type = "image/png"
    supported_style = frozenset()

    def render(self, matrix, style):
        raise RuntimeError("renderer bug")


def test_a_renderer_bug_fails_the_item_instead_of_looping(testapp, auth, queue, committed, app, monkeypatch):
    monkeypatch.setitem(app.registry["renderers"], "broken", BrokenRenderer())
    workspace_id = committed(lambda db: db.scalar(select(ApiKey.workspace_id)))
    items = [{"data": "https://example.com/", "returnType": "broken"}, {"data": "https://example.com/ok"}]
    job = committed(lambda db: create_job(db, app.registry.settings, workspace_id, items))
    app.registry["tasks"]["bulk.slice"](job.id, 0, 2)
    drain(queue)
    status = status_of(testapp, auth, job.bulk_id)
    assert (status["status"], status["succeeded"], status["failed"]) == ("completed", 1, 1)
    rows = read_archive(testapp.get(f"/api/qr/codes/bulk/{job.bulk_id}/result", headers=auth).body)[2]
    assert rows[0]["error"] == "[0]: internal error while making this code" and rows[1]["error"] is None
