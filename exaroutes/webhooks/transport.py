"""HTTP POSTs to checked addresses: no redirects, a total deadline, a bounded read, kept-alive connections.

`http.client` rather than a full client library, because what matters here is what it does *not*
do: it never follows a redirect, never re-resolves the host (we open the socket to the address
the SSRF check approved, while the Host header, TLS SNI and certificate check use the name), and
reads only as much of the answer as we ask for.

A `Sender` keeps one HTTP/1.1 connection per URL for one dispatch run: a burst of scans is then one
TCP (and TLS) handshake per endpoint instead of one per event, which was most of a delivery's cost
(BENCHMARKS.md "Webhooks"). A connection is only ever opened right after the URL was checked
(exaroutes.webhooks.ssrf, which resolves the name), to the address it approved; it is dropped after
any failure, a `Connection: close`, an answer longer than we read, and at the end of the run. A kept
connection the receiver closed while idle fails before any answer: that one request is sent again
once, on a new connection, after a new check (as browsers and urllib3 do).

Deadlines: one watchdog thread per process shuts the socket down when an exchange outlives the
timeout, so a receiver that trickles one byte every few seconds cannot hold a worker longer than
that (a per-read socket timeout would not stop it). One thread for all, not a timer thread per POST:
starting a thread per delivery was a fifth of the dispatcher's time in the web process.
"""
import http.client
import math
import os
import socket
import ssl
import threading
import time
from typing import NamedTuple

from exaroutes.webhooks.ssrf import UnsafeUrl

USER_AGENT = "ExaRoutes-Webhooks/1"


class Outcome(NamedTuple):
    status: int | None      # the receiver's HTTP status, None if there was no answer
    error: str | None       # why the attempt failed, None on success

    @property
    def succeeded(self):
        return self.error is None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address` while speaking to `host` (Host header)."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = _open_socket(self.address, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to `address`; TLS server name and certificate check use `host`."""

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        raw = _open_socket(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _open_socket(address, port, timeout):
    """A TCP connection to `address` without Nagle's delay, as http.client's own connect() makes it:
    headers and body go in two writes, and on a kept-alive connection the second would otherwise
    wait for the receiver's delayed ACK (40 ms a delivery)."""
    sock = socket.create_connection((address, port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _connection(target, address, timeout):
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, address, timeout, ssl.create_default_context())
    return _PinnedHTTPConnection(target.host, target.port, address, timeout)


class _Watch:
    __slots__ = ("deadline", "connection", "fired")

    def __init__(self, deadline, connection):
        self.deadline, self.connection, self.fired = deadline, connection, False


class Watchdog:
    """Shuts down the socket of every exchange that outlives its deadline (any blocked read then ends).

    `start` and `end` cost a lock and a set entry; the thread sleeps until the earliest deadline
    and is only woken early when a new deadline comes before it (never, with one timeout for all).
    """

    def __init__(self):
        self._changed = threading.Condition()
        self._watches = set()
        self._earliest = math.inf
        self._pid = None

    def start(self, connection, seconds):
        watch = _Watch(time.monotonic() + seconds, connection)
        with self._changed:
            if self._pid != os.getpid():            # threads do not survive a fork
                self._pid = os.getpid()
                self._watches = set()
                self._earliest = math.inf
                threading.Thread(target=self._run, name="webhook-deadlines", daemon=True).start()
            self._watches.add(watch)
            if watch.deadline < self._earliest:
                self._earliest = watch.deadline
                self._changed.notify()
        return watch

    def end(self, watch):
        """Stop watching; True if the deadline had already fired (the socket was shut down)."""
        with self._changed:
            self._watches.discard(watch)
            return watch.fired

    def _run(self):
        with self._changed:
            while True:
                now = time.monotonic()
                for watch in [w for w in self._watches if w.deadline <= now]:
                    self._watches.discard(watch)
                    watch.fired = True
                    _shut_down(watch.connection)
                self._earliest = min((w.deadline for w in self._watches), default=math.inf)
                self._changed.wait(None if self._earliest == math.inf else self._earliest - now)


def _shut_down(connection):
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


WATCHDOG = Watchdog()


class _Exchange(NamedTuple):
    outcome: Outcome
    reusable: bool      # the connection is idle and open: the next request may use it
    stale: bool         # a kept connection failed before any answer (closed by the receiver while idle)


def _exchange(connection, target, headers, body, timeout, max_response_bytes, reused):
    """One POST on `connection` (opened on first use) within `timeout` seconds in all."""
    watch = WATCHDOG.start(connection, timeout)
    answered = False
    try:
        connection.request("POST", target.path, body=body, headers={
            **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
        response = connection.getresponse()
        answered = True
        response.read(max_response_bytes)        # the receiver's answer is not kept; read a bounded bit
        status = response.status
        # fully read and not closing: the next request can go on this connection
        reusable = response.isclosed() and connection.sock is not None
    except (OSError, http.client.HTTPException) as exc:
        if WATCHDOG.end(watch) or isinstance(exc, TimeoutError):
            return _Exchange(Outcome(None, f"no answer within {timeout:g} s"), False, False)
        return _Exchange(Outcome(None, f"could not deliver: {exc.__class__.__name__}: {exc}"[:500]), False,
                         reused and not answered and isinstance(exc, ConnectionError))
    if WATCHDOG.end(watch):     # a cut-off answer can look complete (headers end at the EOF we caused)
        return _Exchange(Outcome(None, f"no answer within {timeout:g} s"), False, False)
    if 200 <= status < 300:
        return _Exchange(Outcome(status, None), reusable, False)
    if 300 <= status < 400:
        return _Exchange(Outcome(status, f"the receiver answered {status} (a redirect); redirects are not followed"),
                         reusable, False)
    return _Exchange(Outcome(status, f"the receiver answered {status}"), reusable, False)


def post(target, address, headers, body, timeout, max_response_bytes):
    """POST `body` to `target` at `address` on a connection of its own; success is a 2xx answer only."""
    connection = _connection(target, address, timeout)
    try:
        return _exchange(connection, target, headers, body, timeout, max_response_bytes, reused=False).outcome
    finally:
        connection.close()


class Sender:
    """POSTs to URLs checked by `policy`, on one kept-alive connection per URL; `close()` when done."""

    def __init__(self, policy, timeout, max_response_bytes):
        self.policy = policy
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self._open = {}         # url -> (Target, connection), each connection opened right after its check

    def post(self, url, headers, body):
        """The Outcome of POSTing `body` to `url`; a URL the policy refuses now is `refused: …`."""
        for fresh in ((False, True) if url in self._open else (True,)):
            if fresh:
                try:
                    target = self.policy.check(url)       # resolves again: a new connection, a new check
                except UnsafeUrl as exc:
                    return Outcome(None, f"refused: {exc}")
                self._open[url] = (target, _connection(target, target.addresses[0], self.timeout))
            target, connection = self._open[url]
            exchange = _exchange(connection, target, headers, body, self.timeout, self.max_response_bytes,
                                 reused=not fresh)
            if not exchange.reusable:
                self._drop(url)
            if not exchange.stale:
                return exchange.outcome
        return exchange.outcome

    def _drop(self, url):
        _, connection = self._open.pop(url)
        connection.close()

    def close(self):
        for url in list(self._open):
            self._drop(url)
