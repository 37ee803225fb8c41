"""Idempotency keys: the first response to a POST, replayed to retries with the same key (24 h)."""
import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    # One winner per (workspace, key), even for concurrent duplicates: the database decides.
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_idempotency_keys_workspace_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path and the canonical JSON body: the same key with another body is a 422
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[object | None] = mapped_column(JSON)
    location: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
