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
