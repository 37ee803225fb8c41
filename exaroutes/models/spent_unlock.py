"""Unlock cookies of password codes that were used: each opens its code once."""
import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base


class SpentUnlock(Base):
    """The SHA-256 of a used unlock cookie; the primary key lets exactly one request spend it.

    Rows are only needed while the cookie could still be valid (UNLOCK_SECONDS) and are deleted after."""

    __tablename__ = "spent_unlocks"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    spent_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
