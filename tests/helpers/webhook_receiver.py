"""A real HTTP receiver for webhook tests, and a signature check written from the Standard Webhooks spec.

`Receiver` is an HTTP/1.1 server on a kernel-chosen port of 127.0.0.1 in the test process. It records
every request (headers, exact body bytes, and the connection it came on) and answers with the statuses a test queues
(`respond_with`), 204 by default. `hold()` makes the next request wait, unanswered, until the test
calls `release()`: a receiver that is "slow" exactly as long as the test wants, with no sleeps.

`verified` checks a delivery two independent ways: with the receiver in scripts/webhook_receiver.py,
written from the spec alone (no library), and with the `standardwebhooks` package from PyPI.
"""
import http.server
import json
import threading

from standardwebhooks import Webhook

from scripts.webhook_receiver import verify as spec_verify  # noqa: F401 (the tests use it by this name)


class Received:
    def __init__(self, path, headers, body, connection=None):
        self.path = path
        self.headers = headers
        self.body = body
        self.connection = connection        # the sender's (address, port): one per TCP connection

    @property
    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self):
        self.requests = []
        self.statuses = []
        self.arrived = threading.Condition()
        self._hold = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"         # keeps connections open, as most receivers do

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                                      self.client_address))
                    status, location = receiver.statuses.pop(0) if receiver.statuses else (204, None)
                    hold, receiver._hold = receiver._hold, None
                    receiver.arrived.notify_all()
                if hold is not None:
                    hold.wait(60)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None    # a sender that cut a late answer off
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def respond_with(self, *statuses, location=None):
        self.statuses.extend((status, location) for status in statuses)

    def hold(self):
        """The next request is answered only after `release()` (or 60 s)."""
        self._hold = threading.Event()
        return self._hold

    def wait_for(self, count, timeout=60):
        """Block until `count` requests have arrived (a condition, not a sleep); returns them."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"receiver got {len(self.requests)} of {count} requests in {timeout} s")
        return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def verified(secret, received):
    """The envelope of a delivery, after both checks passed (the library raises if it does not verify)."""
    assert spec_verify(secret, received.headers, received.body), "the spec-only receiver refuses the signature"
    envelope = Webhook(secret).verify(received.body, received.headers)
    assert envelope == received.json
    return envelope
