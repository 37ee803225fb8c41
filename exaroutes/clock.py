"""The one source of "now" and the one timestamp format of the API.

Everything that asks for the time calls `utcnow()`, so tests can move the clock (key grace periods,
expiry) by replacing `clock.source`, one attribute, instead of patching datetime everywhere.
"""
import datetime

UTC = datetime.timezone.utc


def system_time():
    return datetime.datetime.now(UTC).replace(tzinfo=None)


#: where "now" comes from (naive UTC); tests swap it for a controllable clock
source = system_time


def utcnow():
    """Naive UTC now, truncated to milliseconds: what the database stores and the API shows."""
    now = source()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def isoformat(moment):
    """`2026-05-21T15:00:00.000Z`: UTC, milliseconds, `Z`, as DESIGN.md §1.2 requires."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
