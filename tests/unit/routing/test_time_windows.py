"""Weekdays and local time windows in IANA zones, across midnight and daylight-saving changes.

Every instant is given in UTC, as the scan clock gives it; what matters is the zone's wall clock.
"""
import datetime

import pytest

from exaroutes.routing.windows import TimeWindow, clock_minutes


def window(**time):
    return TimeWindow.from_json({"timezone": "Europe/Berlin", **time})


def utc(text):
    return datetime.datetime.fromisoformat(text)


def test_weekend_daytime_window_in_berlin():
    weekend = window(days=["sat", "sun"], **{"from": "09:00", "to": "17:00"})
    # Saturday 2026-06-06, Berlin is UTC+2 in summer
    assert not weekend.contains(utc("2026-06-06T06:59:59"))    # 08:59:59 local
    assert weekend.contains(utc("2026-06-06T07:00:00"))        # 09:00 local
    assert weekend.contains(utc("2026-06-07T14:59:59"))        # Sunday 16:59:59 local
    assert not weekend.contains(utc("2026-06-07T15:00:00"))    # 17:00 local: the end is excluded
    assert not weekend.contains(utc("2026-06-05T10:00:00"))    # Friday
    # Saturday 23:30 UTC is already Sunday 01:30 in Berlin: outside the hours, inside the days
    assert not weekend.contains(utc("2026-06-06T23:30:00"))


def test_days_alone_follow_the_local_date_not_utc():
    sunday = window(days=["sun"])
    assert sunday.contains(utc("2026-06-06T22:30:00"))         # Saturday in UTC, Sunday 00:30 in Berlin
    assert not sunday.contains(utc("2026-06-07T22:30:00"))     # Monday 00:30 in Berlin
    tokyo = TimeWindow.from_json({"days": ["mon"], "timezone": "Asia/Tokyo"})
    assert tokyo.contains(utc("2026-06-07T15:00:00"))          # Sunday UTC, Monday 00:00 in Tokyo


def test_a_window_whose_end_is_before_its_start_spans_midnight():
    night = window(days=["fri"], **{"from": "22:00", "to": "02:00"})
    assert night.contains(utc("2026-06-05T20:00:00"))          # Friday 22:00 local
    assert night.contains(utc("2026-06-05T23:59:00"))          # Saturday 01:59 local: Friday's night
    assert not night.contains(utc("2026-06-06T00:00:00"))      # Saturday 02:00 local
    assert not night.contains(utc("2026-06-05T19:59:00"))      # Friday 21:59 local
    assert not night.contains(utc("2026-06-04T23:00:00"))      # Friday 01:00 local belongs to Thursday's night
    every_night = window(**{"from": "22:00", "to": "06:00"})
    assert every_night.contains(utc("2026-06-03T02:00:00"))    # 04:00 local
    assert not every_night.contains(utc("2026-06-03T10:00:00"))


def test_until_the_end_of_the_day():
    evening = window(**{"from": "18:00", "to": "24:00"})
    assert evening.contains(utc("2026-01-10T22:59:59"))        # 23:59:59 local (winter, UTC+1)
    assert not evening.contains(utc("2026-01-10T23:00:00"))    # midnight


def test_spring_forward_moves_the_window_with_the_wall_clock():
    # Berlin goes from 02:00 CET to 03:00 CEST on Sunday 2026-03-29 (at 01:00 UTC).
    morning = window(**{"from": "09:00", "to": "10:00"})
    assert morning.contains(utc("2026-03-28T08:30:00"))        # Saturday: 09:30 CET is 08:30 UTC
    assert not morning.contains(utc("2026-03-29T08:30:00"))    # Sunday: 08:30 UTC is 10:30 CEST
    assert morning.contains(utc("2026-03-29T07:30:00"))        # Sunday: 09:30 CEST is 07:30 UTC
    skipped = window(**{"from": "02:00", "to": "03:00"})       # the hour that does not exist that night
    assert not skipped.contains(utc("2026-03-29T00:59:59"))    # 01:59:59 CET
    assert not skipped.contains(utc("2026-03-29T01:00:00"))    # 03:00 CEST: the clock jumped over it
    assert skipped.contains(utc("2026-03-30T00:30:00"))        # the next night 02:30 CEST exists


def test_fall_back_counts_the_repeated_hour_twice():
    # Berlin goes from 03:00 CEST back to 02:00 CET on Sunday 2026-10-25 (at 01:00 UTC).
    repeated = window(days=["sun"], **{"from": "02:00", "to": "03:00"})
    assert repeated.contains(utc("2026-10-25T00:30:00"))       # 02:30 CEST
    assert repeated.contains(utc("2026-10-25T01:30:00"))       # 02:30 CET, an hour later
    assert not repeated.contains(utc("2026-10-25T02:00:00"))   # 03:00 CET
    morning = window(**{"from": "09:00", "to": "10:00"})
    assert morning.contains(utc("2026-10-24T07:30:00"))        # Saturday 09:30 CEST
    assert morning.contains(utc("2026-10-25T08:30:00"))        # Sunday 09:30 CET
    assert not morning.contains(utc("2026-10-25T07:30:00"))    # Sunday 08:30 CET


def test_new_york_dst_too():
    # New York springs forward on 2026-03-08 at 07:00 UTC; a 08:00-09:00 window follows local time.
    ny = TimeWindow.from_json({"from": "08:00", "to": "09:00", "timezone": "America/New_York"})
    assert ny.contains(utc("2026-03-07T13:30:00"))             # 08:30 EST
    assert ny.contains(utc("2026-03-09T12:30:00"))             # 08:30 EDT
    assert not ny.contains(utc("2026-03-09T13:30:00"))         # 09:30 EDT


@pytest.mark.parametrize("text, minutes", [("00:00", 0), ("09:30", 570), ("23:59", 1439), ("24:00", 1440)])
def test_clock_minutes(text, minutes):
    assert clock_minutes(text) == minutes


@pytest.mark.parametrize("text", ["9:30", "09:60", "24:01", "25:00", "0930", "09:3a", "٠٩:٣٠", "09:30:00"])
def test_clock_minutes_rejects(text):
    with pytest.raises(ValueError):
        clock_minutes(text)
