"""Requests and checks the API and redirect tests share: the one error shape, concurrent clients, a code
to scan, a counted scan, and the app behind a real waitress server (the `real_server` fixture)."""
import threading

import pytest
import webtest
from webtest.http import StopableWSGIServer

from tests.helpers.services import free_port


def assert_error_shape(response):
    assert response.content_type == "application/json"
    body = response.json
    assert set(body) == {"error", "errors"} and isinstance(body["error"], str) and body["error"]
    for entry in body["errors"]:
        assert set(entry) == {"location", "name", "description"}
    return body


def concurrent_posts(app, path, body, headers, clients=4):
    """`clients` threads POST the same JSON at the same moment (a barrier releases them); their responses."""
    webtest.TestApp(app).get("/api/qr/codes", headers=headers)  # the key's "last used" is written now, not in the race
    barrier = threading.Barrier(clients)
    results = []

    def client():
        client_app = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        barrier.wait()
        results.append(client_app.post_json(path, body, headers=headers, expect_errors=True))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def new_code(testapp, auth):
    return testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json["id"]


def scan(testapp, short_id, address, user_agent, referer=None):
    headers = {"User-Agent": user_agent}
    if referer:
        headers["Referer"] = referer
    testapp.get(f"/r/{short_id}", headers=headers, extra_environ={"REMOTE_ADDR": address}, status=302)


@pytest.fixture
def real_server(app):
    """The port of the app served by waitress (as pserve runs it) on a thread of the test process."""
    # webtest's waitress subclass closes its sockets without racing the loop thread's select()
    port = free_port()
    instance = StopableWSGIServer.create(app, host="127.0.0.1", port=port, threads=2)
    yield port
    instance.shutdown()
