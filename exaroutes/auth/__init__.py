"""Bearer-key authentication: every `/api/...` view needs permission `api`, granted to a valid key."""
from dataclasses import dataclass

from pyramid.security import Allowed, Denied
from pyramid.request import RequestLocalCache

from exaroutes.auth.keys import find_active_key
from exaroutes.clock import utcnow

API_PERMISSION = "api"


@dataclass(frozen=True)
class Identity:
    """Who is calling: the workspace every query is scoped to, and which key (for audit logs)."""

    workspace_id: int
    key_id: int
    key_prefix: str


def bearer_token(request):
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BearerKeyPolicy:
    """Pyramid 2 security policy. `request.identity` asks on every access, so the lookup is cached."""

    def __init__(self, touch_interval_seconds=60):
        self.touch_interval_seconds = touch_interval_seconds
        self.cache = RequestLocalCache(self.load_identity)

    def identity(self, request):
        return self.cache.get_or_create(request)

    def load_identity(self, request):
        token = bearer_token(request)
        if token is None:
            return None
        now = utcnow()
        key = find_active_key(request.dbsession, token, now)
        if key is None:
            return None
        # Record "last used" at most once a minute per key: no write on every request.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > self.touch_interval_seconds:
            key.last_used_at = now
        return Identity(workspace_id=key.workspace_id, key_id=key.id, key_prefix=key.prefix)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None else identity.key_prefix

    def permits(self, request, context, permission):
        if permission == API_PERMISSION and self.identity(request) is not None:
            return Allowed("valid API key")
        return Denied("no valid API key")

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def includeme(config):
    settings = config.get_settings()
    config.set_security_policy(BearerKeyPolicy(settings["exaroutes.keys.touch_interval_seconds"]))
