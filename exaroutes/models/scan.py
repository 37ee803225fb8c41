"""Scans: one row per counted request to `/r/{shortId}`. No raw IP is ever stored."""
import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base, BigId


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_code_scanned", "code_id", "scanned_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id"))
    scanned_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    country: Mapped[str] = mapped_column(String(16), default="unknown")
    device: Mapped[str | None] = mapped_column(String(16))
    os: Mapped[str | None] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(64))
    referrer: Mapped[str | None] = mapped_column(String(255))
    visitor: Mapped[str | None] = mapped_column(String(64))
