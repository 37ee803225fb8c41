"""A scan that got its response is never lost: a real `pserve`, real HTTP, then SIGKILL.

The server runs on this session's database (SQLite file or PostgreSQL). Scans go through the
group-commit writer, so this proves that a redirect leaves only after its scan's commit.
"""
import http.client
import json
import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from exaroutes.models import Scan, ScanRollup
from exaroutes.codes.fold import catch_up
from tests.helpers.agents import IPHONE
from tests.helpers.services import free_port, start_pserve


INI = """[app:main]
use = egg:exaroutes
sqlalchemy.url = {url}
exaroutes.redirect_base = http://127.0.0.1:{port}
exaroutes.secret = durability-test
exaroutes.jobs.url = sqlite:///{jobs}

[server:main]
use = egg:exaroutes#waitress
host = 127.0.0.1
port = {port}
threads = 8
"""


@pytest.fixture
def server(tmp_path, database_url, dbengine):
    """A real pserve process on the test database; yields (process, port)."""
    port = free_port()
    ini = tmp_path / "server.ini"
    ini.write_text(INI.format(url=database_url.replace("%", "%%"), port=port, jobs=tmp_path / "jobs.sqlite"))
    process = start_pserve(ini, tmp_path / "server.log", port=port, timeout=30)
    yield process, port
    if process.poll() is None:
        process.kill()
    process.wait()


def scan_until(port, short_id, stop, acknowledged, lock):
    """Scan over one keep-alive connection until `stop`; count every 302 received."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        while not stop():
            connection.request("GET", f"/r/{short_id}", headers={"User-Agent": IPHONE})
            response = connection.getresponse()
            response.read()
            if response.status == 302:
                with lock:
                    acknowledged[0] += 1
    except (OSError, http.client.HTTPException):
        pass   # the server was killed under us: this request was not acknowledged
    finally:
        connection.close()


def create_code(port, api_key):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/qr/codes", body=b'{"data": "https://example.com/durable"}',
                       headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
    try:
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 201, body
    return json.loads(body)["id"]


def counts(committed):
    """Raw scans and rolled-up scans, once everything the killed server left pending is folded."""
    committed(catch_up)
    return committed(lambda db: (db.scalar(select(func.count()).select_from(Scan)),
                                 db.scalar(select(func.coalesce(func.sum(ScanRollup.scans), 0))
                                           .where(ScanRollup.dimension == "scans"))))


def run_scanners(port, short_id, stop, threads=8):
    acknowledged, lock = [0], threading.Lock()
    workers = [threading.Thread(target=scan_until, args=(port, short_id, stop, acknowledged, lock))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    return workers, acknowledged


def test_n_acknowledged_scans_survive_sigkill(server, api_key, committed):
    process, port = server
    short_id = create_code(port, api_key)
    n = 400
    budget = threading.Semaphore(n)
    workers, acknowledged = run_scanners(port, short_id, stop=lambda: not budget.acquire(blocking=False))
    for worker in workers:
        worker.join(60)
    assert acknowledged[0] == n
    process.send_signal(signal.SIGKILL)        # no shutdown hook, no flush: only what was committed
    process.wait()
    assert counts(committed) == (n, n)


def test_a_kill_in_the_middle_of_a_burst_loses_no_acknowledged_scan(server, api_key, committed):
    process, port = server
    short_id = create_code(port, api_key)
    stopped = threading.Event()
    workers, acknowledged = run_scanners(port, short_id, stop=stopped.is_set)
    deadline = time.monotonic() + 30           # a loaded machine may take a while to answer the first ones
    while acknowledged[0] < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)        # requests are in flight right now
    process.wait()
    stopped.set()
    for worker in workers:
        worker.join(10)
    rows, rolled_up = counts(committed)
    assert acknowledged[0] > 0
    # every acknowledged scan is there; at most one unacknowledged (committed, then killed) per connection
    assert acknowledged[0] <= rows <= acknowledged[0] + len(workers)
    assert rolled_up == rows
