"""Dashboard sign-in: an API key is checked once, then a signed cookie carries the key's id.

The cookie holds the key id, its prefix, the workspace, when it signed in and a random session id,
and is signed with `exaroutes.secret`. Every request re-reads the key and the session's row
(`dashboard_sessions`), so revoking or expiring a key ends its dashboard sessions at once, and
signing out ends that session on the server: a copy of the cookie taken before sign-out is worth
nothing afterwards (a signed cookie alone would stay valid until it times out). A session also ends
after MAX_SESSION_AGE whatever it does.
"""
import datetime
import hashlib
import logging
import secrets
from dataclasses import dataclass

from pyramid.session import SignedCookieSessionFactory
from sqlalchemy import delete, select, update

from exaroutes.clock import utcnow
from exaroutes.models import ApiKey, DashboardSession

log = logging.getLogger(__name__)

COOKIE_NAME = "exaroutes_dashboard"
#: a session ends this long after sign-in, however active (the clock of exaroutes.clock decides)
MAX_SESSION_AGE = datetime.timedelta(hours=12)
#: and after this long without a request (the cookie's own signed timestamp decides)
IDLE_TIMEOUT_SECONDS = 2 * 3600


@dataclass(frozen=True)
class DashboardUser:
    """Who is signed in: every dashboard query is scoped to `workspace_id`."""

    workspace_id: int
    workspace_name: str
    key_id: int
    key_prefix: str


def make_session_factory(secret, secure=False):
    """Signed (not encrypted) cookie session: HttpOnly, SameSite=Strict, optionally Secure."""
    if not secret:
        # Without a configured secret, sessions still work for this process (and die with it).
        log.warning("exaroutes.secret is not set: dashboard sessions end when this process stops")
        secret = secrets.token_urlsafe(32)
    return SignedCookieSessionFactory(
        secret, cookie_name=COOKIE_NAME, httponly=True, samesite="Strict", secure=secure,
        timeout=IDLE_TIMEOUT_SECONDS, reissue_time=60, salt="exaroutes.dashboard.session.")


def session_digest(session_id):
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def sign_in(request, key):
    """Start a fresh session for `key` (a new session id, so a planted cookie cannot be reused)."""
    now = utcnow()
    key.last_used_at = now                         # operators see dashboard use in `exaroutes-keys list`
    session_id = secrets.token_urlsafe(32)
    dbsession = request.dbsession
    # Rows of sessions that have timed out whatever happened are of no use any more.
    dbsession.execute(delete(DashboardSession).where(DashboardSession.created_at < now - MAX_SESSION_AGE))
    dbsession.add(DashboardSession(digest=session_digest(session_id), key_id=key.id, created_at=now))
    request.session.invalidate()
    request.session.update({"key_id": key.id, "key_prefix": key.prefix, "workspace_id": key.workspace_id,
                            "signed_in_at": now.isoformat(), "session_id": session_id})
    request.session.new_csrf_token()


def sign_out(request):
    """End this session on the server, then in the browser."""
    session_id = request.session.get("session_id")
    if isinstance(session_id, str):
        request.dbsession.execute(update(DashboardSession)
                                  .where(DashboardSession.digest == session_digest(session_id),
                                         DashboardSession.ended_at.is_(None))
                                  .values(ended_at=utcnow()))
    request.session.invalidate()


def session_is_live(request, key_id):
    """The cookie's session id names a session of this key that nobody signed out of."""
    session_id = request.session.get("session_id")
    if not isinstance(session_id, str):
        return False
    row = request.dbsession.get(DashboardSession, session_digest(session_id))
    return row is not None and row.key_id == key_id and row.ended_at is None


def signed_in_user(request):
    """The DashboardUser of this request's session, or None (and the session is dropped) if it ended."""
    session = request.session
    key_id = session.get("key_id")
    if key_id is None:
        return None
    now = utcnow()
    try:
        signed_in_at = datetime.datetime.fromisoformat(session.get("signed_in_at", ""))
    except ValueError:
        signed_in_at = None
    key = request.dbsession.scalar(select(ApiKey).where(ApiKey.id == key_id))
    if (signed_in_at is None or now - signed_in_at > MAX_SESSION_AGE or key is None
            or key.workspace_id != session.get("workspace_id") or key.state(now) != "active"
            or not session_is_live(request, key.id)):
        session.invalidate()
        return None
    return DashboardUser(workspace_id=key.workspace_id, workspace_name=key.workspace.name, key_id=key.id,
                         key_prefix=key.prefix)
