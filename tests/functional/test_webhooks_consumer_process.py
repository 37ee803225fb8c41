"""`exaroutes.jobs.consumer_process = true` on development.ini's settings: the server starts its consumer
as one child process. A scan subscribed to with one call arrives, verified, within seconds; the child is
started again when it dies, stops with the server, and stops by itself when the server is killed.
Real `pserve` processes; every wait is for a condition, with a deadline."""
import http.client
import json
import os
import signal
import time

import pytest

from tests.helpers.agents import BROWSER
from tests.helpers.processes import start_web
from tests.helpers.webhook_receiver import Receiver, verified


def development_settings(database_url, tmp_path):
    """What development.ini says about jobs and webhooks, on the test's database, with the consumer
    as a child process."""
    return {"sqlalchemy.url": database_url, "exaroutes.redirect_base": "http://127.0.0.1",
            "exaroutes.secret": "consumer-process-test", "exaroutes.jobs.url": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "exaroutes.jobs.embedded_consumer": "true", "exaroutes.jobs.consumer_process": "true",
            "exaroutes.webhooks.allow_http": "true", "exaroutes.webhooks.allow_private": "true",
            "exaroutes.shutdown.drain_seconds": "0.2"}


def call(port, auth, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None,
                           {**auth, "Content-Type": "application/json", **BROWSER})
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw and response.status < 300 else raw
    finally:
        connection.close()


def children(pid):
    """PIDs of the live (not zombie) processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def eventually(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.05)
    return result


@pytest.fixture
def server(tmp_path, database_url):
    web, port = start_web(tmp_path, "web", development_settings(database_url, tmp_path))
    receiver = Receiver()
    started = []
    try:
        (consumer,) = eventually(lambda: children(web.pid), "the server starts its consumer process")
        started.append(consumer)
        yield web, port, receiver, started
    finally:
        leftovers = [pid for pid in started + children(web.pid) if alive(pid)]
        web.stop()
        for pid in leftovers:           # children of our own server, if a failed test left any
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        receiver.close()


def test_one_call_subscribes_and_a_scan_arrives_verified_from_the_consumer_process(server, auth):
    web, port, receiver, (consumer,) = server
    status, endpoint = call(port, auth, "POST", "/api/webhooks", {"url": receiver.url, "events": ["scan.created"]})
    assert status == 201
    status, code = call(port, auth, "POST", "/api/qr/codes", {"data": "https://example.com/spring"})
    assert status == 201
    assert call(port, auth, "GET", f"/r/{code['id']}")[0] == 302
    (received,) = receiver.wait_for(1, timeout=60)
    envelope = verified(endpoint["secret"], received)
    assert envelope["type"] == "scan.created" and envelope["data"]["id"] == code["id"]
    path = f"/api/webhooks/{endpoint['id']}/deliveries"
    log = eventually(lambda: [d for d in call(port, auth, "GET", path)[1]["data"] if d["status"] == "succeeded"],
                     "the delivery log shows the delivery")
    assert log[0]["eventId"] == envelope["id"] and log[0]["attempts"] == 1
    with open(f"/proc/{consumer}/cmdline", "rb") as f:
        assert b"exaroutes.cli.worker" in f.read()


def test_a_dead_consumer_is_started_again_and_stops_with_the_server(server, auth):
    web, port, receiver, started = server
    os.kill(started[0], signal.SIGKILL)
    (second,) = eventually(lambda: [pid for pid in children(web.pid) if pid != started[0]],
                           "a new consumer process after the first was killed")
    started.append(second)
    status, endpoint = call(port, auth, "POST", "/api/webhooks", {"url": receiver.url})
    assert call(port, auth, "POST", f"/api/webhooks/{endpoint['id']}/test")[0] == 202
    assert verified(endpoint["secret"], receiver.wait_for(1)[0])["type"] == "webhook.test"
    web.signal(signal.SIGTERM)
    assert web.wait(60) == 0
    assert not alive(second)                    # stopped (and waited for) before the server exited


def test_a_killed_server_leaves_no_consumer_behind(server):
    web, port, receiver, (consumer,) = server
    web.signal(signal.SIGKILL)
    web.wait(30)
    eventually(lambda: not alive(consumer), "the orphaned consumer stops by itself")
