"""The bulk worker: make a job's codes in committed chunks, build the archive once, recover lost work.

Crash safety comes from the database, not from the queue (DESIGN.md §1.6):
- an item is done exactly when its `bulk_items` row is committed, in the same transaction as its
  code; a crash loses only the uncommitted chunk, and a re-run makes only the missing items;
- the primary key (job, position) rejects a second worker's copy of an item, so a slice that runs
  twice (a re-queued task, two workers) rolls that chunk back instead of duplicating codes;
- completion is one conditional UPDATE (`… WHERE status IN ('queued', 'processing')`): of several
  workers finishing together exactly one builds the archive;
- a worker makes a slice only under its lease (exaroutes.bulk.leases): a killed worker's slice is
  queued again within seconds, a stopping worker hands its slice back between two chunks;
- the sweeper deletes archives past their 7 days (and checks the leases once more);
- an item the database refuses although it was validated (a value the database cannot hold, a
  constraint that keeps failing) never blocks its job: the chunk is made again one item per
  transaction, and the item that is refused on its own ends `failed` with its error in the manifest.
  Only errors of the database itself (OperationalError: down, locked) are left to huey's retries.
"""
import functools
import logging
import time

import transaction
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, StatementError

from exaroutes.bulk.items import item_design
from exaroutes.bulk.jobs import item_counts, job_item, job_json, result_ttl
from exaroutes.clock import utcnow
from exaroutes.codes.service import new_dynamic_code, remember_logo
from exaroutes.domains.service import verified_hostnames
from exaroutes.errors import ApiError
from exaroutes.bulk import leases
from exaroutes.bulk.archive import build_archive
from exaroutes.models import BulkArchive, BulkItem, BulkJob, get_tm_session
from exaroutes.models.bulk import COMPLETED, FAILED, PROCESSING, UNFINISHED
from exaroutes.webhooks.delivery import wake
from exaroutes.webhooks.outbox import BULK_COMPLETED, add_event

log = logging.getLogger(__name__)

DONE, MADE, RACED, REFUSED = "done", "made", "raced", "refused"
MAX_RACES = 5
#: what an item that the database refuses on its own reports (the value is never logged: it may be secret)
REFUSED_ERROR = "[{position}]: could not be stored (the database refused a value of this item)"


def unit_of_work(registry):
    """A fresh transaction manager and its session: a task runs its own transactions."""
    tm = transaction.TransactionManager(explicit=True)
    return tm, lambda: get_tm_session(registry["dbsession_factory"], tm)


def make_item(registry, job, position, item, proven, verified_domains):
    """(code, None) for one item, its image rendered but not yet stored; (None, why) if it cannot be made.

    Nothing touches the database here: a chunk renders all its items first and then writes them in
    one go, so the write transaction (on SQLite the one write lock, which the other consumer thread
    waits for) lasts the INSERTs and the commit, not the rendering.

    `proven` is the chunk's set of looks already decoded (exaroutes.imaging.render.render): the items of
    a job differ only in their 8-character ids, so the first item of each look in a chunk is decoded
    with zxing-cpp and the others are drawn the same way without decoding again.
    """
    try:
        design, options, routing, domain = item_design(registry, item, position, verified_domains)
        return new_dynamic_code(registry, registry.settings, job.workspace_id, design, prefix=f"[{position}].",
                                options=options, proven=proven, routing=routing, domain=domain), None
    except ApiError as exc:    # validation, rendering
        log.warning("bulk job %s item %d failed: %s", job.bulk_id, position, exc.message)
        return None, exc.message
    except Exception:
        # A renderer bug must not make the item fail forever in a loop of retries and re-queues.
        log.exception("bulk job %s item %d could not be made", job.bulk_id, position)
        return None, f"[{position}]: internal error while making this code"


def store_items(dbsession, job, made):
    """Insert the chunk's codes (one multi-row INSERT), then their items, which name the codes' ids."""
    dbsession.add_all([code for _, code, _ in made if code is not None])
    dbsession.flush()
    dbsession.add_all([BulkItem(job_id=job.id, position=position, code_id=code.id if code is not None else None,
                                error=error) for position, code, error in made])
    dbsession.flush()


def is_transient(exc):
    """The database (not the item) failed: down, locked, connection lost. huey retries these."""
    return isinstance(exc, (OperationalError, InterfaceError))


def run_chunk(registry, job_id, start, stop, chunk_size):
    """Make up to `chunk_size` missing items of [start, stop) in one transaction.

    Returns (outcome, positions tried): DONE when the range has nothing left to do (or the job is
    gone or finished), MADE after a committed chunk, RACED when another worker committed some of the
    same items first, REFUSED when the database refused to store something of the chunk.
    """
    todo = []
    tm, session = unit_of_work(registry)
    try:
        with tm:
            dbsession = session()
            job = dbsession.get(BulkJob, job_id)
            if job is None or job.status not in UNFINISHED:
                return DONE, todo
            done = set(dbsession.scalars(select(BulkItem.position).where(
                BulkItem.job_id == job_id, BulkItem.position >= start, BulkItem.position < stop)))
            todo = [p for p in range(start, stop) if p not in done][:chunk_size]
            if not todo:
                return DONE, todo
            proven = set()
            items = {position: job_item(registry.settings, job, position) for position in todo}
            # A domain deleted since the job was accepted fails its items (read once per chunk).
            verified = functools.cache(lambda: verified_hostnames(dbsession, job.workspace_id))
            made = [(position, *make_item(registry, job, position, items[position], proven, verified))
                    for position in todo]
            store_items(dbsession, job, made)
            for logo in {items[position].get("logo") for position, code, _ in made if code is not None}:
                remember_logo(dbsession, job.workspace_id, logo)
            # Last, so the job row is locked (PostgreSQL) only for the commit, not while rendering.
            dbsession.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(UNFINISHED))
                              .values(status=PROCESSING, touched_at=utcnow()))
    except IntegrityError:
        # Another worker committed some of these items first: nothing of ours was kept; look again.
        log.info("bulk job %d: items %d-%d raced with another worker; retrying", job_id, start, stop)
        return RACED, todo
    except (StatementError, ValueError) as exc:    # drivers raise e.g. UnicodeEncodeError unwrapped
        if is_transient(exc):
            raise
        log.warning("bulk job %d: the database refused items %s (%s)", job_id, todo,
                    type(getattr(exc, "orig", None) or exc).__name__)
        return REFUSED, todo
    return MADE, todo


