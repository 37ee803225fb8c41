"""The password form of a protected code: `GET /r/{id}` shows it, `POST /r/{id}/password` checks it.

CSRF without a login session ("signed double submit"): showing the form sets a random nonce in a
`SameSite=Strict`, `HttpOnly` cookie scoped to the code's path, and the hidden field carries an
HMAC of (code, nonce, expiry). A POST needs both, matching and unexpired; another site can neither
read the field nor send the cookie. A correct password earns a short-lived signed unlock cookie and a
303 back to `/r/{id}`, so the scan itself goes through the ordinary scan pipeline (counted once, capped,
enriched like any other) and the unlock is spent there. Spent means spent: the cookie's digest is
committed to `spent_unlocks` (its primary key lets one request win), so a copied or replayed cookie
opens nothing and is never counted as a second scan.
"""
import datetime
import hashlib
import secrets

from pyramid.httpexceptions import HTTPSeeOther
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from exaroutes.clock import UTC, utcnow
from exaroutes.models import SpentUnlock
from exaroutes.protections import attempts, passwords
from exaroutes.protections.signing import SIGNING_KEY, client_fingerprint, sign, signature_matches
from exaroutes.scan import pages

CSRF_COOKIE = "exr_csrf"
UNLOCK_COOKIE = "exr_unlock"
#: how long a shown form may be submitted
FORM_SECONDS = 30 * 60
#: how long a correct password opens the code (the unlock is spent by the next scan anyway)
UNLOCK_SECONDS = 60


def epoch(moment):
    return int(moment.replace(tzinfo=UTC).timestamp())


def _cookie_path(request, code):
    return request.route_path("scan", short_id=code.short_id)


def _set_cookie(request, response, code, name, value, max_age):
    response.set_cookie(name, value, max_age=max_age, path=_cookie_path(request, code), httponly=True,
                        samesite="Strict", secure=request.scheme == "https")


def form_response(request, code, message=None, status=200):
    """The form with a fresh CSRF nonce (cookie) and its signed token (hidden field)."""
    key = request.registry[SIGNING_KEY]
    nonce = secrets.token_urlsafe(16)
    expires = epoch(utcnow()) + FORM_SECONDS
    token = f"{expires}.{sign(key, 'csrf', code.short_id, nonce, expires)}"
    response = pages.password_page(request.route_path("scan_password", short_id=code.short_id), token, message,
                             status)
    _set_cookie(request, response, code, CSRF_COOKIE, nonce, FORM_SECONDS)
    return response


def _valid_signed(request, value, *parts):
    """`value` is `<expiry>.<signature over parts + expiry>`, unexpired."""
    expires, _, signature = (value or "").partition(".")
    # ASCII digits of a sane length only: int() refuses very long digit strings, and isdigit() alone
    # also accepts characters like "²" that int() rejects
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12) or int(expires) < epoch(utcnow()):
        return False
    return signature_matches(request.registry[SIGNING_KEY], signature, *parts, int(expires))


def csrf_ok(request, code, token):
    nonce = request.cookies.get(CSRF_COOKIE)
    return bool(nonce) and _valid_signed(request, token, "csrf", code.short_id, nonce)


def claim_unlock(engine, value, now):
    """Mark an unlock cookie as used (committed at once); False when another request used it first."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    try:
        with engine.begin() as connection:
            # A spent cookie expires UNLOCK_SECONDS after it was made; its row is of no use after that.
            connection.execute(delete(SpentUnlock).where(
                SpentUnlock.spent_at < now - datetime.timedelta(seconds=2 * UNLOCK_SECONDS)))
            connection.execute(insert(SpentUnlock).values(digest=digest, spent_at=now))
    except IntegrityError:
        return False
    return True


def spend_unlock(request, code):
    """True when the request carries a valid, unused unlock for this code (and its password); it is then
    used up, and the cookie cleared."""
    value = request.cookies.get(UNLOCK_COOKIE)
    if not _valid_signed(request, value, "unlock", code.short_id, code.password_hash):
        return False
    if not claim_unlock(request.registry["dbengine"], value, utcnow()):
        return False
    path = _cookie_path(request, code)
    request.add_response_callback(lambda request, response: response.delete_cookie(UNLOCK_COOKIE, path=path))
    return True


def _unlocked_redirect(request, code):
    key = request.registry[SIGNING_KEY]
    expires = epoch(utcnow()) + UNLOCK_SECONDS
    response = HTTPSeeOther(location=request.route_url("scan", short_id=code.short_id))
    response.headers["Cache-Control"] = "no-store"
    _set_cookie(request, response, code, UNLOCK_COOKIE,
                f"{expires}.{sign(key, 'unlock', code.short_id, code.password_hash, expires)}", UNLOCK_SECONDS)
    response.delete_cookie(CSRF_COOKIE, path=_cookie_path(request, code))
    return response


def password_post(request):
    """Check a password: 303 to the code when right, the form again (403) when wrong, 429 when guessing."""
    code = request.context.code       # exaroutes.scan.gate.password_code: active, unexpired, not capped
    if not csrf_ok(request, code, request.POST.get("csrf")):
        return form_response(request, code, "This form has expired. Please enter the password again.", 403)
    password = request.POST.get("password", "")
    if not password or len(password) > passwords.MAX_PASSWORD_LENGTH:
        return form_response(request, code, "Please enter the password.", 400)

    try:
        right = attempts.verify_limited(request.registry, code, password, client_fingerprint(request))
    except attempts.TooManyAttempts as limited:
        return pages.too_many_attempts_page(limited.retry_after)
    if not right:
        return form_response(request, code, "Wrong password. Please try again.", 403)
    return _unlocked_redirect(request, code)
