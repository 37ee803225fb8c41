"""API keys: generation, hashing and the operator actions (create, list, revoke, rotate).

A key is shown once, when it is made; the database keeps only its SHA-256 digest (a key has 190+ bits
of randomness, so a fast hash is enough: there is nothing to brute-force) and a short visible prefix.
"""
import datetime
import hashlib
import re
import secrets

from sqlalchemy import select

from exaroutes.clock import utcnow
from exaroutes.models import ApiKey, Workspace

KEY_PATTERN = re.compile(r"^exr_(live|test)_[A-Za-z0-9_-]{32,128}$")
PREFIX_LENGTH = len("exr_live_") + 8


class KeyNotFound(LookupError):
    pass


def generate_key(test=False):
    return ("exr_test_" if test else "exr_live_") + secrets.token_urlsafe(32)


def key_digest(raw_key):
    return hashlib.sha256(raw_key.encode("ascii")).hexdigest()


def get_or_create_workspace(dbsession, name, test=False):
    workspace = dbsession.scalar(select(Workspace).where(Workspace.name == name))
    if workspace is None:
        workspace = Workspace(name=name, is_test=test)
        dbsession.add(workspace)
        dbsession.flush()
    return workspace


def create_key(dbsession, workspace, expires_at=None):
    """Store a new key of `workspace` and return the raw key (the only time it exists in clear)."""
    raw_key = generate_key(test=workspace.is_test)
    dbsession.add(ApiKey(workspace_id=workspace.id, prefix=raw_key[:PREFIX_LENGTH],
                         digest=key_digest(raw_key), expires_at=expires_at))
    dbsession.flush()
    return raw_key


def find_active_key(dbsession, raw_key, now=None):
    """The ApiKey for `raw_key` if it exists and is neither revoked nor expired, else None."""
    if not KEY_PATTERN.match(raw_key):
        return None
    key = dbsession.scalar(select(ApiKey).where(ApiKey.digest == key_digest(raw_key)))
    if key is None or key.state(now or utcnow()) != "active":
        return None
    return key


def keys_by_prefix(dbsession, prefix):
    keys = dbsession.scalars(select(ApiKey).where(ApiKey.prefix.startswith(prefix, autoescape=True))).all()
    if not keys:
        raise KeyNotFound(f"no key starts with {prefix!r}")
    return keys


def single_key(dbsession, prefix):
    keys = keys_by_prefix(dbsession, prefix)
    if len(keys) > 1:
        raise KeyNotFound(f"{len(keys)} keys start with {prefix!r}; give a longer prefix")
    return keys[0]


def revoke_key(dbsession, prefix):
    key = single_key(dbsession, prefix)
    key.revoked_at = key.revoked_at or utcnow()
    return key


def rotate_key(dbsession, prefix, grace=datetime.timedelta(hours=24)):
    """A new key for the same workspace; the old one keeps working for `grace`, then expires."""
    old = single_key(dbsession, prefix)
    now = utcnow()
    if old.state(now) != "active":
        raise KeyNotFound(f"key {old.prefix} is {old.state(now)}; only an active key can be rotated")
    expiry = now + grace
    old.expires_at = min(old.expires_at, expiry) if old.expires_at else expiry
    return create_key(dbsession, old.workspace), old
