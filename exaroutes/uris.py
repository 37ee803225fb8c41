"""IRIs (web addresses with non-ASCII characters) as the ASCII URIs an HTTP `Location` header can carry.

People paste `https://пример.рф/`, `https://example.com/café` or an emoji path, and phones print them.
An HTTP header is Latin-1 at best and ASCII in practice, so a destination must become a URI before it
is stored or sent: the host through IDNA 2008 with the UTS #46 mapping (the `idna` package, which is
what browsers' host parsing follows), everything else percent-encoded as UTF-8 (RFC 3987 §3.1).

Some characters have no business in an address at all: controls (C0, DEL, C1), bidi overrides and
marks, zero-width and other invisible format characters (U+200B, U+FEFF, the soft hyphen), lone
surrogates, private-use and line/paragraph separators. They hide or reorder what a reader sees, so
`to_uri` refuses them instead of encoding them (the API answers 422 naming the field).

`to_location` is for destinations already stored, some from before this module existed: it never
fails, it percent-encodes whatever `to_uri` cannot convert, so a printed code always gets an answer.
"""
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import idna

#: Unicode categories refused anywhere in an address: control, format (bidi controls, zero-width
#: characters, BOM, soft hyphen), surrogate, private use, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


class NotAUri(ValueError):
    """`str(error)` is a sentence for the client, e.g. "contains an invisible or control character U+202E"."""


def refused_character(text):
    """The first character of `text` that must never be part of an address, or None."""
    for char in text:
        if not char.isascii() or ord(char) < 0x20 or char == "\x7f":
            if unicodedata.category(char) in REFUSED_CATEGORIES:
                return char
    return None


def _percent_encode(text, keep_ascii=True):
    """Every non-ASCII character as %XX of its UTF-8 bytes; ASCII controls and spaces too unless kept."""
    out = []
    for char in text:
        if char.isascii() and (keep_ascii or 0x20 < ord(char) < 0x7f):
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
    return "".join(out)


def _split_netloc(netloc):
    """(userinfo-with-@, host, :port) of a netloc, keeping each part's spelling."""
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):          # an IPv6 literal: ASCII by definition, keep as given
        end = hostport.find("]") + 1
        return userinfo + at, hostport[:end], hostport[end:]
    host, colon, port = hostport.rpartition(":")
    if not colon:
        return userinfo + at, hostport, ""
    return userinfo + at, host, colon + port


def ascii_host(host):
    """The host as ASCII: unchanged when it is ASCII already, else its IDNA 2008 (UTS #46) A-labels."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise NotAUri(f"the host {host!r} is not a valid internationalized domain name ({exc})") from None


def to_uri(iri):
    """The URI for an IRI, or NotAUri. ASCII input without refused characters comes back unchanged."""
    bad = refused_character(iri)
    if bad is not None:
        raise NotAUri(f"contains an invisible or control character (U+{ord(bad):04X})")
    if iri.isascii():
        return iri
    return _converted(iri, strict=True)


def _converted(iri, strict):
    """IDNA for the host, percent-encoding for the rest; `strict=False` encodes what strict refuses."""
    try:
        scheme, netloc, path, query, fragment = urlsplit(iri)
    except ValueError:
        if strict:
            raise NotAUri("is not a valid URL") from None
        return _percent_encode(iri, keep_ascii=False)
    userinfo, host, port = _split_netloc(netloc)
    if strict and not port[1:].isascii():
        raise NotAUri("the port must be ASCII digits")
    try:
        host = ascii_host(host)
    except NotAUri:
        if strict:
            raise
    encode = _percent_encode if strict else (lambda text: _percent_encode(text, keep_ascii=False))
    netloc = encode(userinfo) + encode(host) + encode(port)
    return urlunsplit((scheme, netloc, encode(path), encode(query), encode(fragment)))


def to_location(destination):
    """An ASCII `Location` for a stored destination, whatever it holds; never raises.

    Destinations stored before `to_uri` guarded the input may hold anything: what cannot be converted
    is percent-encoded (RFC 3987 allows that for the host too), so the header can always be sent and
    the browser, not our server, decides what the address is worth.
    """
    if destination.isascii() and refused_character(destination) is None:
        return destination
    return _converted(destination, strict=False)
