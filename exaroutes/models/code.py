"""QR codes: what was encoded, where a scan leads, and the image printed from it."""
import datetime

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer, LargeBinary,
                        String, Text)
from sqlalchemy.orm import Mapped, deferred, mapped_column

from exaroutes.clock import utcnow
from exaroutes.models.meta import Base


class QrCode(Base):
    __tablename__ = "qr_codes"
    __table_args__ = (
        # Keyset pagination of a workspace's codes, newest first (DESIGN.md §1.3).
        Index("ix_qr_codes_workspace_created", "workspace_id", "created_at", "short_id"),
        # A code printed on a custom domain (exaroutes.domains): the workspace's own claim, which
        # cannot be deleted while a code uses it; the index serves that check. (On SQLite migration
        # 0015 enforces it with a trigger instead: adding the key would copy the whole table.)
        ForeignKeyConstraint(["workspace_id", "domain"], ["domains.workspace_id", "domains.hostname"],
                             name="fk_qr_codes_domain_domains"),
        Index("ix_qr_codes_workspace_domain", "workspace_id", "domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    short_id: Mapped[str] = mapped_column(String(8), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    type: Mapped[str] = mapped_column(String(16), default="dynamic")
    data_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[object] = mapped_column(JSON)
    destination: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    style: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    protections: Mapped[list] = mapped_column(JSON, default=list)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Protections and limits (exaroutes.protections): only an argon2 hash of the password is kept;
    # scan_count counts the scans claimed against max_scans, so the cap is one atomic UPDATE.
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    expires_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    max_scans: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scan_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    lock_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Routing (exaroutes.routing, url codes only): the validated `rules` and `variants` lists as the API
    # takes them; NULL when none (such a code always leads to `destination`).
    rules: Mapped[list | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    variants: Mapped[list | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # The custom domain the code is printed on (its ASCII hostname), or None for the redirect base.
    # Kept on the row, so the redirect's host check needs nothing but the cached code; never changes.
    domain: Mapped[str | None] = mapped_column(String(253), nullable=True)
    # The printed image: rendered once at creation, never changed afterwards (the print is final).
    image: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    image_etag: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
