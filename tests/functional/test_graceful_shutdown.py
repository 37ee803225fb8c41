"""SIGTERM to a real `pserve` under load: every request in flight gets its answer, the process exits 0.

Clients keep their connections alive and scan in a loop; one more client is in the middle of
sending a request body when the signal arrives. After SIGTERM the server drains (still serving,
`/readyz` 503, each response `Connection: close`), then stops accepting and finishes what it has.
A client that is told `Connection: close` leaves, as a well-behaved HTTP client does; a request
that gets no answer, a reset or anything but the expected status counts as failed. Every 302 must
have its scan row: the scan writer was flushed before the exit.
"""
import http.client
import json
import signal
import threading
import time


from tests.helpers.agents import BROWSER
from tests.helpers.processes import start_web
from tests.helpers.scans import recorded_scans

CLIENTS = 6


def test_sigterm_under_load_fails_no_request_and_exits_0(tmp_path, database_url, dbengine, auth):
    settings = {"sqlalchemy.url": database_url, "exaroutes.redirect_base": "http://127.0.0.1",
                "exaroutes.secret": "shutdown-test", "exaroutes.jobs.url": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
                "exaroutes.rate_limit.scan": "off", "exaroutes.rate_limit.api": "off",
                "exaroutes.shutdown.drain_seconds": "0.5", "exaroutes.shutdown.timeout_seconds": "15"}
    web, port = start_web(tmp_path, "web", settings)
    try:
        def create(data):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", "/api/qr/codes", json.dumps({"data": data, "returnType": "svg"}),
                               {**auth, "Content-Type": "application/json"})
            response = connection.getresponse()
            status, raw = response.status, response.read()
            connection.close()
            assert status == 201, raw
            return json.loads(raw)["id"]

        short_id = create("https://example.com/before")
        outcomes = {"302": 0, "failed": [], "closed": 0}
        lock = threading.Lock()

        def scanner():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            try:
                scan_until_told_to_go(connection)
            finally:
                connection.close()

        def scan_until_told_to_go(connection):
            while True:
                try:
                    connection.request("GET", f"/r/{short_id}", headers=BROWSER)
                    response = connection.getresponse()
                    response.read()
                except Exception as exc:  # noqa: BLE001 - every kind of failure is counted
                    with lock:
                        outcomes["failed"].append(repr(exc))
                    return
                with lock:
                    if response.status == 302:
                        outcomes["302"] += 1
                    else:
                        outcomes["failed"].append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    with lock:
                        outcomes["closed"] += 1
                    return

        # A request whose body is still arriving when SIGTERM comes: the server must wait for it.
        slow = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps({"data": "https://example.com/slow", "returnType": "svg"}).encode()
        slow.putrequest("POST", "/api/qr/codes")
        for name, value in {**auth, "Content-Type": "application/json", "Content-Length": str(len(body))}.items():
            slow.putheader(name, value)
        slow.endheaders()
        slow.send(body[:10])

        threads = [threading.Thread(target=scanner) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)                       # under load
        started = time.monotonic()
        web.signal(signal.SIGTERM)
        time.sleep(0.8)                       # past the drain: the listener is closed now
        slow.send(body[10:])
        slow_response = slow.getresponse()
        slow_status, slow_body = slow_response.status, slow_response.read()
        slow.close()
        for thread in threads:
            thread.join(30)
        exit_code = web.wait(30)
        took = time.monotonic() - started

        assert exit_code == 0, web.log()[-3000:]
        assert outcomes["failed"] == [], outcomes
        assert outcomes["closed"] == CLIENTS and outcomes["302"] > CLIENTS
        assert slow_status == 201, slow_body
        assert took < 15, took
        with dbengine.connect() as connection:
            stored = recorded_scans(connection)
        assert stored == outcomes["302"]      # every answered scan was committed (folded or pending)
        log = web.log()
        assert "draining for 0.5 s" in log and "shutdown complete" in log
    finally:
        web.stop()
