"""`scans` and `pending_scans` share their column declarations (models/scan.py ScanColumns); the tables
the migrations made must still be exactly what the models describe, on SQLite and PostgreSQL
(alembic's autogenerate compare finds nothing to change in either table)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from exaroutes.models import Base, PendingScan, Scan

SCAN_TABLES = {"scans", "pending_scans"}


def touched_tables(diff):
    """The tables an autogenerate diff would change (its entries are tuples, or lists of tuples)."""
    for entry in diff:
        if isinstance(entry, list):
            yield from touched_tables(entry)
            continue
        for part in entry[1:]:
            table = getattr(part, "table", None)
            if table is not None:
                yield table.name
            elif isinstance(part, str):
                yield part


def test_the_scan_tables_are_what_the_migrations_made(dbengine):
    with dbengine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert not SCAN_TABLES & set(touched_tables(diff)), diff


def test_both_tables_hold_the_same_columns():
    names = [column.name for column in Scan.__table__.columns]
    assert names == [column.name for column in PendingScan.__table__.columns]
    assert names[:3] == ["id", "code_id", "scanned_at"]
    assert [fk.target_fullname for fk in Scan.__table__.c.code_id.foreign_keys] == ["qr_codes.id"]
    assert not PendingScan.__table__.c.code_id.foreign_keys
