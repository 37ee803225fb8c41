"""What a scan records about its client: bot or not, device class, OS, browser, country, referrer host,
and a visitor hash. Everything here is offline (no network call) and cheap on the hot path.

User agents are parsed by `ua-parser` (with its native `ua-parser-rs` resolver) and bots detected by
`crawlerdetect`; both cost hundreds of microseconds per new string, so the results are cached by
user-agent string (a scan burst repeats the same few strings). Countries come from a trusted proxy's
header or from `iptocc`, an IP-to-country table compiled into its wheel.
"""
import datetime
import functools
import hashlib
import hmac
import ipaddress
import threading
from typing import NamedTuple
from urllib.parse import urlsplit

import iptocc
import ua_parser
from crawlerdetect import CrawlerDetect

from exaroutes.models.rollup import UNKNOWN
#: operating systems whose devices are desktops or laptops (ua-parser's `os.family` names)
DESKTOP_OS = frozenset({"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Chrome OS", "FreeBSD",
                        "OpenBSD", "NetBSD", "Debian", "Mint", "Arch Linux", "Gentoo", "Solaris"})
TABLET_DEVICES = ("iPad", "Kindle", "Tablet", "Nexus 7", "Nexus 9", "Nexus 10")

_crawler_detect = CrawlerDetect()
_crawler_lock = threading.Lock()  # CrawlerDetect keeps the last match on the instance: not thread-safe


class ClientKind(NamedTuple):
    is_bot: bool
    device: str   # mobile | tablet | desktop | unknown
    os: str
    browser: str


def device_class(parsed, user_agent):
    """mobile / tablet / desktop from ua-parser's device and OS families.

    ua-parser names devices but does not classify them; Android tablets are told apart by the
    convention Google documents: their browsers leave the `Mobile` token out of the user agent.
    """
    device = parsed.device.family if parsed.device else "Other"
    os_family = parsed.os.family if parsed.os else "Other"
    if any(name in device for name in TABLET_DEVICES):
        return "tablet"
    if os_family == "Android":
        return "mobile" if "Mobile" in user_agent else "tablet"
    if os_family in DESKTOP_OS:
        return "desktop"
    if device != "Other" or os_family in ("iOS", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS"):
        return "mobile"
    return UNKNOWN


def _family(part):
    family = part.family if part else None
    return (family or UNKNOWN)[:64] if family != "Other" else UNKNOWN


@functools.lru_cache(maxsize=8192)
def classify_user_agent(user_agent):
    """The ClientKind of a user-agent string, cached: parsing costs far more than the redirect."""
    if not user_agent:
        return ClientKind(is_bot=False, device=UNKNOWN, os=UNKNOWN, browser=UNKNOWN)
    with _crawler_lock:
        is_bot = _crawler_detect.isCrawler(user_agent)
    parsed = ua_parser.parse(user_agent)
    return ClientKind(is_bot=is_bot, device=device_class(parsed, user_agent), os=_family(parsed.os),
                      browser=_family(parsed.user_agent))


def warm_up():
    """Build ua-parser's parser and crawlerdetect's regex, which both happen lazily on first use.

    That first use holds the GIL for about 200 ms (BENCHMARKS.md "Redirect"): every
    thread of the process stalls, and the first scans after a start wait for it. Done at start-up
    instead; a user agent that is certainly not cached, so the work really happens.
    """
    with _crawler_lock:
        _crawler_detect.isCrawler("exaroutes-warm-up")
    ua_parser.parse("exaroutes-warm-up")


def is_public_address(address):
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


@functools.lru_cache(maxsize=65536)
def country_of_address(address):
    """ISO 3166-1 alpha-2 from the offline table; private, loopback and unknown → "unknown".

    Cached by address in this process's memory (never written anywhere): a venue's scans come from
    a few addresses, and parsing one with `ipaddress` costs more than the rest of the enrichment.
    """
    if not address or not is_public_address(address):
        return UNKNOWN
    return iptocc.country_code(address) or UNKNOWN


def header_country(value):
    """A proxy's country header (Cloudflare's CF-IPCountry): two letters,
    but XX (unknown) and T1 (Tor) are not countries."""
    value = (value or "").strip().upper()
    if len(value) == 2 and value.isascii() and value.isalpha() and value not in ("XX", "T1"):
        return value
    return UNKNOWN


def scan_country(client_address, headers, country_header, trusted_proxies):
    """The header is believed only from a configured proxy: anyone else could send any country."""
    if client_address in trusted_proxies and country_header in headers:
        return header_country(headers[country_header])
    return country_of_address(client_address)


def referrer_host(referer):
    """Only the host of the Referer: paths and queries can carry personal data."""
    if not referer:
        return None
    try:
        host = urlsplit(referer).hostname
    except ValueError:
        return None
    return host[:255] if host else None


def daily_salt(secret, day):
    """A salt that changes every UTC day, so a visitor cannot be followed from one day to the next."""
    return hmac.new(secret.encode(), b"visitor-salt:" + day.isoformat().encode(), hashlib.sha256).digest()


@functools.lru_cache(maxsize=4)
def _cached_salt(secret, day):
    return daily_salt(secret, day)


def visitor_hash(secret, day: datetime.date, client_address, user_agent):
    """HMAC of address and user agent under the day's salt: the raw address is never stored."""
    message = f"{client_address or ''}\n{user_agent or ''}".encode()
    return hmac.new(_cached_salt(secret, day), message, hashlib.sha256).hexdigest()
