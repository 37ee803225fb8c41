"""What a customer may register as a custom domain, and the one spelling we store and compare.

A hostname is kept in its ASCII form (IDNA A-labels, lower case, no trailing dot): that is what DNS
is asked for, what browsers send in `Host` and what a printed URL holds, so one string compares
everywhere. The conversion follows IDNA 2008 with the UTS 46 mapping (the `idna` package), not
Python's built-in `idna` codec, which implements the withdrawn IDNA 2003 (it maps `faß.de` to
`fass.de`, a different name).

Refused, each with its own reason (the API answers 422 naming `hostname`): a URL instead of a
name (scheme, port, path), IP addresses, single labels (`localhost`, `intranet`: no public DNS
name a certificate could be issued for), numeric top-level labels, `localhost` names, and the
service's own redirect host and its subdomains (they belong to the operator).
"""
import ipaddress

import idna

from exaroutes.domains.verification import record_name

#: longer input is refused before any parsing (a DNS name has at most 253 characters)
MAX_INPUT_LENGTH = 300
DNS_NAME_LENGTH = 253


class InvalidHostname(ValueError):
    """The reason, in words a customer understands."""


def normalize_hostname(text, reserved_host=None):
    """The ASCII form of `text`, or InvalidHostname. `reserved_host`: the service's own host."""
    if not isinstance(text, str):
        raise InvalidHostname("must be a string")
    if not text:
        raise InvalidHostname("must not be empty")
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidHostname(f"longer than {MAX_INPUT_LENGTH} characters")
    if "://" in text:
        raise InvalidHostname("give the hostname alone, without a scheme such as https://")
    if "/" in text or "?" in text or "#" in text:
        raise InvalidHostname("give the hostname alone, without a path")
    if _is_ip_address(text.strip("[]")):
        raise InvalidHostname("an IP address is not a hostname")
    if ":" in text:
        raise InvalidHostname("give the hostname alone, without a port")
    name = text[:-1] if text.endswith(".") else text  # the root label is implied
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidHostname(f"not a valid hostname ({exc})") from None
    labels = ascii_name.split(".")
    if _is_ip_address(ascii_name):
        raise InvalidHostname("an IP address is not a hostname")
    if len(labels) < 2:
        raise InvalidHostname("a single label is not a public hostname; give a name like qr.example.com")
    if labels[-1].isdigit():
        raise InvalidHostname("the last label must not be a number")
    if labels[-1] == "localhost":
        raise InvalidHostname("localhost names are not public")
    if len(record_name(ascii_name)) > DNS_NAME_LENGTH:
        raise InvalidHostname(f"too long: {record_name('')} in front of it must still fit in "
                              f"{DNS_NAME_LENGTH} characters")
    if reserved_host and (ascii_name == reserved_host or ascii_name.endswith("." + reserved_host)):
        raise InvalidHostname("this host belongs to the service itself")
    return ascii_name


def unicode_hostname(ascii_name):
    """The form people read (`bücher.example`), for display next to the ASCII one."""
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name


def request_hostname(host_header):
    """The hostname of a `Host` header (`QR.example.org:443.` -> `qr.example.org`), or "".

    No IDNA work here: this runs for every scan, and clients send A-labels in `Host`. A header
    that is not plain ASCII cannot name a stored domain, and is treated as no particular host.
    """
    if not host_header or not host_header.isascii():
        return ""
    host = host_header.lower()
    if host.startswith("["):                         # [IPv6]:port
        return host.split("]", 1)[0] + "]"
    host = host.rsplit(":", 1)[0] if ":" in host else host
    return host[:-1] if host.endswith(".") else host


def _is_ip_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
