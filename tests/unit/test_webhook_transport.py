"""The webhook POST: to the checked address only, no redirects, a deadline, a bounded read."""
import http.server
import threading

import pytest

from exaroutes.webhooks import transport
from exaroutes.webhooks.ssrf import Target, UnsafeUrl, UrlPolicy, address_problem
from tests.helpers.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_it_connects_to_the_checked_address_and_names_the_host(receiver):
    """`receiver.test` resolves nowhere: only the pinned address can have been used."""
    target = Target("http", "receiver.test", receiver.port, "/hook?x=1", ("127.0.0.1",))
    outcome = transport.post(target, "127.0.0.1", {"webhook-id": "evt_1"}, b'{"a":1}', 5, 100)
    assert outcome == (204, None) and outcome.succeeded
    (received,) = receiver.requests
    assert received.path == "/hook?x=1" and received.body == b'{"a":1}'
    assert received.headers["host"] == f"receiver.test:{receiver.port}"
    assert received.headers["webhook-id"] == "evt_1"


@pytest.mark.parametrize("status, words", [(301, "redirect"), (404, "404"), (500, "500")])
def test_anything_but_2xx_is_a_failure(receiver, status, words):
    receiver.respond_with(status, location="http://127.0.0.1:1/elsewhere")
    target = Target("http", "127.0.0.1", receiver.port, "/", ("127.0.0.1",))
    outcome = transport.post(target, "127.0.0.1", {}, b"{}", 5, 100)
    assert outcome.status == status and words in outcome.error and not outcome.succeeded
    assert len(receiver.requests) == 1


def test_a_refused_connection_is_a_failure():
    with _closed_port() as port:
        target = Target("http", "127.0.0.1", port, "/", ("127.0.0.1",))
        outcome = transport.post(target, "127.0.0.1", {}, b"{}", 5, 100)
    assert outcome.status is None and "could not deliver" in outcome.error


class _closed_port:
    def __enter__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))       # bound, never listening: connections are refused
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


def test_a_trickling_receiver_is_cut_off_at_the_deadline():
    """Headers sent one byte at a time, each before the per-read timeout would fire: only the total
    deadline stops it. The handler is released by the test, never by a sleep of its own."""
    stop = threading.Event()

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            while not stop.wait(0.05):
                try:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                except OSError:
                    return

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        target = Target("http", "127.0.0.1", server.server_address[1], "/", ("127.0.0.1",))
        outcome = transport.post(target, "127.0.0.1", {}, b"{}", 0.5, 100)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert outcome == (None, "no answer within 0.5 s")


def test_policy_resolves_once_and_returns_what_it_checked():
    calls = []

    def resolve(host, port):
        calls.append((host, port))
        return ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]

    target = UrlPolicy(resolve=resolve).check("https://hooks.example.test/in?a=b")
    assert target == Target("https", "hooks.example.test", 443, "/in?a=b",
                            ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"))
    assert calls == [("hooks.example.test", 443)]


def test_development_policy_allows_loopback_but_never_metadata():
    policy = UrlPolicy(allow_http=True, allow_private=True, resolve=lambda host, port: [host])
    assert policy.check("http://127.0.0.1:8080/x").addresses == ("127.0.0.1",)
    with pytest.raises(UnsafeUrl, match="metadata"):
        policy.check("http://169.254.169.254/latest")


@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("2002:7f00:1::1", "loopback"),
    ("10.0.0.1", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fc00::1", "private"),
    ("169.254.1.1", "link-local"), ("fe80::1", "link-local"), ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"), ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"), ("240.0.0.1", "reserved"), ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "not a public"), ("192.0.2.1", "private"),
])
def test_internal_addresses_are_named(address, problem):
    assert problem in address_problem(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert address_problem(address) is None


class CountingPolicy(UrlPolicy):
    """The development policy, resolving every name to 127.0.0.1 and counting the checks."""

    def __init__(self):
        super().__init__(allow_http=True, allow_private=True, resolve=self.resolve_to_loopback)
        self.checks = 0

    def resolve_to_loopback(self, host, port):
        self.checks += 1
        return ["127.0.0.1"]


def test_a_sender_keeps_one_connection_per_url_checked_once(receiver):
    policy = CountingPolicy()
    sender = transport.Sender(policy, 5, 100)
    try:
        outcomes = [sender.post(f"http://receiver.test:{receiver.port}/hook", {"webhook-id": f"evt_{i}"}, b"{}")
                    for i in range(3)]
    finally:
        sender.close()
    assert outcomes == [(204, None)] * 3
    assert [r.headers["webhook-id"] for r in receiver.requests] == ["evt_0", "evt_1", "evt_2"]
    assert len({r.connection for r in receiver.requests}) == 1
    assert policy.checks == 1


def test_a_url_refused_now_is_not_connected_to(receiver):
    sender = transport.Sender(UrlPolicy(allow_http=True, allow_private=False), 5, 100)
    outcome = sender.post(f"http://127.0.0.1:{receiver.port}/hook", {}, b"{}")
    assert outcome.status is None and outcome.error.startswith("refused: ") and "loopback" in outcome.error
    assert receiver.requests == []


class OneRequestPerConnection:
    """An HTTP/1.1 receiver that answers one request per connection as if it kept it open (no
    `Connection: close`), then closes it: what a receiver does to an idle kept-alive connection.
    `closed` is set once it has closed the connection it answered."""

    def __init__(self):
        import socket
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.closed = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, address = self.listener.accept()
            except OSError:
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                head, _, body = request.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(body) < length:
                    body += connection.recv(65536)
                self.connections.append((address, head.split(b"\r\n")[0]))
                connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            self.closed.set()

    def close(self):
        self.listener.close()


def test_a_kept_connection_closed_by_the_receiver_is_checked_again_and_the_request_resent():
    server = OneRequestPerConnection()
    policy = CountingPolicy()
    sender = transport.Sender(policy, 5, 100)
    try:
        url = f"http://receiver.test:{server.port}/hook"
        assert sender.post(url, {}, b'{"n":1}') == (204, None)
        assert server.closed.wait(10)           # the receiver has dropped the idle connection
        assert sender.post(url, {}, b'{"n":2}') == (204, None)
    finally:
        sender.close()
        server.close()
    assert len(server.connections) == 2 and server.connections[0][0] != server.connections[1][0]
    assert policy.checks == 2                   # a new connection, a new check (DNS rebinding)


def test_a_failure_on_a_new_connection_is_not_resent():
    with _closed_port() as port:
        policy = CountingPolicy()
        sender = transport.Sender(policy, 5, 100)
        outcome = sender.post(f"http://receiver.test:{port}/", {}, b"{}")
    assert outcome.status is None and "could not deliver" in outcome.error
    assert policy.checks == 1


def test_an_answer_longer_than_the_read_bound_ends_the_connection():
    """Its unread rest would be taken for the next answer: the next request goes on a new connection."""
    class Long(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Long)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    policy = CountingPolicy()
    sender = transport.Sender(policy, 5, 100)
    try:
        url = f"http://receiver.test:{server.server_address[1]}/"
        assert [sender.post(url, {}, b"{}") for _ in range(2)] == [(200, None)] * 2
    finally:
        sender.close()
        server.shutdown()
        server.server_close()
    assert policy.checks == 2
