"""Weekdays and a local time window in an IANA zone: "Sat and Sun, 09:00-17:00 Europe/Berlin".

The scan's instant (UTC) is turned into the zone's wall-clock time with `zoneinfo`, so daylight
saving changes need no special case: on the day clocks go forward the skipped hour simply never
appears, and on the day they go back the repeated hour is inside the window both times.

A window is `[from, to)`. When `to` is earlier than `from` the window spans midnight, and its part
after midnight belongs to the day it started on: `fri 22:00-02:00` holds at 01:00 on Saturday, not
on Friday. `to` may be `24:00` (the end of the day).
"""
from dataclasses import dataclass
import datetime
import functools
import zoneinfo

from exaroutes.routing.conditions import WEEKDAYS

UTC = datetime.timezone.utc


def clock_minutes(text):
    """`HH:MM` -> minutes since midnight; `24:00` is 1440. ValueError for anything else."""
    if len(text) != 5 or text[2] != ":" or not (text[:2] + text[3:]).isascii() \
            or not (text[:2] + text[3:]).isdigit():
        raise ValueError("must be a time like 09:30 (24-hour HH:MM)")
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError("must be a time between 00:00 and 24:00")
    return hours * 60 + minutes


@functools.lru_cache(maxsize=None)
def known_zones():
    """Every IANA zone name this installation knows (the `tzdata` package guarantees a full set)."""
    return frozenset(zoneinfo.available_timezones())


def zone(name):
    """A ZoneInfo for a name from `known_zones()` (zoneinfo caches the instances itself)."""
    return zoneinfo.ZoneInfo(name)


@functools.lru_cache(maxsize=1024)
def local_clock(zone_name, minute):
    """(weekday, minutes since midnight) in `zone_name` at `minute` (naive UTC, seconds dropped).

    Cached: every scan of a minute asks the same question, and the conversion is the costly part
    of a time rule (a few microseconds, against a fraction of one for a cache hit).
    """
    local = minute.replace(tzinfo=UTC).astimezone(zone(zone_name))
    return local.weekday(), local.hour * 60 + local.minute


def utc_minute(moment):
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    zone_name: str
    days: frozenset | None = None     # weekday numbers (Monday 0); None: every day
    start: int | None = None          # minutes since local midnight; None: the whole day
    end: int | None = None

    @classmethod
    def from_json(cls, time):
        """From a validated `time` condition: {"days"?, "from"?, "to"?, "timezone"}."""
        days = time.get("days")
        start, end = time.get("from"), time.get("to")
        zone(time["timezone"])                 # an unknown zone fails here, at compile time
        return cls(zone_name=time["timezone"],
                   days=frozenset(WEEKDAYS.index(day) for day in days) if days else None,
                   start=clock_minutes(start) if start is not None else None,
                   end=clock_minutes(end) if end is not None else None)

    def contains(self, moment):
        """Whether `moment` (naive UTC, as the clock gives it) falls inside the window."""
        return self.holds(*local_clock(self.zone_name, utc_minute(moment)))

    def holds(self, day, minute):
        """Whether local weekday `day` (Monday 0) at `minute` since midnight is inside the window."""
        if self.start is not None:
            if self.start < self.end:
                if not self.start <= minute < self.end:
                    return False
            elif minute < self.end:
                day = (day - 1) % 7           # the after-midnight part of yesterday's window
            elif minute < self.start:
                return False
        return self.days is None or day in self.days
