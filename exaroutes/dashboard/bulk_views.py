"""Bulk upload from the dashboard: a CSV becomes a bulk job, its progress page, its archive once.

Everything after the CSV is the API's bulk machinery (`exaroutes.bulk.items`, `exaroutes.bulk.jobs`,
the `bulk.slice` task): a job made here is the job `POST /api/qr/codes/bulk` would make of the same
items, queued only after this request's transaction commits.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from exaroutes.bulk.archive import archive_response
from exaroutes.bulk.items import MAX_ITEMS
from exaroutes.bulk.jobs import job_json, queue_job, take_archive
from exaroutes.dashboard.bulk_csv import COLUMNS, MAX_SHOWN_ERRORS, MAX_UPLOAD_BYTES, CsvRefused, csv_items
from exaroutes.dashboard.pages import error_page, require_user, template
from exaroutes.errors import ApiError
from exaroutes.models import BulkJob
from exaroutes.models.bulk import UNFINISHED

RECENT_JOBS = 10
#: seconds between reloads of the progress page while the job runs (a <meta> refresh: no script)
REFRESH_SECONDS = 2


def recent_jobs(dbsession, workspace_id):
    return dbsession.scalars(select(BulkJob).where(BulkJob.workspace_id == workspace_id)
                             .order_by(BulkJob.created_at.desc(), BulkJob.id.desc()).limit(RECENT_JOBS)).all()


def upload_page(request, user, errors=(), filename=None, status=200):
    response = render_to_response(template("bulk.jinja2"), {
        "jobs": recent_jobs(request.dbsession, user.workspace_id), "columns": COLUMNS, "max_items": MAX_ITEMS,
        "max_mib": MAX_UPLOAD_BYTES // (1024 * 1024), "upload_errors": list(errors[:MAX_SHOWN_ERRORS]),
        "more_errors": max(0, len(errors) - MAX_SHOWN_ERRORS), "filename": filename,
    }, request=request)
    response.status_code = status
    return response


def uploaded_bytes(request):
    """(file name, at most MAX_UPLOAD_BYTES + 1 bytes) of the `file` field, or CsvRefused."""
    upload = request.POST.get("file")
    if not hasattr(upload, "file"):
        raise CsvRefused(["choose a CSV file to upload"], status=400)
    return upload.filename, upload.file.read(MAX_UPLOAD_BYTES + 1)


@view_config(route_name="dashboard_bulk", request_method="GET")
def bulk_get(request):
    return upload_page(request, require_user(request))


@view_config(route_name="dashboard_bulk", request_method="POST", require_csrf=True)
def bulk_post(request):
    """Check every row before anything is stored; then the job, queued after the commit (as the API does)."""
    user = require_user(request)
    filename = None
    try:
        filename, raw = uploaded_bytes(request)
        items = csv_items(request.registry, raw)
    except CsvRefused as refused:
        return upload_page(request, user, refused.errors, filename, status=refused.status)
    job = queue_job(request, user.workspace_id, items)
    return HTTPSeeOther(location=request.route_url("dashboard_bulk_job", bulkId=job.bulk_id))


@view_config(route_name="dashboard_bulk_job", request_method="GET", renderer=template("bulk_job.jinja2"))
def bulk_job_get(request):
    """Progress; the page reloads itself while the job runs. Another workspace's job is a 404."""
    require_user(request)
    job = request.context
    running = job.status in UNFINISHED
    return {"job": job_json(request.dbsession, job), "running": running,
            "refresh": REFRESH_SECONDS if running else None}


@view_config(route_name="dashboard_bulk_archive", request_method="POST", require_csrf=True)
def bulk_archive_post(request):
    """The zip, once: a POST (never a GET a prefetcher could spend), deleted in the serving transaction."""
    require_user(request)
    job = request.context
    try:
        archive = take_archive(request.dbsession, request.registry.settings, job)
    except ApiError as exc:
        if exc.status != 410:
            raise
        return error_page(request, 410, "Already downloaded",
                          f"The archive of bulk job {job.bulk_id} was already downloaded or has expired: it is "
                          "served once and kept for 7 days. The codes remain; find them in the codes list.")
    return archive_response(job, archive)
