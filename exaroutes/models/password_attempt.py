"""Password attempts on protected codes: what the guess limiter counts (exaroutes.protections.attempts)."""
import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base, BigId


class PasswordAttempt(Base):
    """One password attempt by one client on one code; `client` is a keyed hash, never an address."""

    __tablename__ = "password_attempts"
    __table_args__ = (Index("ix_password_attempts_code_client", "code_id", "client", "attempted_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id", ondelete="CASCADE"))
    client: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime.datetime] = mapped_column(DateTime)
