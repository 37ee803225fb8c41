"""Leases on bulk slices: a crashed worker's slice is taken over within seconds, not minutes.

A bulk job is cut into slices (`bulk_slices` rows, written with the job). huey's Redis queue has no
acknowledgement: a task popped by a worker that is then killed is gone. So the queue only *wakes*
workers; which worker makes a slice is decided here, in the database:

- `claim()`: a worker takes a slice with a conditional UPDATE (free, or its lease expired), under
  an owner token of its own; of two workers holding the same task, one wins, the other returns.
- `LeaseKeeper`: a thread in each worker process renews its leases every third of
  `exaroutes.jobs.lease_seconds` (10 s); a lease that could not be renewed (another worker took the
  slice over while this one stalled) is marked lost, and the slice loop stops at its next chunk.
- `requeue_free_slices()`: every `exaroutes.jobs.lease_check_seconds` (2 s) each worker looks for
  slices whose lease expired (a killed worker) or that were queued `stale_seconds` ago and never
  claimed (an enqueue that failed, a task lost with its worker before it claimed), and queues them
  again, once (a conditional UPDATE of `queued_at`).
- `release()`: a worker stopping on SIGTERM hands its slice back at once and queues it again.

Correctness never depends on the lease: an item is done exactly when its `bulk_items` row commits,
and the primary key (job, position) rejects a second copy (exaroutes.bulk.worker), so two workers on
one slice (a lease lost while its worker was paused) waste work but never duplicate a code.
Lease times are compared with the workers' clocks: keep them in sync (NTP), as for any lease.
"""
import datetime
import logging
import os
import socket
import threading
import time
import uuid

from sqlalchemy import and_, or_, select, update

from exaroutes.clock import utcnow
from exaroutes.models.bulk import UNFINISHED, BulkJob, BulkSlice

log = logging.getLogger(__name__)


class Lease:
    """One claimed slice; `lost` turns True when a renewal finds another owner (or none)."""

    def __init__(self, job_id, start, stop, owner):
        self.job_id, self.start, self.stop, self.owner = job_id, start, stop, owner
        self.lost = False

    def where(self):
        return (BulkSlice.job_id == self.job_id, BulkSlice.start == self.start, BulkSlice.owner == self.owner)


def owner_token():
    """Who holds a lease: host and process for the operator reading the table, and a random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claimable(now):
    return and_(BulkSlice.finished_at.is_(None),
                or_(BulkSlice.lease_until.is_(None), BulkSlice.lease_until < now))


def claim(engine, job_id, start, lease_seconds):
    """The slice's lease for this worker, or None when another live worker holds it or it is done."""
    now = utcnow()
    lease = Lease(job_id, start, None, owner_token())
    with engine.begin() as connection:
        won = connection.execute(
            update(BulkSlice).where(BulkSlice.job_id == job_id, BulkSlice.start == start, claimable(now))
            .values(owner=lease.owner, lease_until=now + datetime.timedelta(seconds=lease_seconds))
            .returning(BulkSlice.stop)).scalar()
    if won is None:
        return None
    lease.stop = won
    return lease


def renew(engine, leases, lease_seconds):
    """Extend every lease in `leases`; mark the ones that are no longer ours as lost."""
    until = utcnow() + datetime.timedelta(seconds=lease_seconds)
    with engine.begin() as connection:
        for lease in leases:
            if not connection.execute(update(BulkSlice).where(*lease.where()).values(lease_until=until)).rowcount:
                if not lease.lost:
                    log.warning("bulk job %d: lease on items %d-%d was taken over; stopping there",
                                lease.job_id, lease.start, lease.stop)
                lease.lost = True


def finish(engine, lease):
    """The slice is done: nobody needs to take it over any more."""
    with engine.begin() as connection:
        connection.execute(update(BulkSlice).where(*lease.where())
                           .values(finished_at=utcnow(), owner=None, lease_until=None))


def release(engine, lease):
    """Hand the slice back (a worker stopping): free at once, and marked as never queued."""
    with engine.begin() as connection:
        connection.execute(update(BulkSlice).where(*lease.where())
                           .values(owner=None, lease_until=None, queued_at=datetime.datetime(1970, 1, 1)))


def requeue_free_slices(engine, enqueue, stale_seconds):
    """Queue again every unfinished job's slice whose lease expired or that was never claimed in time.

    `enqueue(job_id, start, stop)` queues one slice; returns [(job_id, start, stop)] queued.
    """
    now = utcnow()
    stale = now - datetime.timedelta(seconds=stale_seconds)
    free = and_(BulkSlice.finished_at.is_(None),
                or_(BulkSlice.lease_until < now, and_(BulkSlice.lease_until.is_(None), BulkSlice.queued_at < stale)))
    with engine.begin() as connection:
        candidates = connection.execute(
            select(BulkSlice.job_id, BulkSlice.start, BulkSlice.stop, BulkSlice.owner)
            .join(BulkJob, BulkJob.id == BulkSlice.job_id)
            .where(free, BulkJob.status.in_(UNFINISHED)).order_by(BulkSlice.job_id, BulkSlice.start)).all()
        queued = []
        for job_id, start, stop, owner in candidates:
            # Conditional on what we read: of several workers looking at once, one queues the slice.
            if connection.execute(update(BulkSlice).where(BulkSlice.job_id == job_id, BulkSlice.start == start, free)
                                  .values(owner=None, lease_until=None, queued_at=now)).rowcount:
                queued.append((job_id, start, stop, owner))
    for job_id, start, stop, owner in queued:     # after the commit, as a request queues
        if owner:
            log.warning("bulk job %d: the lease on items %d-%d expired (%s is gone); queued again",
                        job_id, start, stop, owner)
        else:
            log.warning("bulk job %d: items %d-%d were queued but not started; queued again", job_id, start, stop)
        enqueue(job_id, start, stop)
    return [(job_id, start, stop) for job_id, start, stop, _ in queued]


class LeaseKeeper:
    """The worker process's lease thread: renews held leases and takes over abandoned slices."""

    def __init__(self, engine, enqueue, lease_seconds, check_seconds, stale_seconds):
        self.engine, self.enqueue = engine, enqueue
        self.lease_seconds, self.check_seconds, self.stale_seconds = lease_seconds, check_seconds, stale_seconds
        self.held = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = None

    def hold(self, lease):
        with self.lock:
            self.held.add(lease)

    def drop(self, lease):
        with self.lock:
            self.held.discard(lease)

    def start(self):
        self.thread = threading.Thread(target=self.run, name="bulk-leases", daemon=True)
        self.thread.start()

    def stop(self, timeout=10):
        """Stop and wait for the thread: one left running would take over slices for a queue nobody reads."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def run(self):
        renew_every = self.lease_seconds / 3
        next_renewal = next_check = time.monotonic()
        tick = min(renew_every, self.check_seconds) / 2
        while not self.stopped.wait(tick):
            clock = time.monotonic()
            try:
                if clock >= next_renewal:
                    next_renewal = clock + renew_every
                    with self.lock:
                        leases = list(self.held)
                    if leases:
                        renew(self.engine, leases, self.lease_seconds)
                if clock >= next_check:
                    next_check = clock + self.check_seconds
                    requeue_free_slices(self.engine, self.enqueue, self.stale_seconds)
            except Exception:  # noqa: BLE001 - a database or queue outage: try again next tick
                log.exception("bulk leases: renewal or takeover check failed; retrying")
