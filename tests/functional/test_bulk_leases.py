"""Bulk slices are leased (exaroutes.bulk.leases): a killed worker's slice is taken over within seconds,
a stopping worker hands its slice back, a worker without its queue exits 3, and a bulk POST that
cannot be queued is 503 with nothing stored. Codes are never lost or made twice.
"""
import datetime
import signal
import socket
import time
import uuid

import pytest
import webtest
from sqlalchemy import select, text

from exaroutes import clock, main
from exaroutes.bulk import leases
from exaroutes.models import BulkSlice
from tests.helpers.bulk import all_codes, check_archive, drain, url_items
from tests.helpers.processes import start_worker, wait_for
from tests.helpers.services import redis_url


def dead_redis_url():
    """A port that was just free: nothing answers there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


def test_one_lease_per_slice_and_an_expired_one_is_taken_over_once(testapp, auth, queue, app, monkeypatch):
    bulk_id = testapp.post_json("/api/qr/codes/bulk", url_items(3), headers=auth, status=202).json["bulkId"]
    task = queue.dequeue()
    job_id, engine = task.args[0], app.registry["dbengine"]
    queued = []

    def enqueue(*args):
        queued.append(args)

    first = leases.claim(engine, job_id, 0, lease_seconds=10)
    assert first is not None and first.stop == 3
    assert leases.claim(engine, job_id, 0, lease_seconds=10) is None          # a live worker holds it
    assert leases.requeue_free_slices(engine, enqueue, stale_seconds=60) == [] and queued == []

    later = clock.utcnow() + datetime.timedelta(seconds=11)                    # first's worker died
    monkeypatch.setattr(clock, "source", lambda: later)
    assert leases.requeue_free_slices(engine, enqueue, stale_seconds=60) == [(job_id, 0, 3)]
    assert leases.requeue_free_slices(engine, enqueue, stale_seconds=60) == []  # once, not by every worker
    assert queued == [(job_id, 0, 3)]
    second = leases.claim(engine, job_id, 0, lease_seconds=10)
    assert second is not None
    leases.renew(engine, [first], lease_seconds=10)
    assert first.lost                                                          # its worker would stop

    queue.execute(task)              # the original task, late: the slice is held, nothing is made
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert status["processed"] == 0
    leases.release(engine, second)   # the holder stops and hands it back
    queue.execute(task)
    drain(queue)
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (status["status"], status["succeeded"]) == ("completed", 3)
    with engine.connect() as connection:
        row = connection.execute(select(BulkSlice.owner, BulkSlice.finished_at)).one()
    assert row.owner is None and row.finished_at is not None


def test_a_bulk_post_that_cannot_be_queued_is_503_and_stores_nothing(dbengine, app_settings, auth, count_rows):
    down = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.jobs.url": dead_redis_url()})
    client = webtest.TestApp(down, extra_environ={"HTTP_HOST": "localhost"})
    before = count_rows()
    response = client.post_json("/api/qr/codes/bulk", url_items(3), headers={**auth, "Idempotency-Key": "k1"},
                                status=503)
    assert response.headers["Retry-After"] == "5"
    assert response.json["errors"] == [] and "queue is unavailable" in response.json["error"]
    assert count_rows() == before                 # no job, no slice, no idempotency key


@pytest.fixture
def redis_jobs(app_settings, dbengine):
    """Settings for web app and workers sharing a RedisHuey queue of their own; the queue is emptied after."""
    settings = {**app_settings, "exaroutes.jobs.url": redis_url(),
                "exaroutes.jobs.name": f"exaroutes-test-{uuid.uuid4().hex[:8]}",
                "exaroutes.jobs.workers": "1", "exaroutes.jobs.bulk_chunk_size": "5",
                "exaroutes.jobs.bulk_slice_size": "50", "exaroutes.jobs.lease_seconds": "2",
                "exaroutes.jobs.lease_check_seconds": "0.5"}
    web = main({}, dbengine=dbengine, **settings)
    yield settings, webtest.TestApp(web, extra_environ={"HTTP_HOST": "localhost"})
    web.registry["huey"].flush()


def held_by(dbengine, pid):
    """(job, start) of a slice a worker process holds, or None."""
    with dbengine.connect() as connection:
        return connection.execute(text("SELECT job_id, start FROM bulk_slices WHERE owner LIKE :o "
                                       "AND finished_at IS NULL"), {"o": f"%:{pid}:%"}).first()


def owner_of(dbengine, job_id, start):
    with dbengine.connect() as connection:
        return connection.execute(text("SELECT owner, finished_at FROM bulk_slices WHERE job_id = :j AND start = :s"),
                                  {"j": job_id, "s": start}).one()


def finish_and_check(client, auth, bulk_id, items, dbengine, timeout):
    final = wait_for(lambda: (s := client.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json)["status"]
                     == "completed" and s or None, timeout, interval=0.2)
    assert (final["processed"], final["succeeded"], final["failed"]) == (len(items), len(items), 0)
    with dbengine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM qr_codes")).scalar() == len(items)
        assert connection.execute(text("SELECT COUNT(DISTINCT code_id) FROM bulk_items")).scalar() == len(items)
    result = client.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth)
    check_archive(result.body, [item["data"] for item in items], all_codes(client, auth))


def test_a_killed_workers_slice_is_taken_over_within_seconds(redis_jobs, auth, dbengine, tmp_path):
    settings, client = redis_jobs
    items = url_items(150, size=80)
    workers = [start_worker(tmp_path, f"worker-{i}", settings) for i in range(2)]
    try:
        bulk_id = client.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]

        def first_holder():
            """Whichever worker holds a slice first is killed: the other may have started sooner."""
            for worker in workers:
                if (held := held_by(dbengine, worker.pid)) is not None:
                    return worker, held
            return None

        victim, (job_id, start) = wait_for(first_holder, 60)
        survivor = workers[1] if victim is workers[0] else workers[0]
        victim.signal(signal.SIGKILL)
        killed_at = time.monotonic()
        victim.wait(10)
        token = owner_of(dbengine, job_id, start).owner
        wait_for(lambda: (row := owner_of(dbengine, job_id, start)).owner not in (None, token)
                 or row.finished_at is not None or None, 20)
        takeover = time.monotonic() - killed_at
        # lease (2 s) + lease check (0.5 s) + the survivor finishing the slice it was on (loaded machine)
        assert takeover < 15, takeover
        finish_and_check(client, auth, bulk_id, items, dbengine, timeout=90)
        print(f"takeover after kill -9: {takeover:.1f} s")
        assert "is gone); queued again" in survivor.log()
    finally:
        for worker in workers:
            worker.stop()


def test_sigterm_makes_a_worker_hand_its_slice_back_and_exit_0(redis_jobs, auth, dbengine, backend, tmp_path):
    """The worker is held inside its first chunk (the test locks `qr_codes` against inserts) until SIGTERM
    has been seen, so the hand-back between chunks is certain, not a race with a quick machine."""
    if backend == "sqlite":
        pytest.skip("SQLite locks the whole file: a lock that holds the worker's chunk would hold its claim too")
    settings, client = redis_jobs
    settings = {**settings, "exaroutes.jobs.lease_seconds": "60"}     # only a hand-back can be this quick
    items = url_items(100, size=80)
    first = start_worker(tmp_path, "worker-a", settings)
    second = None
    try:
        with dbengine.connect() as holder:
            holder.execute(text("LOCK TABLE qr_codes IN SHARE MODE"))      # reads go on, inserts wait
            bulk_id = client.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]
            wait_for(lambda: held_by(dbengine, first.pid), 60)
            first.signal(signal.SIGTERM)
            wait_for(lambda: "Shutting down gracefully" in first.log() or None, 30)   # the stop flag is set
            holder.rollback()                                              # the chunk commits, then hands back
        second = start_worker(tmp_path, "worker-b", settings)
        assert first.wait(30) == 0, first.log()[-2000:]
        assert "handed back" in first.log()
        finish_and_check(client, auth, bulk_id, items, dbengine, timeout=50)    # well before 60 s
    finally:
        for worker in (first, second):
            if worker is not None:
                worker.stop()


def test_a_worker_that_cannot_reach_its_queue_exits_3(app_settings, dbengine, tmp_path):
    settings = {**app_settings, "exaroutes.jobs.url": dead_redis_url(), "exaroutes.jobs.queue_unreachable_seconds": "2"}
    worker = start_worker(tmp_path, "worker", settings)
    try:
        started = time.monotonic()
        assert worker.wait(30) == 3, worker.log()[-2000:]
        assert time.monotonic() - started < 20
        assert "has not answered for" in worker.log()
    finally:
        worker.stop()
