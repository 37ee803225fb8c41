"""Referrers come from clients' Referer headers: the rollups keep a bounded number of hosts per code and
day (the rest count as `other`), and the API and dashboard list the top N (default 10) plus `other`."""
import datetime

from sqlalchemy import func, select, text

from exaroutes.clock import utcnow
from exaroutes.models import QrCode
from exaroutes.codes.rollups import write_scans
from tests.helpers.dashboard import api_create, sign_in


def scans_from(code_id, when, hosts):
    """One scan per (host, count) pair repeated count times."""
    return [{"code_id": code_id, "scanned_at": when, "country": "DE", "referrer": host, "visitor": f"{host}-{i}"}
            for host, count in hosts for i in range(count)]


def referrer_rows(dbengine, code_id):
    with dbengine.connect() as connection:
        return dict(connection.execute(text(
            "SELECT value, SUM(scans) FROM scan_rollups WHERE code_id = :c AND dimension = 'referrer' GROUP BY value"),
            {"c": code_id}).all())


def test_rollups_keep_at_most_the_stored_number_of_hosts_per_day(testapp, auth, committed, dbengine):
    short_id = api_create(testapp, auth)["id"]
    code_id = committed(lambda db: db.scalar(select(QrCode.id).where(QrCode.short_id == short_id)))
    now = utcnow()
    first = [(f"site{i}.example", 2) for i in range(4)] + [(None, 3)]
    later = [("site0.example", 1), ("site9.example", 5), ("site10.example", 1)]
    with dbengine.begin() as connection:
        write_scans(connection, scans_from(code_id, now, first), referrer_limit=5)
        write_scans(connection, scans_from(code_id, now, later), referrer_limit=5)    # reads what is stored
        write_scans(connection, scans_from(code_id, now - datetime.timedelta(days=1), later), referrer_limit=5)
    rows = referrer_rows(dbengine, code_id)
    # today: site0-3 (4 hosts), then site9 is the 5th; site10 no longer fits and counts as other;
    # yesterday has room of its own (site0 1+2+1, site9 5+5, site10 only yesterday's)
    assert rows == {"site0.example": 4, "site1.example": 2, "site2.example": 2, "site3.example": 2,
                    "site9.example": 10, "site10.example": 1, "other": 1, "unknown": 3}
    with dbengine.connect() as connection:     # the raw rows keep every host
        hosts = connection.execute(select(func.count(text("DISTINCT referrer"))).select_from(text("scans"))).scalar()
    assert hosts == 6


def test_the_api_and_dashboard_list_the_top_10_and_other(testapp, api_key, auth, committed, dbengine):
    short_id = api_create(testapp, auth)["id"]
    code_id = committed(lambda db: db.scalar(select(QrCode.id).where(QrCode.short_id == short_id)))
    hosts = [(f"h{i:02}.example", 30 - i) for i in range(25)]       # h00 has most scans
    with dbengine.begin() as connection:
        write_scans(connection, scans_from(code_id, utcnow(), hosts))
    analytics = testapp.get(f"/api/qr/codes/{short_id}/analytics?days=7", headers=auth).json
    expected_top = [{"referrer": f"h{i:02}.example", "scans": 30 - i} for i in range(10)]
    other = sum(30 - i for i in range(10, 25))
    assert analytics["referrers"] == expected_top + [{"referrer": "other", "scans": other}]
    assert sum(entry["scans"] for entry in analytics["referrers"]) == analytics["totalScans"]

    sign_in(testapp, api_key)
    page = testapp.get(f"/dashboard/codes/{short_id}?days=7")
    shown = [(bar["data-label"], int(bar["data-scans"])) for bar in page.html.select("#breakdown-referrers rect.bar")]
    assert shown == [(e["referrer"], e["scans"]) for e in analytics["referrers"]]
