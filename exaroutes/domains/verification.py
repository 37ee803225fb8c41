"""Proof of control: the customer publishes `exaroutes-verify=<token>` as a TXT record at
`_exaroutes.<hostname>`, and we look it up (dnspython).

The nameservers to ask are a setting (`exaroutes.domains.nameservers`, env
`EXAROUTES_DNS_NAMESERVERS`): empty means the machine's resolver (/etc/resolv.conf); the tests
point it at their own DNS server on a loopback port. Nothing is cached here: a customer who has
just fixed a record must see the fix at once (a recursive resolver may still cache, up to the
record's TTL, which the verify answer says).

A lookup never raises: it answers an `Outcome` whose sentence says what was found, because that is
what the customer needs to fix their DNS (no record, a different value, no answer in time).
"""
import dataclasses
import ipaddress

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver

#: the label in front of the hostname; a leading underscore keeps it apart from real hostnames (RFC 8552)
RECORD_LABEL = "_exaroutes"
VALUE_PREFIX = "exaroutes-verify="
#: how many of the values found the answer quotes, and how much of each
QUOTED_VALUES, QUOTED_LENGTH = 5, 100


def record_name(hostname):
    return f"{RECORD_LABEL}.{hostname}"


def record_value(token):
    return f"{VALUE_PREFIX}{token}"


@dataclasses.dataclass(frozen=True)
class Outcome:
    verified: bool
    message: str
    found: tuple = ()


@dataclasses.dataclass(frozen=True)
class DnsSettings:
    """Where and how long to ask. `nameservers`: (address, port) pairs; empty: the system resolver."""

    nameservers: tuple
    timeout: float

    @classmethod
    def from_settings(cls, settings):
        return cls(parse_nameservers(settings["exaroutes.domains.nameservers"]),
                   settings["exaroutes.domains.dns_timeout_seconds"])

    def resolver(self):
        """A fresh resolver per lookup: no answer cache of ours, no shared mutable state between threads."""
        resolver = dns.resolver.Resolver(configure=not self.nameservers)
        if self.nameservers:
            resolver.nameservers = [dns.nameserver.Do53Nameserver(address, port)
                                    for address, port in self.nameservers]
        resolver.timeout = resolver.lifetime = self.timeout
        return resolver


def parse_nameservers(text):
    """`"127.0.0.1:5353, [::1]:53, 9.9.9.9"` -> ((address, port), ...); ValueError names a bad entry."""
    servers = []
    for entry in (part.strip() for part in (text or "").split(",")):
        if not entry:
            continue
        address, port = entry, 53
        if entry.startswith("["):                       # [IPv6]:port
            address, _, rest = entry[1:].partition("]")
            port = rest.removeprefix(":") or 53
        elif entry.count(":") == 1:                     # IPv4:port (a bare IPv6 has several colons)
            address, port = entry.split(":")
        try:
            port = int(port)
            ipaddress.ip_address(address)               # an address: resolving a name needs DNS itself
        except ValueError:
            raise ValueError(f"exaroutes.domains.nameservers: {entry!r} is not an address[:port]") from None
        if not 0 < port < 65536:
            raise ValueError(f"exaroutes.domains.nameservers: {entry!r} has no valid port")
        servers.append((address, port))
    return tuple(servers)


def txt_values(answer):
    """Each TXT record's text; a record split into several strings is joined (RFC 7208 §3.3 style)."""
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def quoted(values):
    shown = [repr(v if len(v) <= QUOTED_LENGTH else v[:QUOTED_LENGTH] + "…") for v in values[:QUOTED_VALUES]]
    more = len(values) - QUOTED_VALUES
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_txt(dns_settings, hostname, token):
    """Is `exaroutes-verify=<token>` published at `_exaroutes.<hostname>`? Asks DNS now."""
    name = record_name(hostname)
    expected = record_value(token)
    try:
        answer = dns_settings.resolver().resolve(dns.name.from_text(name), "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return Outcome(False, f"No TXT record found: {name} does not exist in DNS. Publish the TXT record "
                              f"{expected!r} there and verify again.")
    except dns.resolver.NoAnswer:
        return Outcome(False, f"No TXT record found at {name} (the name exists, without TXT records). "
                              f"Publish {expected!r} there and verify again.")
    except dns.resolver.LifetimeTimeout:
        return Outcome(False, f"The DNS lookup of {name} got no answer within {dns_settings.timeout:g} s; "
                              "try again later.")
    except dns.resolver.NoNameservers:
        return Outcome(False, f"No nameserver could answer for {name} (SERVFAIL or refused); "
                              "check the domain's DNS delegation.")
    except dns.exception.DNSException as exc:
        return Outcome(False, f"The DNS lookup of {name} failed: {type(exc).__name__}.")
    values = txt_values(answer)
    if expected in values:
        return Outcome(True, f"Found {expected!r} at {name}.", tuple(values))
    return Outcome(False, f"The TXT record at {name} does not match: found {quoted(values)}; expected "
                          f"{expected!r}. DNS answers may be cached for up to {answer.rrset.ttl} s.",
                   tuple(values))
