"""Custom domains: a workspace's claim on a hostname, pending until DNS proves it, then verified.

Several workspaces may claim the same hostname while it is pending (a claim proves nothing), but
only one may hold it verified: a unique index on `hostname` restricted to verified rows makes
that a database guarantee, so two verifications racing each other cannot both win.

The verification token is published by the customer in public DNS, so it is no secret and is
stored as it is.
"""
import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.clock import utcnow
from exaroutes.models.meta import Base

#: a DNS name has at most 253 characters in its dotted text form
HOSTNAME_LENGTH = 253

VERIFIED = text("verified_at IS NOT NULL")


class Domain(Base):
    __tablename__ = "domains"
    __table_args__ = (
        # A workspace claims a hostname once; codes refer to (workspace_id, hostname).
        UniqueConstraint("workspace_id", "hostname", name="uq_domains_workspace_id_hostname"),
        # One verified owner per hostname across all workspaces.
        Index("uq_domains_verified_hostname", "hostname", unique=True,
              sqlite_where=VERIFIED, postgresql_where=VERIFIED),
        # Keyset pagination of a workspace's domains, newest first (like codes).
        Index("ix_domains_workspace_created", "workspace_id", "created_at", "hostname"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    hostname: Mapped[str] = mapped_column(String(HOSTNAME_LENGTH))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    verified_at: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)

    @property
    def status(self):
        return "pending" if self.verified_at is None else "verified"
