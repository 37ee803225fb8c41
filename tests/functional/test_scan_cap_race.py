"""The scan cap is race-free: 20 concurrent scans of a `maxScans: 5` code through a real
HTTP server (waitress, several threads, one database connection each) → exactly 5 redirects and 15 × 410."""
import http.client
import threading

import pytest
from sqlalchemy import func, select
from webtest.http import StopableWSGIServer

from exaroutes.models import QrCode, Scan
from exaroutes.codes.fold import catch_up
from tests.helpers.services import free_port


@pytest.fixture
def server(app):
    # the socket is listening once create() returns: early connections wait in its backlog
    server = StopableWSGIServer.create(app, host="127.0.0.1", port=free_port(), threads=10)
    yield server
    server.shutdown()


def scan(port, short_id, barrier, statuses):
    barrier.wait()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", f"/r/{short_id}")
        statuses.append(connection.getresponse().status)
    finally:
        connection.close()


def test_twenty_concurrent_scans_of_a_five_scan_code(server, testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/limited", "maxScans": 5},
                             headers=auth, status=201).json
    barrier, statuses = threading.Barrier(20), []
    threads = [threading.Thread(target=scan, args=(server.adj.port, code["id"], barrier, statuses))
               for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] * 5 + [410] * 15
    committed(catch_up)
    assert committed(lambda db: db.scalar(select(func.count()).select_from(Scan))) == 5
    assert committed(lambda db: db.scalar(select(QrCode.scan_count).where(QrCode.short_id == code["id"]))) == 5
