"""Bulk creation (DESIGN.md §1.6): POST a JSON array of create bodies, poll the job, fetch the zip once."""
from exaroutes.api.bodies import CreateBulk
from exaroutes.api.openapi import responds
from exaroutes.api.responses import ZIP, bulk_accepted, bulk_status
from exaroutes.api.service import Service
from exaroutes.api.validation import parse_json_body
from exaroutes.auth import API_PERMISSION
from exaroutes.bulk.archive import archive_response
from exaroutes.bulk.items import check_items, trial_units
from exaroutes.domains.service import verified_hostnames
from exaroutes.bulk.jobs import archive_size, job_json, queue_job, take_archive
from exaroutes.codes.lookup import api_job
from exaroutes.api.idempotency import idempotent
from exaroutes.edge.rate_limits import charge_render

bulk = Service(name="bulk", path="/api/qr/codes/bulk", description="Create up to 1000 dynamic codes in one job")
bulk_job = Service(name="bulk_job", path="/api/qr/codes/bulk/{bulkId}", description="Progress of a bulk job",
                   factory=api_job)
bulk_result = Service(name="bulk_result", path="/api/qr/codes/bulk/{bulkId}/result",
                      description="The zip of a finished bulk job, served once", factory=api_job)


def validate_items(request, **kwargs):
    """Cornice validator: every item checked (and named `[3].data`) before anything is stored or queued."""
    items = parse_json_body(request)
    check_items(request.registry, request.registry.settings, items,
                lambda: verified_hostnames(request.dbsession, request.identity.workspace_id))
    charge_render(request, trial_units(items), field="body")
    request.validated["body"] = items


@bulk.post(schema=CreateBulk(), validators=(validate_items,), content_type="application/json",
           permission=API_PERMISSION)
@responds({202: bulk_accepted()})
@idempotent
def bulk_post(request):
    """Queue 1 to 1000 codes as one job and answer 202 at once.

    The job is stored and its slices are queued only after this transaction commits."""
    items = request.validated["body"]
    job = queue_job(request, request.identity.workspace_id, items)
    request.response.status_code = 202
    request.response.location = request.route_url("bulk_job", bulkId=job.bulk_id)
    return {"bulkId": job.bulk_id, "status": job.status, "total": job.total}


@bulk_job.get(permission=API_PERMISSION)
@responds({200: bulk_status()})
def bulk_job_get(request):
    job = request.context
    return job_json(request.dbsession, job)


@bulk_result.get(permission=API_PERMISSION)
@responds({200: ZIP, 409: "The job has not finished yet.",
           410: "The archive was already fetched, or expired unfetched after 7 days."})
def bulk_result_get(request):
    """The zip of a finished job, served once (a second fetch is 410); HEAD looks without spending it.

    The archive is deleted in the transaction that serves it."""
    job = request.context
    if request.method == "HEAD":
        return archive_response(job, content_length=archive_size(request.dbsession, job))
    return archive_response(job, take_archive(request.dbsession, request.registry.settings, job))
