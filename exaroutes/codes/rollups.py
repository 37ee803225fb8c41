"""Write a batch of scans and fold them into the daily rollups, in the caller's transaction.

The raw rows, the visitors seen and the rollup counts change together in one transaction, so the
rollups always agree with the raw rows. Rollup rows are upserted in key order: two processes
writing overlapping batches then lock rows in the same order and cannot deadlock.
"""
import collections
import datetime
import functools

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from exaroutes.models import Scan, ScanRollup, ScanVisitor
from exaroutes.models.rollup import DIMENSIONS, OTHER, UNKNOWN

#: distinct referrer hosts kept per code and day (`exaroutes.analytics.referrer_hosts_stored`)
REFERRER_HOSTS_STORED = 50
#: every row of a batch names the same columns, so one compiled INSERT serves all
SCAN_COLUMNS = ("code_id", "scanned_at", "country", "device", "os", "browser", "referrer", "visitor",
                "rule", "variant")
#: what sent a routed scan (exaroutes.routing): dimension -> scan field; `<dimension>.unique` counts
#: the unique scans among them (a visitor's first scan of the code that day, as `unique` does)
ROUTES = {"rule": "rule", "variant": "variant"}


@functools.lru_cache(maxsize=None)
def statements(dialect_name):
    """The batch statements for one backend, built once so SQLAlchemy compiles them once.

    Both backends have INSERT ... ON CONFLICT, under their own dialect constructs. They run as
    executemany (SQLAlchemy's "insertmanyvalues" turns that into multi-row statements), so a batch of
    any size reuses one compiled statement.
    """
    module = postgresql if dialect_name == "postgresql" else sqlite
    visitors, rollups = ScanVisitor.__table__, ScanRollup.__table__
    remember_visitors = (module.insert(visitors).on_conflict_do_nothing()
                         .returning(visitors.c.code_id, visitors.c.day, visitors.c.visitor))
    upsert = module.insert(rollups)
    upsert = upsert.on_conflict_do_update(
        index_elements=[rollups.c.code_id, rollups.c.day, rollups.c.dimension, rollups.c.value],
        set_={"scans": rollups.c.scans + upsert.excluded.scans})
    return insert(Scan.__table__), remember_visitors, upsert


def mark_unique(connection, remember_visitors, scans):
    """Remember the batch's visitors and mark each scan `is_unique`: the first scan of a visitor new for
    the code that day, and every scan without a visitor hash (it cannot be matched to another scan).
    The rollups count these, and a scan's webhook event says so."""
    keys = sorted({(s["code_id"], s["scanned_at"].date(), s["visitor"]) for s in scans if s.get("visitor")})
    new = set()
    if keys:
        result = connection.execute(remember_visitors, [{"code_id": c, "day": d, "visitor": v} for c, d, v in keys])
        new = {(row.code_id, row.day, row.visitor) for row in result}
    for scan in scans:
        key = (scan["code_id"], scan["scanned_at"].date(), scan.get("visitor"))
        scan["is_unique"] = not scan.get("visitor") or key in new
        new.discard(key)


def rollup_counts(scans):
    """{(code_id, day, dimension, value): count} for a batch of scans marked by `mark_unique`."""
    counts = collections.Counter()
    for scan in scans:
        key = (scan["code_id"], scan["scanned_at"].date())
        unique = scan["is_unique"]
        counts[key + ("scans", "")] += 1
        if unique:
            counts[key + ("unique", "")] += 1
        for dimension in DIMENSIONS:
            counts[key + (dimension, scan.get(dimension) or UNKNOWN)] += 1
        for dimension, field in ROUTES.items():
            if scan.get(field) is not None:
                counts[key + (dimension, str(scan[field]))] += 1
                if unique:
                    counts[key + (dimension + ".unique", str(scan[field]))] += 1
    return counts


def cap_referrers(connection, counts, limit):
    """Count referrer hosts beyond the first `limit` of a code's day as `other`.

    The Referer header is the client's to choose: without a cap, anyone could add a rollup row per
    request (the production review found 22,580 hosts, a 1.2 MB analytics answer, for one code).
    The raw scans keep every host; the rollups keep at most `limit` + `unknown` + `other` per day.
    Two writers committing at once may each add a host, so the cap can be passed by a few rows.
    """
    days = {(c, d) for (c, d, dimension, _) in counts if dimension == "referrer"}
    if not days:
        return counts
    rollups = ScanRollup.__table__
    stored = collections.defaultdict(set)
    for code_id, day, value in connection.execute(
            select(rollups.c.code_id, rollups.c.day, rollups.c.value)
            .where(rollups.c.dimension == "referrer", rollups.c.code_id.in_({c for c, _ in days}),
                   rollups.c.day.in_({d for _, d in days}))):
        stored[(code_id, day)].add(value)
    capped = collections.Counter()
    # A batch's new hosts with most scans take the free places first.
    for (code_id, day, dimension, value), count in sorted(counts.items(), key=lambda kv: (kv[0][:3], -kv[1], kv[0][3])):
        hosts = stored[(code_id, day)]
        if dimension == "referrer" and value not in hosts and value not in (UNKNOWN, OTHER):
            if len(hosts - {UNKNOWN, OTHER}) >= limit:
                value = OTHER
            hosts.add(value)
        capped[(code_id, day, dimension, value)] += count
    return capped


def write_scans(connection, scans, referrer_limit=REFERRER_HOSTS_STORED):
    """Insert `scans` (dicts of Scan columns) and update the rollups, in `connection`'s transaction."""
    if not scans:
        return
    insert_scans, remember_visitors, upsert = statements(connection.dialect.name)
    connection.execute(insert_scans, [{column: scan.get(column) for column in SCAN_COLUMNS} for scan in scans])
    mark_unique(connection, remember_visitors, scans)
    counts = rollup_counts(scans)
    counts = cap_referrers(connection, counts, referrer_limit)
    connection.execute(upsert, [{"code_id": c, "day": d, "dimension": dim, "value": v, "scans": n}
                                for (c, d, dim, v), n in sorted(counts.items())])


def prune_visitors(connection, today):
    """Forget visitor hashes older than yesterday: the daily salt means they can never match again."""
    connection.execute(delete(ScanVisitor).where(ScanVisitor.day < today - datetime.timedelta(days=1)))
