"""Dashboard sessions the server can end: the signed cookie names one of these rows."""
import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base


class DashboardSession(Base):
    """One sign-in. The cookie carries a random id; only its SHA-256 is stored, so the table alone
    (a backup, a read-only leak) cannot be turned into a working cookie. Sign-out sets `ended_at`."""

    __tablename__ = "dashboard_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
