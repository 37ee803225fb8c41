"""The one scan gate: every route under `/r/{short_id}` gets its code from here, as `request.context`.

The route factories below run before any view. In order, for every route: a method the route does
not answer (405), an id that cannot exist or is unknown, or a code asked for on another host than
its own (404, exaroutes.domains.hosts), a code switched off (410); then, for
the scan page and the contact download, expiry and the scan cap (410), the password (the form), and
decryption (the view only ever sees the plaintext stand-in). A route that stops here answers with
`ScanStop.response`, so `/r/{id}/contact.vcf` cannot serve a card its scan page would protect.

For a counted scan of a capped code the gate has then already claimed (and committed) one scan of
the cap: the claim is an atomic UPDATE in the database, never a change of the cached object.

A cap limits access, not only counting: a scan request that would not be counted (a link-preview bot
or crawler, a HEAD) never reaches the destination of a capped code, else any bot user agent would be
a way around the cap. It gets a page that names no destination, and the cap is left to people.
"""
from dataclasses import dataclass

from pyramid.httpexceptions import HTTPMethodNotAllowed

from exaroutes.clock import utcnow
from exaroutes.codes.ids import is_short_id
from exaroutes.protections import limits
from exaroutes.protections.encryption import readable_code
from exaroutes.scan import pages, password
from exaroutes.scan.record import is_counted

READ_METHODS = ("GET", "HEAD")


class ScanStop(Exception):
    """The request ends at the gate with this (HTML) response: 404, 410, the password form, 429 ..."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class ScanContext:
    """What a view under `/r/{id}` works on: the stored `code` (ids, counters, for the scan row) and
    `readable`, the plaintext stand-in of an encrypted code (the code itself otherwise)."""

    code: object
    readable: object


def stop_response(exc, request):
    """Exception view of ScanStop: the response the gate decided on."""
    return exc.response


def _allowed(request, methods):
    if request.method not in methods:
        raise HTTPMethodNotAllowed(headers={"Allow": ", ".join(methods)})


def active_code(request, served=None):
    """The active code of `{short_id}` from the code cache, else ScanStop 404/410.

    `served(code)` narrows the route to some codes (a vcard, a password code): others are unknown here.
    """
    short_id = request.matchdict["short_id"]
    # NUL bytes would even fail on PostgreSQL: no lookup for garbage
    code = request.registry["code_cache"].get(short_id) if is_short_id(short_id) else None
    # `host_rule`: a code printed on a custom domain answers only there, and no other code does
    if (code is None or not request.registry["host_rule"].may_answer(request.environ, code)
            or (served is not None and not served(code))):
        raise ScanStop(pages.not_found_page())
    if code.status != "active":
        raise ScanStop(pages.gone_page())
    return code


def limit_page(code):
    """410 for an expired or capped code (nothing is written), else None."""
    if limits.is_expired(code, utcnow()):
        return pages.expired_page()
    if limits.is_capped(code):
        return pages.capped_page()
    return None


def protection_gate(request, code, counted):
    """Expiry, scan cap (claimed for a counted scan), password: a response that stops here, or None."""
    blocked = limit_page(code)
    if blocked is not None:
        return blocked
    if code.password_hash and not password.spend_unlock(request, code):
        return password.form_response(request, code)
    if counted and code.max_scans is not None:
        claimed = limits.claim_scan(request.registry["dbengine"], code)
        # The redirect's cached copy of the code now has a stale count: let the next scan read the row.
        request.registry["code_cache"].invalidate(code.short_id)
        if not claimed:
            return pages.capped_page()
    return None


def _through_gate(request, code, counted):
    blocked = protection_gate(request, code, counted)
    if blocked is not None:
        raise ScanStop(blocked)
    # an encrypted code's plaintext exists only in this response, never in the cache or a session
    return ScanContext(code, readable_code(request.registry.settings, code))


def scan_code(request):
    """Route factory of `GET /r/{short_id}`: the scan itself (counted unless HEAD or a bot)."""
    _allowed(request, READ_METHODS)
    code = active_code(request)
    if request.registry["datatypes"].get(code.data_type) is None:
        raise ScanStop(pages.gone_page())
    counted = is_counted(request)
    if code.max_scans is not None and not counted and limit_page(code) is None:
        raise ScanStop(pages.limited_preview_page())
    return _through_gate(request, code, counted=counted)


def contact_code(request):
    """Route factory of `GET /r/{short_id}/contact.vcf`: a vcard code, every protection of its scan
    page applies, but fetching the file is not a scan (the page view was), so no cap is spent."""
    _allowed(request, READ_METHODS)
    return _through_gate(request, active_code(request, served=lambda code: code.data_type == "vcard"), counted=False)


def password_code(request):
    """Route factory of `POST /r/{short_id}/password`: a password-protected code that still scans.

    The password itself is what the view checks; expiry and cap come first, so a password never
    opens a code its scan would refuse.
    """
    _allowed(request, ("POST",))
    code = active_code(request, served=lambda code: bool(code.password_hash))
    blocked = limit_page(code)
    if blocked is not None:
        raise ScanStop(blocked)
    return ScanContext(code, None)
