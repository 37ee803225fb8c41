"""The guess limiter of password-protected codes: at most N attempts per code and client per window.

An attempt is recorded (and committed, on its own connection) *before* the password is checked, so
the failed request's rollback cannot erase it and concurrent guesses all see each other: of any burst,
at most N get checked. A correct password clears the client's attempts on that code.
"""
import datetime
import math

from sqlalchemy import delete, func, insert, select

from exaroutes.models import PasswordAttempt


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
