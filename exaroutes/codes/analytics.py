"""Scan analytics of one code (DESIGN.md §1.5): the numbers the API and the dashboard both show.

They are read from the daily rollups (`scan_rollups`), never from the raw scans: a 90-day report
sums at most a few thousand small rows, however many millions of scans the code has. The rollups
are written in the same transaction as the raw scans (`exaroutes.codes.rollups`), when the pending
scans are folded; a reader folds what is pending first (`catch_up`), so nothing answered is missing.
"""
import datetime

from sqlalchemy import func, select

from exaroutes.clock import utcnow
from exaroutes.models import ScanRollup
from exaroutes.codes.fold import catch_up
from exaroutes.models.rollup import DIMENSIONS, OTHER

#: result key -> the rollup dimension it reports, which is also the key each entry names its value with
#: (`"countries": [{"country": "DE", "scans": 3}]`)
BREAKDOWNS = {name: dimension for dimension, name in DIMENSIONS.items()}
#: the breakdowns whose values come from clients (the Referer header): cut to the top N + `other`
OPEN_ENDED = ("referrers",)
DEFAULT_TOP = 10


def ranked(counts, key):
    """[{key: value, "scans": n}], most scans first, then by value."""
    return [{key: value, "scans": count}
            for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def top_and_other(counts, key, top):
    """The `top` values with most scans, then one `other` entry summing the rest (the rollups' own
    `other` row included), so the list stays short whatever clients send and still adds up to the total."""
    counts = dict(counts)
    other = counts.pop(OTHER, 0)
    entries = ranked(counts, key)
    other += sum(entry["scans"] for entry in entries[top:])
    return entries[:top] + ([{key: OTHER, "scans": other}] if other else [])


def route_breakdowns(code, by_dimension):
    """`rules` [{index, scans, uniqueScans}] by index and `variants` [{name, scans, uniqueScans}]:
    the code's current rules and variants (0 when not scanned yet), then any that a PUT removed but
    that still have scans in the window (variants in the code's order, removed ones by name)."""
    def counts(dimension, value):
        return {"scans": by_dimension.get(dimension, {}).get(value, 0),
                "uniqueScans": by_dimension.get(dimension + ".unique", {}).get(value, 0)}

    indexes = set(range(len(code.rules or ()))) | {int(value) for value in by_dimension.get("rule", {})}
    rules = [{"index": index, **counts("rule", str(index))} for index in sorted(indexes)]
    current = [variant["name"] for variant in code.variants or ()]
    removed = sorted(set(by_dimension.get("variant", {})) - set(current))
    variants = [{"name": name, **counts("variant", name)} for name in current + removed]
    return {"rules": rules, "variants": variants}


def code_analytics(dbsession, code, days, today=None, top=DEFAULT_TOP):
    """The analytics object of `code` for the `days` UTC days ending today (zero-filled)."""
    catch_up(dbsession)
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
    for name, dimension in BREAKDOWNS.items():
        counts = by_dimension.get(dimension, {})
        result[name] = top_and_other(counts, dimension, top) if name in OPEN_ENDED else ranked(counts, dimension)
    result.update(route_breakdowns(code, by_dimension))
    return result
