"""Where a webhook may be sent: the defence against server-side request forgery.

A customer chooses the URL and our workers call it from inside our network, so a URL naming
`127.0.0.1`, `10.0.0.5`, `169.254.169.254` (the cloud metadata service) or a name resolving to one
of them would let anyone make us call our own services. Production therefore accepts only `https`
URLs whose host resolves to public addresses only, checks that when the endpoint is saved, and
checks it again at every delivery, then connects to the very address it checked (a name that
resolved to a public address at the check and to 10.0.0.5 a moment later - DNS rebinding - can
not slip through between the check and the connection). Development (`allow_http`,
`allow_private`) lets a receiver on the same machine work out of the box.

`resolve` is injectable so tests can map names to addresses of their choosing.
"""
import ipaddress
import socket
from typing import NamedTuple
from urllib.parse import urlsplit

#: Cloud metadata services, named in the refusal; all are link-local, private or shared space
#: anyway (AWS/GCP/Azure 169.254.169.254, AWS IPv6 fd00:ec2::254, Alibaba 100.100.100.200).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in
                               ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2"))
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeUrl(ValueError):
    """The URL may not be called; the message says why, in words for the customer."""


class Target(NamedTuple):
    scheme: str
    host: str
    port: int
    path: str            # path and query, what goes on the request line
    addresses: tuple     # the checked addresses; connect to one of these, never re-resolve


def address_problem(address):
    """Why `address` is not a public unicast address, or None if it is one."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:          # ::ffff:127.0.0.1 reaches 127.0.0.1
            return address_problem(embedded)
    checks = (
        (ip in METADATA_ADDRESSES, "a cloud metadata address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for failed, why in checks if failed), None)


def system_resolve(host, port):
    """Every address `host` resolves to (literal addresses resolve to themselves)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class UrlPolicy:
    def __init__(self, allow_http=False, allow_private=False, resolve=system_resolve):
        self.allow_http = allow_http
        self.allow_private = allow_private
        self.resolve = resolve

    @classmethod
    def from_settings(cls, settings):
        return cls(allow_http=settings["exaroutes.webhooks.allow_http"],
                   allow_private=settings["exaroutes.webhooks.allow_private"])

    def check_syntax(self, url):
        """(scheme, host, port, path) of an acceptable URL, or UnsafeUrl; no network."""
        if len(url) > 2048 or any(ch.isspace() or ord(ch) < 32 for ch in url):
            raise UnsafeUrl("must be a URL of at most 2048 characters without spaces")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise UnsafeUrl("not a valid URL") from None
        scheme = parts.scheme.lower()
        allowed = ("http", "https") if self.allow_http else ("https",)
        if scheme not in allowed or not parts.hostname:
            raise UnsafeUrl("must be an absolute " + " or ".join(f"{s}://" for s in allowed) + " URL")
        if parts.username is not None or parts.password is not None:
            raise UnsafeUrl("must not carry a user name or password")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return scheme, parts.hostname, port or DEFAULT_PORTS[scheme], path

    def check(self, url):
        """The Target to connect to, or UnsafeUrl naming the problem. Resolves the host (DNS)."""
        scheme, host, port, path = self.check_syntax(url)
        try:
            addresses = tuple(self.resolve(host, port))
        except (OSError, UnicodeError, ValueError):
            addresses = ()
        if not addresses:
            raise UnsafeUrl(f"the host {host!r} does not resolve")
        for address in addresses:
            problem = address_problem(address)
            if problem == "a cloud metadata address" or (problem and not self.allow_private):
                raise UnsafeUrl(f"the host {host!r} resolves to {address}, {problem}; "
                                "webhooks are only sent to public addresses")
        return Target(scheme, host, port, path, addresses)
