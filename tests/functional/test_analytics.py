"""Analytics from the daily rollups: the window, zero-filling, uniques, and agreement with the raw rows."""
import collections
import datetime

import pytest
from sqlalchemy import select

from exaroutes import clock
from exaroutes.codes.analytics import code_analytics
from exaroutes.models import QrCode, Scan
from exaroutes.codes.rollups import write_scans
from tests.helpers.agents import ANDROID_TABLET, IPHONE, WINDOWS_CHROME
from tests.helpers.http import new_code, scan


def code_by_short_id(db, short_id):
    return db.scalar(select(QrCode).where(QrCode.short_id == short_id))


@pytest.fixture
def set_now(monkeypatch):
    def move(moment):
        monkeypatch.setattr(clock, "source", lambda: moment)
    return move


def test_window_zero_fill_and_uniques(testapp, auth, committed, dbengine):
    short_id = new_code(testapp, auth)
    noon = datetime.datetime(2026, 5, 21, 12)
    code_id = committed(lambda db: code_by_short_id(db, short_id).id)
    with dbengine.begin() as connection:
        write_scans(connection, [
            {"code_id": code_id, "scanned_at": noon - datetime.timedelta(days=days_ago), "country": country,
             "visitor": visitor}
            for days_ago, country, visitor in ((0, "DE", "a"), (0, "DE", "a"), (1, "US", "b"), (3, "US", None),
                                               (40, "FR", "c"))])
    result = committed(lambda db: code_analytics(db, code_by_short_id(db, short_id), 7, datetime.date(2026, 5, 21)))
    assert result["from"] == "2026-05-15" and result["to"] == "2026-05-21" and result["days"] == 7
    assert [d["scans"] for d in result["timeseries"]] == [0, 0, 0, 1, 0, 1, 2]
    assert [d["date"] for d in result["timeseries"]][0] == "2026-05-15"
    assert result["totalScans"] == 4 and result["uniqueScans"] == 3
    assert result["countries"] == [{"country": "DE", "scans": 2}, {"country": "US", "scans": 2}]


def raw_analytics(db, code, first_day, last_day):
    """The same numbers computed the slow way, from every raw scan row of the window."""
    start = datetime.datetime.combine(first_day, datetime.time())
    end = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time())
    rows = db.execute(select(Scan).where(Scan.code_id == code.id, Scan.scanned_at >= start,
                                         Scan.scanned_at < end)).scalars().all()
    per_day = collections.Counter(row.scanned_at.date().isoformat() for row in rows)
    visitors_per_day = {(row.scanned_at.date(), row.visitor) for row in rows if row.visitor}
    breakdowns = {name: collections.Counter(getattr(row, column) or "unknown" for row in rows)
                  for name, column in (("countries", "country"), ("devices", "device"), ("os", "os"),
                                       ("browsers", "browser"), ("referrers", "referrer"))}
    return len(rows), len(visitors_per_day) + sum(1 for row in rows if not row.visitor), per_day, breakdowns


def test_rollups_agree_with_raw_rows(testapp, auth, committed, set_now):
    short_id = new_code(testapp, auth)
    other_id = new_code(testapp, auth)
    today = datetime.datetime(2026, 5, 21, 23, 59, 59)
    visits = [  # (days ago, address, user agent, referer)
        (0, "8.8.8.8", IPHONE, "https://news.example.org/a/b?c=d"),
        (0, "8.8.8.8", IPHONE, None),                      # same visitor, same day: not unique
        (0, "85.214.132.117", WINDOWS_CHROME, None),
        (1, "8.8.8.8", IPHONE, None),                      # same visitor, next day: unique again
        (1, "10.1.2.3", ANDROID_TABLET, "https://mail.example.com/"),
        (5, "85.214.132.117", ANDROID_TABLET, None),
        (20, "8.8.8.8", WINDOWS_CHROME, None),             # outside a 7-day window
    ]
    for days_ago, address, user_agent, referer in visits:
        set_now(today - datetime.timedelta(days=days_ago, hours=days_ago))
        scan(testapp, short_id, address, user_agent, referer)
    set_now(today)
    scan(testapp, other_id, "8.8.8.8", IPHONE)                  # another code's scan never leaks in

    for days in (1, 2, 7, 30):
        def check(db, days=days):
            code = code_by_short_id(db, short_id)
            result = code_analytics(db, code, days, today.date())
            total, unique, per_day, breakdowns = raw_analytics(
                db, code, today.date() - datetime.timedelta(days=days - 1), today.date())
            assert result["totalScans"] == total
            assert result["uniqueScans"] == unique
            assert {d["date"]: d["scans"] for d in result["timeseries"] if d["scans"]} == dict(per_day)
            for name, counts in breakdowns.items():
                assert {entry[list(entry)[0]]: entry["scans"] for entry in result[name]} == dict(counts), name
            return result
        result = committed(check)
    assert result["totalScans"] == 7 and result["uniqueScans"] == 6     # the 30-day window
    assert result["countries"] == [{"country": "US", "scans": 4}, {"country": "DE", "scans": 2},
                                   {"country": "unknown", "scans": 1}]
    assert result["devices"] == [{"device": "mobile", "scans": 3}, {"device": "desktop", "scans": 2},
                                 {"device": "tablet", "scans": 2}]
    assert {"referrer": "news.example.org", "scans": 1} in result["referrers"]


def test_analytics_endpoint(testapp, auth, set_now):
    short_id = new_code(testapp, auth)
    set_now(datetime.datetime(2026, 5, 21, 8, 0))
    scan(testapp, short_id, "8.8.8.8", IPHONE)
    body = testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=auth, status=200).json
    assert body["id"] == short_id and body["days"] == 30
    assert body["from"] == "2026-04-22" and body["to"] == "2026-05-21"
    assert len(body["timeseries"]) == 30 and body["timeseries"][-1] == {"date": "2026-05-21", "scans": 1}
    assert body["totalScans"] == 1 and body["uniqueScans"] == 1
    assert body["countries"] == [{"country": "US", "scans": 1}]
    assert body["os"] == [{"os": "iOS", "scans": 1}] and body["browsers"] == [{"browser": "Mobile Safari", "scans": 1}]
    ninety = testapp.get(f"/api/qr/codes/{short_id}/analytics?days=90", headers=auth, status=200).json
    assert len(ninety["timeseries"]) == 90 and ninety["from"] == "2026-02-21"
    one = testapp.get(f"/api/qr/codes/{short_id}/analytics?days=1", headers=auth, status=200).json
    assert one["timeseries"] == [{"date": "2026-05-21", "scans": 1}]


@pytest.mark.parametrize("query", ["days=0", "days=91", "days=abc", "days=1.5", "days=", "days=-1", "days=+5",
                                   "dayz=5"])
def test_bad_days_is_422_naming_the_field(testapp, auth, query):
    short_id = new_code(testapp, auth)
    body = testapp.get(f"/api/qr/codes/{short_id}/analytics?{query}", headers=auth, status=422).json
    assert body["errors"][0]["location"] == "querystring"
    assert body["errors"][0]["name"] == query.split("=")[0]


def test_analytics_of_another_workspace_or_without_key(testapp, auth, other_auth):
    short_id = new_code(testapp, auth)
    testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=other_auth, status=404)
    testapp.get("/api/qr/codes/ZZZZZZZZ/analytics", headers=auth, status=404)
    response = testapp.get(f"/api/qr/codes/{short_id}/analytics", status=401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="exaroutes"'
