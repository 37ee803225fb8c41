"""The bulk worker: make a job's codes in committed chunks, build the archive once, recover lost work.

Crash safety comes from the database, not from the queue (DESIGN.md §1.6):
- an item is done exactly when its `bulk_items` row is committed, in the same transaction as its
  code; a crash loses only the uncommitted chunk, and a re-run makes only the missing items;
- the primary key (job, position) rejects a second worker's copy of an item, so a slice that runs
  twice (a re-queued task, two workers) rolls that chunk back instead of duplicating codes;
- completion is one conditional UPDATE (`… WHERE status IN ('queued', 'processing')`): of several
  workers finishing together exactly one builds the archive;
- the sweeper re-queues the missing slices of any job that made no progress for `stale_seconds`
  (a lost enqueue, a killed worker) and deletes archives past their 7 days.
"""
import datetime
import logging
import time

import transaction
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from exaroutes.bulk.items import item_design
from exaroutes.bulk.jobs import job_json, result_ttl, slices
from exaroutes.clock import utcnow
from exaroutes.codes.service import new_dynamic_code
from exaroutes.errors import ApiError
from exaroutes.bulk.archive import build_archive
from exaroutes.models import BulkArchive, BulkItem, BulkJob, get_tm_session
from exaroutes.models.bulk import COMPLETED, FAILED, PROCESSING, UNFINISHED
from exaroutes.webhooks.delivery import wake
from exaroutes.webhooks.outbox import BULK_COMPLETED, add_event

log = logging.getLogger(__name__)

DONE, MADE, RACED = "done", "made", "raced"
MAX_RACES = 5


def unit_of_work(registry):
    """A fresh transaction manager and its session: a task runs its own transactions."""
    tm = transaction.TransactionManager(explicit=True)
    return tm, lambda: get_tm_session(registry["dbsession_factory"], tm)


def make_item(registry, job, position, item, proven):
    """(code, None) for one item, its image rendered but not yet stored; (None, why) if it cannot be made.

    Nothing touches the database here: a chunk renders all its items first and then writes them in
    one go, so the write transaction (on SQLite the one write lock, which the other consumer thread
    waits for) lasts the INSERTs and the commit, not the rendering.

    `proven` is the chunk's set of looks already decoded (exaroutes.imaging.render.render): the items of
    a job differ only in their 8-character ids, so the first item of each look in a chunk is decoded
    with zxing-cpp and the others are drawn the same way without decoding again.
    """
    try:
        design, options = item_design(registry, item, position)
        return new_dynamic_code(registry, registry.settings, job.workspace_id, design, prefix=f"[{position}].",
                                options=options, proven=proven), None
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


def run_chunk(registry, job_id, start, stop):
    """Make up to `bulk_chunk_size` missing items of [start, stop) in one transaction.

    Returns DONE when the range has nothing left to do (or the job is gone or finished), MADE after
    a committed chunk, RACED when another worker committed some of the same items first.
    """
    tm, session = unit_of_work(registry)
    try:
        with tm:
            dbsession = session()
            job = dbsession.get(BulkJob, job_id)
            if job is None or job.status not in UNFINISHED:
                return DONE
            done = set(dbsession.scalars(select(BulkItem.position).where(
                BulkItem.job_id == job_id, BulkItem.position >= start, BulkItem.position < stop)))
            chunk_size = registry.settings["exaroutes.jobs.bulk_chunk_size"]
            todo = [p for p in range(start, stop) if p not in done][:chunk_size]
            if not todo:
                return DONE
            items = job.items
            proven = set()
            store_items(dbsession, job, [(position, *make_item(registry, job, position, items[position], proven))
                                         for position in todo])
            # Last, so the job row is locked (PostgreSQL) only for the commit, not while rendering.
            dbsession.execute(update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(UNFINISHED))
                              .values(status=PROCESSING, touched_at=utcnow()))
    except IntegrityError:
        # Another worker committed some of these items first: nothing of ours was kept; look again.
        log.info("bulk job %d: items %d-%d raced with another worker; retrying", job_id, start, stop)
        return RACED
    return MADE


