"""Bulk jobs as the API sees them: creating, finding (within one workspace), reporting, one-shot result."""
import datetime
import secrets

from sqlalchemy import delete, func, select

from exaroutes.clock import isoformat, utcnow
from exaroutes.codes.ids import SHORT_ID_ALPHABET
from exaroutes.errors import ApiError
from exaroutes.models import BulkArchive, BulkItem, BulkJob, BulkSlice
from exaroutes.models.bulk import QUEUED, UNFINISHED
from exaroutes.protections.encryption import decrypt_bytes, seal, unseal

BULK_ID_LENGTH = 16


def new_bulk_id():
    """16 random characters of [A-Za-z0-9]: not guessable, so a job id leaks nothing."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(BULK_ID_LENGTH))


def is_bulk_id(text):
    return len(text) == BULK_ID_LENGTH and text.isascii() and text.isalnum()


def slices(total, size):
    """(start, stop) position ranges: each is one task, so several workers share a big job."""
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def stored_items(settings, items):
    """The items as the job row keeps them: an `encrypt: true` item sealed, so its data is never in clear."""
    return [seal(settings, item) if item.get("encrypt") is True else item for item in items]


def job_item(settings, job, position):
    """Item `position` of a job as the client sent it (unsealed)."""
    return unseal(settings, job.items[position])


def create_job(dbsession, settings, workspace_id, items, slice_size=100):
    """The job and its slices (the units workers lease: exaroutes.bulk.leases), in the caller's transaction."""
    now = utcnow()
    job = BulkJob(bulk_id=new_bulk_id(), workspace_id=workspace_id, status=QUEUED, total=len(items),
                  items=stored_items(settings, items), created_at=now, touched_at=now)
    dbsession.add(job)
    dbsession.flush()
    dbsession.add_all([BulkSlice(job_id=job.id, start=start, stop=stop, queued_at=now)
                       for start, stop in slices(job.total, slice_size)])
    dbsession.flush()
    return job


def queue_job(request, workspace_id, items):
    """Store a job and queue its slices once this request commits: the one create-and-enqueue.

    The API and the dashboard both call this, so a job is never stored without its slices queued. A
    queue that cannot be reached is a 503 before anything is stored (`request.require_queue`); one that
    fails between that check and the commit leaves the slices to the workers' lease check.
    """
    request.require_queue()
    settings = request.registry.settings
    size = settings["exaroutes.jobs.bulk_slice_size"]
    job = create_job(request.dbsession, settings, workspace_id, items, size)
    for start, stop in slices(job.total, size):
        request.enqueue_after_commit("bulk.slice", job.id, start, stop)
    return job


def item_counts(dbsession, job_id):
    """(processed, succeeded): counted from the committed item rows, so they never drift."""
    processed, succeeded = dbsession.execute(
        select(func.count(), func.count(BulkItem.code_id)).where(BulkItem.job_id == job_id)).one()
    return processed, succeeded


def result_available(dbsession, job_id, now):
    return dbsession.scalar(select(func.count()).select_from(BulkArchive)
                            .where(BulkArchive.job_id == job_id, BulkArchive.expires_at > now)) > 0


def job_json(dbsession, job):
    """The job status object of DESIGN.md §1.6."""
    processed, succeeded = item_counts(dbsession, job.id)
    return {
        "bulkId": job.bulk_id,
        "status": job.status,
        "total": job.total,
        "processed": processed,
        "succeeded": succeeded,
        "failed": processed - succeeded,
        "createdAt": isoformat(job.created_at),
        "completedAt": isoformat(job.completed_at),
        "resultAvailable": result_available(dbsession, job.id, utcnow()),
    }


def refuse_unfinished(job):
    if job.status in UNFINISHED:
        raise ApiError(409, f"Bulk job {job.bulk_id} is {job.status}; its result is ready once it is completed.")


def archive_gone(job):
    return ApiError(410, f"The result of bulk job {job.bulk_id} was already fetched or has expired "
                    "(results are kept for 7 days and served once); the codes remain.")


def this_archive(job):
    return (BulkArchive.job_id == job.id, BulkArchive.workspace_id == job.workspace_id,
            BulkArchive.expires_at > utcnow())


def opened_archive(settings, stored):
    """The zip of a stored archive: sealed (a Fernet token) when its manifest names encrypted codes.

    A zip starts with `PK`, a Fernet token with `gAAAAA`: the two can never be confused."""
    return stored if stored.startswith(b"PK") else decrypt_bytes(settings, stored)


def take_archive(dbsession, settings, job):
    """The archive bytes, deleted by the same statement that reads them (409 unfinished, 410 gone).

    One tenant-scoped `DELETE … RETURNING` in the serving transaction: of concurrent fetches
    exactly one gets the row, on SQLite and PostgreSQL alike (never SELECT-then-DELETE).
    """
    refuse_unfinished(job)
    archive = dbsession.execute(
        delete(BulkArchive).where(*this_archive(job))
        .returning(BulkArchive.archive)
        .execution_options(synchronize_session=False)).scalar()
    if archive is None:
        raise archive_gone(job)
    return opened_archive(settings, archive)


def archive_size(dbsession, job):
    """The archive's size in bytes, leaving it in place (409 unfinished, 410 gone).

    For `HEAD`, which Cornice routes to the GET view: a client checking whether the result is
    ready must not spend the one fetch it has.
    """
    refuse_unfinished(job)
    size = dbsession.scalar(select(BulkArchive.size).where(*this_archive(job)))
    if size is None:
        raise archive_gone(job)
    return size


def result_ttl(settings):
    return datetime.timedelta(hours=settings["exaroutes.jobs.result_ttl_hours"])
