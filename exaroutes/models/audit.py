"""The audit log of dashboard edits to protected codes: who (key prefix), when, what changed, why.

Protected codes refuse API edits; the dashboard allows them, so each such edit leaves a row that the
code's page shows. Rows are only ever added, never changed.
"""
import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.clock import utcnow
from exaroutes.models.meta import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_code_at", "code_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    code_id: Mapped[int] = mapped_column(ForeignKey("qr_codes.id"))
    #: the visible prefix of the key that signed in (never the key itself)
    key_prefix: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    #: {"field": {"from": old, "to": new}}; an encrypted code's destinations are not copied here
    changes: Mapped[dict] = mapped_column(JSON)
    #: the protections the code had when it was edited
    protections: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
