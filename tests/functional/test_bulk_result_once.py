"""Issue 7: of 20 concurrent fetches of one bulk result exactly one gets the zip, 19 get 410.

A real waitress server (its own threads, pyramid_tm committing) and 20 client threads released
together by a barrier, on SQLite and on PostgreSQL.
"""
import json
import threading
import urllib.error
import urllib.request

import pytest
from webtest.http import StopableWSGIServer

from tests.helpers.bulk import all_codes, check_archive, drain, url_items
from tests.helpers.services import free_port

FETCHES = 20


@pytest.fixture
def server(app):
    # StopableWSGIServer stops its serving thread cleanly; closing a bare waitress server under its
    # running loop can raise in that thread (EBADF) and fail the test at teardown.
    server = StopableWSGIServer.create(app, host="127.0.0.1", port=free_port(), threads=FETCHES)
    yield server.application_url.rstrip("/")
    server.shutdown()


def fetch(url, auth):
    request = urllib.request.Request(url, headers=auth)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_exactly_one_of_20_concurrent_fetches_gets_the_archive(testapp, auth, queue, server):
    items = url_items(3)
    bulk_id = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]
    drain(queue)
    url = f"{server}/api/qr/codes/bulk/{bulk_id}/result"
    barrier = threading.Barrier(FETCHES)
    results = [None] * FETCHES

    def client(i):
        barrier.wait()
        results[i] = fetch(url, auth)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(FETCHES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [410] * (FETCHES - 1)
    for status, body in results:
        if status == 410:
            assert "already fetched" in json.loads(body)["error"]
    winner = next(body for status, body in results if status == 200)
    check_archive(winner, [item["data"] for item in items], all_codes(testapp, auth))
    assert fetch(url, auth)[0] == 410


def test_head_looks_at_the_result_without_spending_the_one_fetch(testapp, auth, queue):
    """Cornice answers HEAD with the GET view; a client checking readiness must not lose the zip."""
    bulk_id = testapp.post_json("/api/qr/codes/bulk", url_items(2), headers=auth, status=202).json["bulkId"]
    url = f"/api/qr/codes/bulk/{bulk_id}/result"
    testapp.head(url, headers=auth, status=409)
    drain(queue)
    head = testapp.head(url, headers=auth, status=200)
    assert head.content_type == "application/zip" and head.body == b""
    assert testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json["resultAvailable"] is True
    archive = testapp.get(url, headers=auth, status=200)
    assert int(head.headers["Content-Length"]) == len(archive.body) > 0
    check_archive(archive.body, [item["data"] for item in url_items(2)], all_codes(testapp, auth))
    testapp.head(url, headers=auth, status=410)
    testapp.get(url, headers=auth, status=410)
