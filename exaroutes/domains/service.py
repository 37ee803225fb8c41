"""Custom domains of a workspace: add, verify, find, list, delete, always within one workspace.

Every function takes the workspace id and raises `ApiError` (never returns an error), so the request's
transaction rolls back whatever it had begun. A hostname appears to callers as they typed it; we
normalize it (exaroutes.domains.hostnames) before every lookup, so `Bücher.Example` and
`xn--bcher-kva.example` are the same domain.
"""
import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError

from exaroutes.clock import isoformat, utcnow
from exaroutes.codes.cursors import keyset_page
from exaroutes.domains.hostnames import InvalidHostname, normalize_hostname, unicode_hostname
from exaroutes.domains.models import Domain
from exaroutes.domains.verification import check_txt, record_name, record_value
from exaroutes.errors import ApiError
from exaroutes.models import QrCode


def reserved_host(settings):
    """The redirect base's own host: no workspace may claim it (or a name under it)."""
    return urlsplit(settings["exaroutes.redirect_base"]).hostname


def new_token():
    """32 random URL-safe characters (192 bits): the value no one else can have published."""
    return secrets.token_urlsafe(24)


def valid_hostname(text, settings, location="body", name="hostname"):
    try:
        return normalize_hostname(text, reserved_host(settings))
    except InvalidHostname as exc:
        raise ApiError.for_field(422, location, name, str(exc))


def verified_elsewhere(dbsession, workspace_id, hostname):
    return dbsession.scalar(select(exists().where(Domain.hostname == hostname, Domain.verified_at.is_not(None),
                                                  Domain.workspace_id != workspace_id)))


def taken_elsewhere(hostname):
    return ApiError(409, f"{hostname} is verified by another workspace; ask its owner to delete it there first.")


def create_domain(dbsession, settings, workspace_id, text):
    """A new pending claim with its token, or 422 (bad hostname) / 409 (already added, or verified elsewhere)."""
    hostname = valid_hostname(text, settings)
    if verified_elsewhere(dbsession, workspace_id, hostname):
        raise taken_elsewhere(hostname)
    if dbsession.scalar(select(exists().where(Domain.workspace_id == workspace_id, Domain.hostname == hostname))):
        raise ApiError(409, f"{hostname} is already a domain of this workspace.")
    domain = Domain(workspace_id=workspace_id, hostname=hostname, token=new_token(), created_at=utcnow())
    try:
        with dbsession.begin_nested():        # a concurrent POST of the same hostname: 409, not 500
            dbsession.add(domain)
    except IntegrityError:
        raise ApiError(409, f"{hostname} is already a domain of this workspace.")
    return domain


def find_domain(dbsession, workspace_id, hostname):
    return dbsession.scalar(select(Domain).where(Domain.workspace_id == workspace_id, Domain.hostname == hostname))


def get_domain(dbsession, settings, workspace_id, text):
    """The workspace's domain named by the path, or 404 (another workspace's is indistinguishable from none)."""
    try:
        hostname = normalize_hostname(text, reserved_host(settings))
    except InvalidHostname:
        hostname = None
    domain = find_domain(dbsession, workspace_id, hostname) if hostname else None
    if domain is None:
        raise ApiError.for_field(404, "path", "hostname", f"no domain {text!r} in this workspace")
    return domain


def list_domains(dbsession, workspace_id, limit, cursor="0", status=None):
    """One page, newest first, keyset order on (created_at, hostname) like codes: stable while paging."""
    filters = [Domain.workspace_id == workspace_id]
    if status is not None:
        filters.append(Domain.verified_at.is_(None) if status == "pending" else Domain.verified_at.is_not(None))
    return keyset_page(dbsession, Domain, Domain.hostname, filters, limit, cursor)


def verify_domain(dbsession, settings, dns_settings, workspace_id, text):
    """Look the TXT record up now: the verified domain, or 409 saying what DNS answered.

    A domain verified once stays verified (re-checking would break printed codes when a customer
    tidies their DNS); an already verified domain answers 200 without asking DNS again.
    """
    domain = get_domain(dbsession, settings, workspace_id, text)
    if domain.verified_at is not None:
        return domain
    if verified_elsewhere(dbsession, workspace_id, domain.hostname):
        raise taken_elsewhere(domain.hostname)
    outcome = check_txt(dns_settings, domain.hostname, domain.token)
    if not outcome.verified:
        raise ApiError(409, outcome.message)
    try:
        with dbsession.begin_nested():        # the partial unique index decides a race between workspaces
            domain.verified_at = utcnow()
            dbsession.flush()
    except IntegrityError:
        raise taken_elsewhere(domain.hostname)
    return domain


def codes_on(dbsession, workspace_id, hostname):
    """How many of the workspace's codes are printed on `hostname`."""
    return dbsession.scalar(select(func.count()).select_from(QrCode)
                            .where(QrCode.workspace_id == workspace_id, QrCode.domain == hostname))


def delete_domain(dbsession, settings, workspace_id, text):
    """Remove the claim, or 409 while any code of the workspace is printed on it."""
    domain = get_domain(dbsession, settings, workspace_id, text)
    in_use = codes_on(dbsession, workspace_id, domain.hostname)
    if in_use:
        raise ApiError(409, f"{in_use} code(s) are printed on {domain.hostname}; a printed code cannot move, "
                            "so the domain stays while they exist.")
    try:
        with dbsession.begin_nested():        # a code created meanwhile: the foreign key refuses the delete
            dbsession.execute(delete(Domain).where(Domain.id == domain.id))
    except IntegrityError:
        raise ApiError(409, f"Codes are printed on {domain.hostname}; the domain stays while they exist.")
    return domain


def verified_hostnames(dbsession, workspace_id):
    """The workspace's verified hostnames: what a new code's `domain` may name."""
    return frozenset(dbsession.scalars(select(Domain.hostname).where(Domain.workspace_id == workspace_id,
                                                                     Domain.verified_at.is_not(None))))


def code_domain(value, verified, name="domain"):
    """The stored hostname for a code's `domain` (None: the redirect base), or ApiError 422 naming `name`.

    `verified` is the workspace's verified hostnames (`verified_hostnames`), read once per request
    or bulk chunk however many codes name a domain.
    """
    if value is None:
        return None
    try:
        hostname = normalize_hostname(value)
    except InvalidHostname as exc:
        raise ApiError.for_field(422, "body", name, str(exc))
    if hostname not in verified:
        raise ApiError.for_field(422, "body", name, f"{hostname} is not a verified domain of this workspace "
                                                    "(add it with POST /api/domains and verify it first)")
    return hostname


def requested_domain(dbsession, workspace_id, value, name="domain"):
    """`code_domain` for one create body; no query when the body names no domain."""
    if value is None:
        return None
    return code_domain(value, verified_hostnames(dbsession, workspace_id), name)


def is_verified_anywhere(dbsession, hostname):
    """Does any workspace hold `hostname` verified? (The TLS proxy's question, and the redirect's.)"""
    return bool(dbsession.scalar(select(exists().where(Domain.hostname == hostname,
                                                       Domain.verified_at.is_not(None)))))


def domain_json(domain):
    """The domain object of DESIGN.md §8 (`unicodeHostname` added for names people read)."""
    return {
        "hostname": domain.hostname,
        "unicodeHostname": unicode_hostname(domain.hostname),
        "status": domain.status,
        "verification": {"type": "TXT", "name": record_name(domain.hostname), "value": record_value(domain.token)},
        "createdAt": isoformat(domain.created_at),
        "verifiedAt": isoformat(domain.verified_at),
    }
