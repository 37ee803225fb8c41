"""Webhook endpoints and the outbox of deliveries (DESIGN.md §6).

The outbox *is* the delivery table: one row per (event, endpoint), holding the exact JSON body that
will be signed and sent. It is written in the transaction that caused the event (a scan batch's
commit, an API request's), so an event exists exactly when its cause does; workers then deliver the
rows (exaroutes.webhooks.delivery). A row is claimed with a lease rather than deleted when taken, so
a worker killed mid-delivery leaves it to be sent again once the lease runs out: at least once.
"""
import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exaroutes.models.meta import Base, BigId

ENABLED, DISABLED = "enabled", "disabled"
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        # Keyset paging of a workspace's endpoints, newest first (same paging as codes).
        Index("ix_webhook_endpoints_workspace_created", "workspace_id", "created_at", "public_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)       # wh_…, the only id the API shows
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"))
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list] = mapped_column(JSON, default=list)              # [] = every event type
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ENABLED)
    # Signing secrets, Fernet-encrypted (exaroutes.protections.encryption); the plaintext is shown once.
    secret: Mapped[str] = mapped_column(Text)
    # After a rotation the old secret still signs (a second signature) until previous_secret_until.
    previous_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_secret_until: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # What the dispatcher asks: pending rows whose next attempt is due.
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        # The delivery log of one endpoint, newest first.
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "public_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)       # dlv_…
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(32))                    # evt_…, also the webhook-id header
    type: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)                              # the envelope, exactly as signed
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    tries_left: Mapped[int] = mapped_column(Integer)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    # Claimed by a worker until then; a killed worker's claim runs out and the row is sent again.
    leased_until: Mapped[datetime.datetime | None] = mapped_column(DateTime, nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime)