def fail_item(registry, job_id, position):
    """Record item `position` as failed, in its own transaction (a race with another worker is fine)."""
    tm, session = unit_of_work(registry)
    try:
        with tm:
            session().add(BulkItem(job_id=job_id, position=position, code_id=None,
                                   error=REFUSED_ERROR.format(position=position)))
    except IntegrityError:
        pass     # another worker recorded this item first
    log.warning("bulk job %d: item %d failed: the database refused it", job_id, position)


def finish_if_complete(registry, job_id):
    """When every item is done: mark the job completed (or failed) and store its archive, once."""
    tm, session = unit_of_work(registry)
    with tm:
        dbsession = session()
        job = dbsession.get(BulkJob, job_id)
        if job is None or job.status not in UNFINISHED:
            return
        processed, succeeded = item_counts(dbsession, job_id)
        if processed < job.total:
            return
        now = utcnow()
        won = dbsession.execute(
            update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(UNFINISHED))
            .values(status=COMPLETED if succeeded else FAILED, completed_at=now, touched_at=now)).rowcount
        if not won:
            return
        archive, size = build_archive(dbsession, registry.settings, job_id, now)
        dbsession.add(BulkArchive(job_id=job_id, workspace_id=job.workspace_id, archive=archive, size=size,
                                  expires_at=now + result_ttl(registry.settings)))
        events = add_event(dbsession, job.workspace_id, BULK_COMPLETED, job_json(dbsession, job))
    if events:
        wake(registry)
    log.info("bulk job %s finished: %d of %d codes, archive %d bytes", job.bulk_id, succeeded, job.total,
             size)


def stopping(registry):
    """True once the worker process was asked to stop (SIGTERM): hand the slice back between chunks."""
    flag = registry.get("worker_stopping")
    return flag is not None and flag.is_set()


def run_slice(registry, job_id, start, stop):
    """Task `bulk.slice`: under the slice's lease, make its missing items, then finish the job if it is done.

    Without the lease (another live worker holds it, or it is finished) there is nothing to do here.
    """
    engine, keeper = registry["dbengine"], registry["bulk_leases"]
    lease = leases.claim(engine, job_id, start, registry.settings["exaroutes.jobs.lease_seconds"])
    if lease is None:
        log.info("bulk job %d: items %d-%d are held by another worker or done", job_id, start, stop)
        finish_if_complete(registry, job_id)     # a slice may be finished while the job is not marked yet
        return
    stop = lease.stop
    keeper.hold(lease)
    started = time.monotonic()
    chunk_size = full_size = registry.settings["exaroutes.jobs.bulk_chunk_size"]
    races = 0
    try:
        while (result := run_chunk(registry, job_id, start, stop, chunk_size))[0] != DONE:
            if lease.lost:
                return           # taken over while this worker stalled: the new owner goes on
            if stopping(registry):
                leases.release(engine, lease)
                log.info("stopping: bulk job %d items %d-%d handed back", job_id, start, stop)
                registry["tasks"]["bulk.slice"](job_id, start, stop)   # another worker goes on at once
                return
            outcome, tried = result
            races = races + 1 if outcome == RACED else 0
            if outcome == REFUSED or races > MAX_RACES:    # not a race any more: something of an item is refused
                races = 0
                if chunk_size > 1:
                    chunk_size = 1          # find the item(s) the database refuses, one per transaction
                else:
                    fail_item(registry, job_id, tried[0])
                    chunk_size = full_size  # found it; the rest of the slice goes on in full chunks
        leases.finish(engine, lease)
    finally:
        keeper.drop(lease)
    log.info("bulk job %d: items %d-%d done in %.1f s", job_id, start, stop, time.monotonic() - started)
    finish_if_complete(registry, job_id)




def expire_archives(registry, now):
    """Delete archives nobody fetched within their lifetime; their jobs then answer 410."""
    tm, session = unit_of_work(registry)
    with tm:
        return session().execute(delete(BulkArchive).where(BulkArchive.expires_at <= now)
                                 .execution_options(synchronize_session=False)).rowcount


def sweep(registry):
    """Periodic task `bulk.sweep` (and once when a worker starts): abandoned slices, expired archives."""
    requeued = leases.requeue_free_slices(registry["dbengine"], registry["tasks"]["bulk.slice"],
                                          registry.settings["exaroutes.jobs.stale_seconds"])
    expired = expire_archives(registry, utcnow())
    return {"requeued": sorted({job_id for job_id, _, _ in requeued}), "expired": expired}
