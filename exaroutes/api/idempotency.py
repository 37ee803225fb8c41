"""`Idempotency-Key` on POSTs that create things (DESIGN.md §1.1): a retry gets the first answer.

Decorate a Cornice view with `@idempotent` (under the service decorator, so validation runs first).
With the header, the key is claimed, (workspace, key) being unique in the database, *before* the
view runs, in the request's own transaction, and the response is stored in that same transaction:

- a retry after the first committed finds the row and gets the stored status, body and Location;
- a concurrent duplicate blocks on the unique key (PostgreSQL) or the write lock (SQLite), then
  fails to claim; it is retried by pyramid_retry and finds the committed answer, so one code exists;
- if the first request fails, its claim rolls back with it and the key is free again;
- the same key with another body (method, path and canonical JSON are hashed) is 422;
- a key older than 24 h is forgotten and may be used again.

The stored response is sealed (`exaroutes.protections.encryption.seal`) whenever the server has a
secret: the response to `encrypt: true` holds the plaintext destination, and this copy must not.
"""
import datetime
import functools
import hashlib
import json
import re

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from transaction.interfaces import TransientError

from exaroutes.api.openapi import document_parameter, responds
from exaroutes.clock import utcnow
from exaroutes.errors import ApiError, error_response, field_error
from exaroutes.models import IdempotencyKey
from exaroutes.protections.encryption import can_encrypt, seal, unseal

HEADER = "Idempotency-Key"
LIFETIME = datetime.timedelta(hours=24)
SANE_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyRace(TransientError):
    """Another request holds this key right now; pyramid_retry runs this request again."""


def request_fingerprint(request):
    """Same method, path and JSON (whatever its spacing or key order) → same fingerprint."""
    try:
        body = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        body = request.body
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


def idempotency_key(request):
    key = request.headers.get(HEADER)
    if key is not None and not SANE_KEY.match(key):
        raise ApiError.for_field(422, "header", HEADER, "must be 1-255 printable ASCII characters, no spaces")
    return key


def replay(request, stored, fingerprint):
    if stored.request_hash != fingerprint:
        raise ApiError.for_field(422, "header", HEADER,
                                 "already used for a different request; use a new key for a new request")
    request.response.status_code = stored.status_code
    if stored.location:
        request.response.location = stored.location
    request.response.headers["Idempotent-Replayed"] = "true"
    return unseal(request.registry.settings, stored.body)


def claim(dbsession, workspace_id, key, fingerprint, now):
    """Insert the key's row or raise IdempotencyRace; forgets an expired row of the same key first."""
    try:
        dbsession.execute(delete(IdempotencyKey).where(
            IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key,
            IdempotencyKey.created_at <= now - LIFETIME))
        row = IdempotencyKey(workspace_id=workspace_id, key=key, request_hash=fingerprint, created_at=now)
        dbsession.add(row)
        dbsession.flush()
    except (IntegrityError, OperationalError) as exc:
        raise IdempotencyRace(f"idempotency key in use: {type(exc).__name__}") from exc
    return row


def idempotent(view):
    @functools.wraps(view)
    def idempotent_view(request):
        key = idempotency_key(request)
        if key is None:
            return view(request)
        workspace_id = request.identity.workspace_id
        fingerprint = request_fingerprint(request)
        now = utcnow()
        stored = request.dbsession.scalar(select(IdempotencyKey).where(
            IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key,
            IdempotencyKey.created_at > now - LIFETIME))
        if stored is not None:
            return replay(request, stored, fingerprint)
        row = claim(request.dbsession, workspace_id, key, fingerprint, now)
        result = view(request)
        row.status_code = request.response.status_code
        settings = request.registry.settings
        row.body = seal(settings, result) if can_encrypt(settings) else result
        row.location = request.response.location
        return result

    document_parameter(idempotent_view, {
        "name": HEADER, "in": "header", "required": False,
        "description": "Retries with the same key and body within 24 h get the first response; another body is 422.",
        "schema": {"type": "string", "pattern": SANE_KEY.pattern}})
    return responds({409: "A request with this Idempotency-Key is still in progress."})(idempotent_view)


def race_lost(exc, request):
    """Only reached when pyramid_retry has no attempt left: the other request is still running."""
    return error_response(409, "A request with this Idempotency-Key is still in progress; retry it shortly.",
                          [field_error("header", HEADER, "in use by a request still in progress")],
                          {"Retry-After": "1"})


def includeme(config):
    config.add_exception_view(race_lost, IdempotencyRace)
