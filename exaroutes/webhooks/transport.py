"""One HTTP POST to a checked address: no redirects, a total deadline, a bounded read.

`http.client` rather than a full client library, because what matters here is what it does *not*
do: it never follows a redirect, never re-resolves the host (we open the socket to the address
the SSRF check approved, while the Host header, TLS SNI and certificate check use the name), and
reads only as much of the answer as we ask for. A watchdog closes the socket when the deadline
passes, so a receiver that trickles one byte every few seconds cannot hold a worker longer than
the timeout.
"""
import http.client
import socket
import ssl
import threading
from typing import NamedTuple

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
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to `address`; TLS server name and certificate check use `host`."""

    def __init__(self, host, port, address, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _connection(target, address, timeout):
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, address, timeout, ssl.create_default_context())
    return _PinnedHTTPConnection(target.host, target.port, address, timeout)


def _close_when_late(connection, fired):
    """Shut the socket down (any blocked read then ends at once); run by the deadline timer."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def post(target, address, headers, body, timeout, max_response_bytes):
    """POST `body` to `target` at `address`; success is a 2xx answer and nothing else."""
    connection = _connection(target, address, timeout)
    fired = threading.Event()
    deadline = threading.Timer(timeout, _close_when_late, (connection, fired))
    deadline.daemon = True
    deadline.start()
    late = Outcome(None, f"no answer within {timeout:g} s")
    try:
        connection.request("POST", target.path, body=body, headers={
            **headers, "Content-Type": "application/json", "User-Agent": USER_AGENT})
        response = connection.getresponse()
        response.read(max_response_bytes)        # the receiver's answer is not kept; read a bounded bit
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        if fired.is_set() or isinstance(exc, TimeoutError):
            return late
        return Outcome(None, f"could not deliver: {exc.__class__.__name__}: {exc}"[:500])
    finally:
        deadline.cancel()
        connection.close()
    if fired.is_set():      # a cut-off answer can look complete (headers end at the EOF we caused)
        return late
    if 200 <= status < 300:
        return Outcome(status, None)
    if 300 <= status < 400:
        return Outcome(status, f"the receiver answered {status} (a redirect); redirects are not followed")
    return Outcome(status, f"the receiver answered {status}")
