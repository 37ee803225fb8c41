"""The visitor's languages from `Accept-Language`, most preferred first (RFC 9110 §12.5.4).

WebOb (already under Pyramid) parses and validates the header against RFC 9110's grammar and RFC
4647's language ranges; this module orders the ranges by their quality value, keeping the header's
order among equal values (RFC 9110: equal weights leave the order to the client's listing), drops
`q=0` ("not acceptable") and the wildcard `*` (it says "anything", which names no language a rule
could route on), and keeps each range's primary subtag, lower-cased (`de-AT` -> `de`), because rules
name primary subtags. The same header strings come back again and again, so the result is cached.
"""
import functools

from webob.acceptparse import create_accept_language_header

MAX_HEADER_LENGTH = 1024   # longer headers are not parsed: nobody's browser sends that many languages


@functools.lru_cache(maxsize=4096)
def preferred_languages(header):
    """Primary subtags in the client's order of preference, without duplicates: a tuple, maybe empty."""
    if not header or len(header) > MAX_HEADER_LENGTH:
        return ()
    parsed = getattr(create_accept_language_header(header), "parsed", None)
    if not parsed:                      # absent or invalid header: no stated preference
        return ()
    ranked = sorted(enumerate(parsed), key=lambda item: (-item[1][1], item[0]))   # q desc, then listing order
    languages = []
    for _, (language_range, quality) in ranked:
        primary = language_range.split("-", 1)[0].lower()
        if quality > 0 and primary != "*" and primary not in languages:
            languages.append(primary)
    return tuple(languages)


def best_language(header, offered):
    """The client's most preferred primary subtag among `offered` (a set), or None."""
    for language in preferred_languages(header):
        if language in offered:
            return language
    return None
