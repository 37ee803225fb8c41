"""Scan analytics of one code (DESIGN.md §1.5): the numbers the API and the dashboard both show.

They are read from the daily rollups (`scan_rollups`), never from the raw scans: a 90-day report
sums at most a few thousand small rows, however many millions of scans the code has. The rollups
are written in the same transaction as the raw scans (`exaroutes.scan.rollups`).
"""
import datetime

from sqlalchemy import func, select

from exaroutes.clock import utcnow
from exaroutes.models import ScanRollup

#: result key -> (rollup dimension, the key each entry names its value with)
BREAKDOWNS = {"countries": ("country", "country"), "devices": ("device", "device"), "os": ("os", "os"),
              "browsers": ("browser", "browser"), "referrers": ("referrer", "referrer")}


def ranked(counts, key):
    """[{key: value, "scans": n}], most scans first, then by value."""
    return [{key: value, "scans": count}
            for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def code_analytics(dbsession, code, days, today=None):
    """The analytics object of `code` for the `days` UTC days ending today (zero-filled)."""
    today = today or utcnow().date()
    first_day = today - datetime.timedelta(days=days - 1)
    in_window = (ScanRollup.code_id == code.id, ScanRollup.day >= first_day, ScanRollup.day <= today)
    per_day = dict(dbsession.execute(
        select(ScanRollup.day, ScanRollup.scans).where(*in_window, ScanRollup.dimension == "scans")).all())
    totals = dbsession.execute(
        select(ScanRollup.dimension, ScanRollup.value, func.sum(ScanRollup.scans))
        .where(*in_window, ScanRollup.dimension != "scans")
        .group_by(ScanRollup.dimension, ScanRollup.value)).all()
    by_dimension = {}
    for dimension, value, count in totals:
        by_dimension.setdefault(dimension, {})[value] = int(count)
    result = {
        "id": code.short_id, "days": days, "from": first_day.isoformat(), "to": today.isoformat(),
        "totalScans": sum(per_day.values()),
        # Visitor hashes rotate daily, so unique visitors add up over days.
        "uniqueScans": by_dimension.get("unique", {}).get("", 0),
        "timeseries": [{"date": (first_day + datetime.timedelta(days=i)).isoformat(),
                        "scans": per_day.get(first_day + datetime.timedelta(days=i), 0)} for i in range(days)],
    }
    for name, (dimension, key) in BREAKDOWNS.items():
        result[name] = ranked(by_dimension.get(dimension, {}), key)
    return result
