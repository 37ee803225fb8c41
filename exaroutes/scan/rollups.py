"""Write a batch of scans and fold them into the daily rollups, in the caller's transaction.

The raw rows, the visitors seen and the rollup counts change together in one transaction, so the
rollups always agree with the raw rows. Rollup rows are upserted in key order: two processes
writing overlapping batches then lock rows in the same order and cannot deadlock.
"""
import collections
import datetime
import functools

from sqlalchemy import delete, insert
from sqlalchemy.dialects import postgresql, sqlite

from exaroutes.models import Scan, ScanRollup, ScanVisitor

#: rollup dimension -> the scan field it counts (`scans` and `unique` are counted separately)
DIMENSIONS = {"country": "country", "device": "device", "os": "os", "browser": "browser",
              "referrer": "referrer"}
UNKNOWN = "unknown"
#: every row of a batch names the same columns, so one compiled INSERT serves all
SCAN_COLUMNS = ("code_id", "scanned_at", "country", "device", "os", "browser", "referrer", "visitor")


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
                         .returning(visitors.c.code_id, visitors.c.day))
    upsert = module.insert(rollups)
    upsert = upsert.on_conflict_do_update(
        index_elements=[rollups.c.code_id, rollups.c.day, rollups.c.dimension, rollups.c.value],
        set_={"scans": rollups.c.scans + upsert.excluded.scans})
    return insert(Scan.__table__), remember_visitors, upsert


def new_visitor_days(connection, remember_visitors, scans):
    """Count per (code, day) the visitors not seen before that day; remember them."""
    keys = sorted({(s["code_id"], s["scanned_at"].date(), s["visitor"]) for s in scans if s.get("visitor")})
    if not keys:
        return collections.Counter()
    result = connection.execute(remember_visitors, [{"code_id": c, "day": d, "visitor": v} for c, d, v in keys])
    return collections.Counter((row.code_id, row.day) for row in result)


def rollup_counts(scans, new_visitors):
    """{(code_id, day, dimension, value): count} for a batch of scans."""
    counts = collections.Counter()
    for scan in scans:
        key = (scan["code_id"], scan["scanned_at"].date())
        counts[key + ("scans", "")] += 1
        if not scan.get("visitor"):
            counts[key + ("unique", "")] += 1     # cannot be matched to another scan: unique
        for dimension, field in DIMENSIONS.items():
            counts[key + (dimension, scan.get(field) or UNKNOWN)] += 1
    for (code_id, day), count in new_visitors.items():
        counts[(code_id, day, "unique", "")] += count
    return counts


def write_scans(connection, scans):
    """Insert `scans` (dicts of Scan columns) and update the rollups, in `connection`'s transaction."""
    if not scans:
        return
    insert_scans, remember_visitors, upsert = statements(connection.dialect.name)
    connection.execute(insert_scans, [{column: scan.get(column) for column in SCAN_COLUMNS} for scan in scans])
    counts = rollup_counts(scans, new_visitor_days(connection, remember_visitors, scans))
    connection.execute(upsert, [{"code_id": c, "day": d, "dimension": dim, "value": v, "scans": n}
                                for (c, d, dim, v), n in sorted(counts.items())])


def prune_visitors(connection, today):
    """Forget visitor hashes older than yesterday: the daily salt means they can never match again."""
    connection.execute(delete(ScanVisitor).where(ScanVisitor.day < today - datetime.timedelta(days=1)))
