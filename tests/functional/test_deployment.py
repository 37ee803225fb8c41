"""The production setup, for real: 2 web processes behind haproxy and 2 workers on PostgreSQL and Redis.

Checked across processes: a code change reaches the other web process at once (publish/subscribe),
rate limits are shared, an Idempotency-Key replays on the other process, a bulk job completes with
exactly its codes after one worker is killed, and a rolling restart (SIGTERM to each web process in
turn, under load through haproxy) fails no request and loses no scan. Configuration comes from the
environment (port, rate limit), as deploy/ sets it. Bounded: about a minute on a loaded machine.
"""
import http.client
import json
import signal
import threading
import time
import uuid

import pytest
from sqlalchemy import text

from tests.helpers.bulk import check_archive, url_items
from tests.helpers.processes import (BIN, FROM_ENVIRONMENT, Process, start_haproxy, start_worker, wait_until_ready,
                                     write_ini)
from tests.helpers.agents import BROWSER
from tests.helpers.own_database import own_postgres
from tests.helpers.services import free_port, redis_url
from tests.helpers.scans import recorded_scans

API_LIMIT = 40


class Client:
    """JSON over HTTP to one port (a web process or haproxy)."""

    def __init__(self, port, key=None):
        self.port, self.key = port, key

    def call(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            all_headers = {**({"Authorization": f"Bearer {self.key}"} if self.key else {}), **(headers or {})}
            if body is not None:
                all_headers["Content-Type"] = "application/json"
            connection.request(method, path, json.dumps(body) if body is not None else None, all_headers)
            response = connection.getresponse()
            raw = response.read()
            return response.status, response.headers, raw
        finally:
            connection.close()


@pytest.fixture
def deployment(tmp_path):
    """Database, keys, 2 web processes (config from the environment), 2 workers, haproxy."""
    with own_postgres("acme", "limited") as (url, engine, keys):
        yield from run_deployment(tmp_path, url, engine, keys)


def run_deployment(tmp_path, url, engine, keys):
    name = f"exaroutes-deploy-{uuid.uuid4().hex[:8]}"
    settings = {"sqlalchemy.url": url, "exaroutes.redirect_base": "https://qr.example.test",
                "exaroutes.secret": "deployment-test", "exaroutes.jobs.name": name,
                "exaroutes.changes.channel": f"{name}:codes-changed",
                "exaroutes.scan.code_cache_seconds": "30",        # only the feed can make changes quick
                "exaroutes.jobs.bulk_slice_size": "40", "exaroutes.jobs.bulk_chunk_size": "5",
                "exaroutes.jobs.lease_seconds": "2", "exaroutes.jobs.lease_check_seconds": "0.5",
                "exaroutes.jobs.workers": "1", "exaroutes.shutdown.drain_seconds": "1",
                "exaroutes.shutdown.timeout_seconds": "15"}
    env = {"EXAROUTES_REDIS_URL": redis_url(), "EXAROUTES_RATE_LIMIT_API": f"{API_LIMIT}/hour",
           "EXAROUTES_RATE_LIMIT_SCAN": "off", "EXAROUTES_DB_POOL_SIZE": "4", "EXAROUTES_DB_MAX_OVERFLOW": "2"}
    ini = write_ini(tmp_path / "production.ini", settings, port=FROM_ENVIRONMENT)
    processes = []
    try:
        webs = []
        for index in range(2):
            port = free_port()
            web = Process(f"web{index}", [str(BIN / "pserve"), ini], tmp_path / f"web{index}.log",
                          {**env, "EXAROUTES_PORT": str(port)})
            processes.append(web)
            webs.append((web, port))
        for web, port in webs:
            wait_until_ready(web, port)
        workers = [start_worker(tmp_path, f"worker{i}", settings, env) for i in range(2)]
        processes += workers
        haproxy, lb_port = start_haproxy(tmp_path, [port for _, port in webs])
        processes.append(haproxy)
        yield {"engine": engine, "keys": keys, "webs": webs, "workers": workers, "lb": lb_port, "ini": ini,
               "env": env, "tmp": tmp_path, "processes": processes}
    finally:
        for process in processes:
            process.stop()


def wait_for(condition, timeout, interval=0.005):
    started = time.monotonic()
    while (value := condition()) is None:
        assert time.monotonic() - started < timeout, f"not reached within {timeout} s"
        time.sleep(interval)
    return value, time.monotonic() - started


def test_two_web_processes_and_two_workers(deployment):
    (web_a, port_a), (web_b, port_b) = deployment["webs"]
    a, b = Client(port_a, deployment["keys"][0]), Client(port_b, deployment["keys"][0])
    engine = deployment["engine"]

    # 1. a change on A reaches B at once (B's cache would keep the old row 30 s)
    status, _, raw = a.call("POST", "/api/qr/codes", {"data": "https://example.com/old", "returnType": "svg"})
    assert status == 201, raw
    short_id = json.loads(raw)["id"]
    assert b.call("GET", f"/r/{short_id}", headers=BROWSER)[1]["Location"] == "https://example.com/old"
    assert a.call("PUT", f"/api/qr/codes/{short_id}", {"destination": "https://example.com/new"})[0] == 200
    _, moved = wait_for(lambda: b.call("GET", f"/r/{short_id}", headers=BROWSER)[1]["Location"]
                        == "https://example.com/new" or None, 1.0)
    assert b.call("PUT", f"/api/qr/codes/{short_id}", {"status": "inactive"})[0] == 200
    _, gone = wait_for(lambda: a.call("GET", f"/r/{short_id}", headers=BROWSER)[0] == 410 or None, 1.0)
    assert a.call("PUT", f"/api/qr/codes/{short_id}", {"status": "active"})[0] == 200

    # 2. one rate limit across both processes (EXAROUTES_RATE_LIMIT_API=40/hour, a key of its own)
    la, lb = Client(port_a, deployment["keys"][1]), Client(port_b, deployment["keys"][1])
    answers = [(la if i % 2 else lb).call("GET", "/api/qr/codes?limit=1")[0] for i in range(API_LIMIT + 5)]
    assert answers == [200] * API_LIMIT + [429] * 5

    # 3. idempotency: the same key and body on the other process replays the first answer
    body, key = {"data": "https://example.com/once", "returnType": "svg"}, {"Idempotency-Key": uuid.uuid4().hex}
    first = a.call("POST", "/api/qr/codes", body, key)
    again = b.call("POST", "/api/qr/codes", body, key)
    assert (first[0], again[0]) == (201, 201) and again[1]["Idempotent-Replayed"] == "true"
    assert json.loads(first[2]) == json.loads(again[2])

    # 4. a bulk job with one worker killed mid-slice: completed, exactly its codes
    items = url_items(120, size=80)

    def first_holder():
        """Whichever worker holds a slice first is killed: either may have taken the job's first slice."""
        with engine.connect() as connection:
            owners = connection.execute(text("SELECT owner FROM bulk_slices WHERE owner IS NOT NULL AND "
                                             "finished_at IS NULL")).scalars().all()
        return next((worker for worker in deployment["workers"] for owner in owners
                     if f":{worker.pid}:" in owner), None)

    # Inserts into qr_codes wait while this lock is held: a claimed slice cannot finish before the kill,
    # however quick the worker (reads go on).
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE qr_codes IN SHARE MODE"))
        status, _, raw = a.call("POST", "/api/qr/codes/bulk", items)
        assert status == 202, raw
        bulk_id = json.loads(raw)["bulkId"]
        victim, _ = wait_for(first_holder, 60, interval=0.02)
        victim.signal(signal.SIGKILL)
        killed = time.monotonic()
        holder.rollback()
    def finished():     # from the database: the API key's budget is 40 requests an hour
        with engine.connect() as connection:
            return connection.execute(text("SELECT status FROM bulk_jobs WHERE bulk_id = :b AND status IN "
                                           "('completed', 'failed')"), {"b": bulk_id}).scalar()

    wait_for(finished, 90, interval=0.1)
    recovery = time.monotonic() - killed
    state = json.loads(b.call("GET", f"/api/qr/codes/bulk/{bulk_id}")[2])
    assert (state["status"], state["succeeded"], state["processed"]) == ("completed", 120, 120)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(DISTINCT code_id) FROM bulk_items")).scalar() == 120
    status, _, archive = b.call("GET", f"/api/qr/codes/bulk/{bulk_id}/result")
    assert status == 200
    codes = {}
    cursor = "0"
    while cursor is not None:
        page = json.loads(a.call("GET", f"/api/qr/codes?limit=100&cursor={cursor}")[2])
        codes.update((code["id"], code) for code in page["data"])
        cursor = page["pagination"]["nextCursor"]
    check_archive(archive, [item["data"] for item in items], codes)

    # 5. rolling restart under load through haproxy: SIGTERM A (exit 0), start it again, then B
    outcomes = {"302": 0, "failed": []}
    lock, stop = threading.Lock(), threading.Event()

    def load():
        connection = http.client.HTTPConnection("127.0.0.1", deployment["lb"], timeout=30)
        while not stop.is_set():
            try:
                connection.request("GET", f"/r/{short_id}", headers=BROWSER)
                response = connection.getresponse()
                response.read()
                with lock:
                    if response.status == 302:
                        outcomes["302"] += 1
                    else:
                        outcomes["failed"].append(response.status)
            except Exception as exc:  # noqa: BLE001 - every failure counts
                with lock:
                    outcomes["failed"].append(repr(exc))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", deployment["lb"], timeout=30)
        connection.close()

    def recorded():
        """Answered scans stored so far: folded by a worker, or still pending."""
        with engine.connect() as connection:
            return recorded_scans(connection)

    scans_before = recorded()
    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    exits = []
    try:
        time.sleep(0.5)
        for index, (web, port) in enumerate(list(deployment["webs"])):
            web.signal(signal.SIGTERM)
            exits.append(web.wait(30))
            again = Process(f"web{index}-again", [str(BIN / "pserve"), deployment["ini"]],
                            deployment["tmp"] / f"web{index}-again.log",
                            {**deployment["env"], "EXAROUTES_PORT": str(port)})
            deployment["processes"].append(again)
            wait_until_ready(again, port)
            time.sleep(0.5)      # haproxy sees it up (rise 2 x 100 ms) before the next one goes
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    scans = recorded() - scans_before
    assert exits == [0, 0]
    assert outcomes["failed"] == [], outcomes["failed"][:10]
    assert outcomes["302"] > 0 and scans == outcomes["302"]       # every answered scan stored, none twice
    print(f"invalidation {moved * 1000:.0f} ms (destination), {gone * 1000:.0f} ms (deactivation); "
          f"bulk recovery after kill -9: {recovery:.1f} s to completion; rolling restart: "
          f"{outcomes['302']} scans, 0 failed")
