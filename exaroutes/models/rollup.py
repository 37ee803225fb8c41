"""Daily scan rollups: what the analytics read instead of the raw scan rows.

One row per (code, UTC day, dimension, value) holds a count, so a 90-day report reads at most a few
thousand small rows however many millions of scans a code has. The dimensions are `scans` and
`unique` (value ""), and `country`, `device`, `os`, `browser`, `referrer` (value = what was seen).

`scan_visitors` remembers which visitor hashes a code saw on a day, so `unique` counts each visitor
once a day. The hash rotates daily, so a hash never recurs on another day and old rows can be pruned.
"""
import datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base

#: rollup dimension (= the scan field it counts) -> the analytics breakdown that reports it
#: (exaroutes.codes.analytics.BREAKDOWNS derives from this); `scans` and `unique` are counted separately
DIMENSIONS = {"country": "countries", "device": "devices", "os": "os", "browser": "browsers",
              "referrer": "referrers"}
#: what a scan records when it cannot tell (no user agent, a private address) and what the rollups
#: count a missing value as
UNKNOWN = "unknown"
#: where referrer hosts beyond the stored ones of a code's day are counted
#: (exaroutes.codes.rollups writes, exaroutes.codes.analytics reads)
OTHER = "other"


class ScanRollup(Base):
    __tablename__ = "scan_rollups"

    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id"), primary_key=True)
    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    scans: Mapped[int] = mapped_column(BigInteger, default=0)


class ScanVisitor(Base):
    __tablename__ = "scan_visitors"

    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id"), primary_key=True)
    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)
