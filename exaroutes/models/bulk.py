"""Bulk jobs: the request as it was validated, which items are done, and the one-shot archive.

The job row is the source of truth for a worker (DESIGN.md §1.6). An item is done exactly when its
`bulk_items` row exists; that row commits in the same transaction as the code it names, and its
primary key (job, position) makes a second worker's attempt at the same item fail instead of
creating a duplicate. Progress counters are counted from these rows, so they can never drift.
"""
import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from exaroutes.clock import utcnow
from exaroutes.models.meta import Base

QUEUED, PROCESSING, COMPLETED, FAILED = "queued", "processing", "completed", "failed"
UNFINISHED = (QUEUED, PROCESSING)


class BulkJob(Base):
    __tablename__ = "bulk_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulk_id: Mapped[str] = mapped_column(String(16), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    total: Mapped[int] = mapped_column(Integer)
    # The items exactly as the client sent them (already validated); the worker validates them
    # again with the same code, so a stored item always becomes the same code a POST would make.
    items: Mapped[list] = deferred(mapped_column(JSON, nullable=False))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    # Last sign of life (enqueue, committed chunk): the sweeper re-queues jobs silent for too long.
    touched_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class BulkItem(Base):
    """One item done: the code it made, or why it could not be made (`code_id` null)."""

    __tablename__ = "bulk_items"

    job_id: Mapped[int] = mapped_column(ForeignKey("bulk_jobs.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("qr_codes.id"))
    error: Mapped[str | None] = mapped_column(Text)


class BulkSlice(Base):
    """A range of a job's items, made by one worker at a time under a lease (exaroutes.bulk.leases).

    Written with the job, so a slice whose task was never queued (the queue was down) or was lost
    with its worker is still known and is queued again. `owner` and `lease_until` are set while a
    worker holds it; `finished_at` once all its items are committed.
    """

    __tablename__ = "bulk_slices"

    job_id: Mapped[int] = mapped_column(ForeignKey("bulk_jobs.id"), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime.datetime | None] = mapped_column(DateTime, index=True)
    queued_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class BulkArchive(Base):
    """The zip, served once: fetching deletes this row in the serving transaction."""

    __tablename__ = "bulk_archives"

    job_id: Mapped[int] = mapped_column(ForeignKey("bulk_jobs.id"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    archive: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    size: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
