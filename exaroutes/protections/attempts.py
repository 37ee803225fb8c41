"""The guess limiter of password-protected codes: at most N attempts per code and client per window.

An attempt is recorded (and committed, on its own connection) *before* the password is checked, so
the failed request's rollback cannot erase it and concurrent guesses all see each other: of any burst,
at most N get checked. A correct password clears the client's attempts on that code.

`verify_limited` is the one way a code's password is checked for a person: the scan form (clients
by address) and the dashboard's edit form (clients by signed-in key) both go through it.
"""
import datetime
import math

from sqlalchemy import delete, func, insert, select

from exaroutes.clock import utcnow
from exaroutes.models import PasswordAttempt
from exaroutes.protections.passwords import verify_password


class TooManyAttempts(Exception):
    """The client has used its attempts on this code; `retry_after` seconds until the next one."""

    def __init__(self, retry_after):
        super().__init__(f"too many password attempts; retry in {retry_after} s")
        self.retry_after = retry_after


def verify_limited(registry, code, password, client):
    """True for the right password, False for a wrong one; TooManyAttempts once over the limit.

    The attempt is recorded (committed) before the hash is checked, so a burst of guesses cannot
    get more than the limit checked, and a rollback of the request cannot erase it."""
    settings, engine, now = registry.settings, registry["dbengine"], utcnow()
    window, limit = settings["exaroutes.password.window_seconds"], settings["exaroutes.password.max_attempts"]
    if record_attempt(engine, code.id, client, now, window) > limit:
        raise TooManyAttempts(seconds_until_next_attempt(engine, code.id, client, now, window, limit))
    if not verify_password(code, password):
        return False
    clear_attempts(engine, code.id, client)
    return True


def record_attempt(engine, code_id, client, now, window_seconds):
    """Record one attempt; return how many this client made on this code within the window."""
    cutoff = now - datetime.timedelta(seconds=window_seconds)
    with engine.begin() as connection:
        connection.execute(delete(PasswordAttempt).where(PasswordAttempt.code_id == code_id,
                                                         PasswordAttempt.attempted_at <= cutoff))
        connection.execute(insert(PasswordAttempt).values(code_id=code_id, client=client, attempted_at=now))
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(PasswordAttempt).where(
            PasswordAttempt.code_id == code_id, PasswordAttempt.client == client,
            PasswordAttempt.attempted_at > cutoff))


def seconds_until_next_attempt(engine, code_id, client, now, window_seconds, max_attempts):
    """When the oldest attempt that keeps the client over the limit leaves the window (at least 1 s)."""
    cutoff = now - datetime.timedelta(seconds=window_seconds)
    with engine.connect() as connection:
        times = connection.scalars(select(PasswordAttempt.attempted_at).where(
            PasswordAttempt.code_id == code_id, PasswordAttempt.client == client,
            PasswordAttempt.attempted_at > cutoff).order_by(PasswordAttempt.attempted_at.desc())).all()
    if len(times) < max_attempts:
        return 1
    frees_at = times[max_attempts - 1] + datetime.timedelta(seconds=window_seconds)
    return max(1, math.ceil((frees_at - now).total_seconds()))


def clear_attempts(engine, code_id, client):
    with engine.begin() as connection:
        connection.execute(delete(PasswordAttempt).where(PasswordAttempt.code_id == code_id,
                                                         PasswordAttempt.client == client))