def finish_if_complete(registry, job_id):
    """When every item is done: mark the job completed (or failed) and store its archive, once."""
    tm, session = unit_of_work(registry)
    with tm:
        dbsession = session()
        job = dbsession.get(BulkJob, job_id)
        if job is None or job.status not in UNFINISHED:
            return
        processed, succeeded = dbsession.execute(
            select(func.count(), func.count(BulkItem.code_id)).where(BulkItem.job_id == job_id)).one()
        if processed < job.total:
            return
        now = utcnow()
        won = dbsession.execute(
            update(BulkJob).where(BulkJob.id == job_id, BulkJob.status.in_(UNFINISHED))
            .values(status=COMPLETED if succeeded else FAILED, completed_at=now, touched_at=now)).rowcount
        if not won:
            return
        archive = build_archive(dbsession, registry.settings, job_id, now)
        dbsession.add(BulkArchive(job_id=job_id, workspace_id=job.workspace_id, archive=archive, size=len(archive),
                                  expires_at=now + result_ttl(registry.settings)))
        events = add_event(dbsession, job.workspace_id, BULK_COMPLETED, job_json(dbsession, job))
    if events:
        wake(registry)
    log.info("bulk job %s finished: %d of %d codes, archive %d bytes", job.bulk_id, succeeded, job.total,
             len(archive))


def run_slice(registry, job_id, start, stop):
    """Task `bulk.slice`: make the missing items of [start, stop), then finish the job if it is done."""
    started = time.monotonic()
    races = 0
    while (outcome := run_chunk(registry, job_id, start, stop)) != DONE:
        races = races + 1 if outcome == RACED else 0
        if races > MAX_RACES:    # not a race any more but a real conflict: let huey retry later
            raise RuntimeError(f"bulk job {job_id}: items {start}-{stop} keep failing with integrity errors")
    log.info("bulk job %d: items %d-%d done in %.1f s", job_id, start, stop, time.monotonic() - started)
    finish_if_complete(registry, job_id)


def missing_slices(dbsession, job, size):
    """The slices of `job` that still have items to make; the last one if only finishing is left."""
    done = set(dbsession.scalars(select(BulkItem.position).where(BulkItem.job_id == job.id)))
    wanted = [(start, stop) for start, stop in slices(job.total, size)
              if any(p not in done for p in range(start, stop))]
    return wanted or slices(job.total, size)[-1:]


def requeue_stale_jobs(registry, now):
    """Queue again every unfinished job silent for `stale_seconds`; returns {job id: slices}."""
    settings = registry.settings
    cutoff = now - datetime.timedelta(seconds=settings["exaroutes.jobs.stale_seconds"])
    requeued = {}
    tm, session = unit_of_work(registry)
    with tm:
        dbsession = session()
        stale = dbsession.scalars(select(BulkJob)
                                  .where(BulkJob.status.in_(UNFINISHED), BulkJob.touched_at < cutoff)
                                  .order_by(BulkJob.id)).all()
        for job in stale:
            # Conditional on the value we read: of two sweepers, one re-queues the job.
            claimed = dbsession.execute(
                update(BulkJob).where(BulkJob.id == job.id, BulkJob.touched_at == job.touched_at)
                .values(touched_at=now)).rowcount
            if claimed:
                requeued[job.id] = missing_slices(dbsession, job, settings["exaroutes.jobs.bulk_slice_size"])
    task = registry["tasks"]["bulk.slice"]
    for job_id, wanted in requeued.items():    # after the commit, as in a request
        log.warning("bulk job %d made no progress for %ss; queuing %d slice(s) again", job_id,
                    settings["exaroutes.jobs.stale_seconds"], len(wanted))
        for start, stop in wanted:
            task(job_id, start, stop)
    return requeued


def expire_archives(registry, now):
    """Delete archives nobody fetched within their lifetime; their jobs then answer 410."""
    tm, session = unit_of_work(registry)
    with tm:
        return session().execute(delete(BulkArchive).where(BulkArchive.expires_at <= now)
                                 .execution_options(synchronize_session=False)).rowcount


def sweep(registry):
    """Periodic task `bulk.sweep`."""
    now = utcnow()
    requeued = requeue_stale_jobs(registry, now)
    expired = expire_archives(registry, now)
    return {"requeued": sorted(requeued), "expired": expired}
