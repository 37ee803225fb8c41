"""Hypothesis strategies for the input classes the 2026-12 security review found by hand (B3, B5).

schemathesis' default generators never produced them: NUL (PostgreSQL refuses it), lone UTF-16
surrogates (nothing can encode them), bidi overrides and invisible characters, C0/C1 controls,
non-ASCII and emoji hosts, and timestamps whose offset pushes them past year 1 or 9999 in UTC.
The fuzz tests (tests/functional/test_hostile_input.py, test_schemathesis.py) mix these into
otherwise ordinary values, so a 5xx anywhere on the path of such a value is found.
"""
import base64
from urllib.parse import quote

from hypothesis import strategies as st

NUL = "\x00"
surrogates = st.integers(0xD800, 0xDFFF).map(chr)
bidi_and_invisible = st.sampled_from(
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
     "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2028", "\u2029"])
controls = st.sampled_from([chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]])
odd = st.sampled_from(["\u3002", "\U0001f600", "é", "пример", "例え", "%00", "%", "\\", "@", "#", "?", "/", ":",
                       "\ue000", "\U0010ffff", "\ufffe"])


def hostile_char(surrogates_too=True):
    chars = [st.just(NUL), bidi_and_invisible, controls, odd]
    return st.one_of(*chars, surrogates) if surrogates_too else st.one_of(*chars)


def hostile_text(min_size=1, max_size=8, surrogates_too=True):
    """Ordinary text with hostile characters mixed in (never empty by default). schemathesis encodes
    what it generates as UTF-8 itself, so its strategies leave lone surrogates out (`surrogates_too`);
    tests/functional/test_hostile_input.py sends them as JSON escapes."""
    return st.lists(st.one_of(st.text(max_size=4), hostile_char(surrogates_too)), min_size=min_size,
                    max_size=max_size).map("".join).filter(lambda text: len(text) >= min_size)


def hosts(surrogates_too=True):
    return st.one_of(
        st.sampled_from(["example.com", "пример.рф", "bücher.example", "\U0001f600.example",
                         "evil.com\u3002example.com", "xn--e1afmkfd.xn--p1ai", "例え.jp", "EXAMPLE.com",
                         "0x7f000001", "[::1]"]),
        hostile_text(max_size=3, surrogates_too=surrogates_too).map(lambda text: text + ".example"))


def hostile_url(surrogates_too=True):
    """An http(s) URL whose host, path, query or fragment may hold any of the hostile characters."""
    text = lambda size=1: hostile_text(size, surrogates_too=surrogates_too)  # noqa: E731
    return st.builds(lambda scheme, host, path, query, fragment: f"{scheme}://{host}/{path}{query}{fragment}",
                     st.sampled_from(["http", "https", "HTTPS"]), hosts(surrogates_too), text(0),
                     st.one_of(st.just(""), text().map(lambda value: "?q=" + value)),
                     st.one_of(st.just(""), text().map(lambda value: "#" + value)))


def hostile_timestamp():
    """ISO 8601 strings at and beyond the edges of what UTC can hold once the offset is applied."""
    offsets = st.one_of(st.just("Z"), st.builds(lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}",
                                                st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)))
    years = st.one_of(st.sampled_from([1, 2, 9998, 9999]), st.integers(1, 9999))
    # the first and last moments Python can hold, pushed over the edge by a zone offset
    edges = st.builds(lambda edge, offset: edge + offset,
                      st.sampled_from(["9999-12-31T23:59:59", "9999-12-31T12:00:00", "0001-01-01T00:00:00",
                                       "0001-01-01T11:59:59.999"]), offsets)
    return st.one_of(edges, st.builds(lambda year, month, day, hour, minute, second, offset:
                     f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{offset}",
                     years, st.integers(1, 12), st.integers(1, 28), st.integers(0, 23), st.integers(0, 59),
                     st.integers(0, 59), offsets))


def path_segment(text):
    """`text` as one percent-encoded URL path segment (surrogates as their surrogatepass bytes)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def hostile_cursor():
    """An opaque cursor (base64 of `time|id`) whose parts hold hostile text."""
    return st.builds(lambda when, short_id: base64.urlsafe_b64encode(
        f"{when}|{short_id}".encode("utf-8", "surrogatepass")).decode().rstrip("="),
        st.one_of(hostile_timestamp(), hostile_text()), hostile_text())
