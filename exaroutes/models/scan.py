"""Scans: one row per counted request to `/r/{shortId}`. No raw IP is ever stored.

A scan is first written as a `PendingScan` by the request that answers it (one INSERT, committed
before the answer leaves); a folder then moves pending scans into `scans` and the daily rollups in
one transaction (exaroutes/codes/fold.py). So `scans` and the rollups always agree with each other,
and every answered scan is in exactly one of `pending_scans` and `scans`.
"""
import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base, BigId
from exaroutes.models.rollup import UNKNOWN


class ScanColumns:
    """The columns of a scan, declared once: `pending_scans` and `scans` hold the same rows (the fold
    moves each from one into the other), so a column added to one is added to both. `code_id` differs
    (a foreign key only in `scans`: see PendingScan), so each table declares it."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, sort_order=-2)
    scanned_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    country: Mapped[str] = mapped_column(String(16), default=UNKNOWN)
    device: Mapped[str | None] = mapped_column(String(16))
    os: Mapped[str | None] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(64))
    referrer: Mapped[str | None] = mapped_column(String(255))
    visitor: Mapped[str | None] = mapped_column(String(64))
    #: what sent the scan (exaroutes.routing): the index of the matching rule, or the variant's name
    rule: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str | None] = mapped_column(String(64))


class Scan(ScanColumns, Base):
    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_code_scanned", "code_id", "scanned_at"),)

    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id"), sort_order=-1)


class PendingScan(ScanColumns, Base):
    """An answered scan not yet folded into `scans` and the rollups: the redirect's only write.

    The same columns as `Scan`, and no index but the key, so the insert on the hot path stays cheap.
    No foreign key either: on PostgreSQL each check locks the code's row (FOR KEY SHARE), and a
    stream of scans of one code pays for that lock (measured: 3,000 `ScanRecorder.record` calls in one
    thread, synchronous_commit off, 811 µs wall / 68 µs CPU a scan with the key, 106 / 42 without).
    Codes are never deleted, and the fold's insert into `scans` checks the key.
    """
    __tablename__ = "pending_scans"

    code_id: Mapped[int] = mapped_column(Integer, sort_order=-1)
