"""HMAC signatures for the password form (CSRF token, unlock cookie) and keyed client fingerprints."""
import hashlib
import hmac

from exaroutes.protections.keys import SIGNING_INFO, derive_key

#: registry key of the form-signing key (set by `exaroutes.scan.includeme`)
SIGNING_KEY = "exaroutes.protections.signing_key"


def derive_signing_key(settings):
    """32 bytes derived from EXAROUTES_SECRET, or None when no secret is configured."""
    secret = settings.get("exaroutes.secret") or ""
    if not secret:
        return None
    return derive_key(secret, SIGNING_INFO)


def sign(key, *parts):
    message = "\x1f".join(str(part) for part in parts).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_matches(key, signature, *parts):
    return hmac.compare_digest(signature.encode("utf-8"), sign(key, *parts).encode("utf-8"))


def client_fingerprint(request):
    """Who is guessing, as a keyed hash of the client address: the database never holds an IP."""
    return sign(request.registry[SIGNING_KEY], "client", request.client_addr or "-")[:32]
