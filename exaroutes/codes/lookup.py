"""The one gate to a stored code or job: every route that works on one loads it here, never by hand.

Pyramid's route `factory=` (the equivalent of Kinto's resource `__init__`) runs before the view, and
what it returns is `request.context`. The API and the dashboard load *the workspace's* code or bulk
job (404 otherwise: another workspace's object is indistinguishable from none); the scan side
(`exaroutes.scan.gate`) loads the *public* code through `find_code` and then passes it through the
protections. A view that reads `request.context` cannot forget the workspace, the status or a
protection, which is how `/r/{id}/contact.vcf` once served password-protected cards.

A request without a caller gets no context (None) rather than a 404, so the view's permission (API:
401) or the dashboard's sign-in redirect answers first, exactly as before the object is looked up.
"""
from sqlalchemy import select

from exaroutes.bulk.jobs import is_bulk_id
from exaroutes.codes.ids import is_short_id
from exaroutes.errors import ApiError
from exaroutes.models import BulkJob, QrCode


def find_code(dbsession, short_id):
    """The code with this public short id in any workspace, or None (garbage ids never reach the database)."""
    if not is_short_id(short_id):
        return None
    return dbsession.scalar(select(QrCode).where(QrCode.short_id == short_id))


def workspace_object(dbsession, key, value, workspace_id, well_formed, field, what):
    """The workspace's row whose `key` column is `value`, or a 404 naming the path's `field`.

    Another workspace's row is indistinguishable from none; a value that cannot be an id (`well_formed`
    is false: NUL bytes, 10 kB) never reaches the database (PostgreSQL refuses NUL)."""
    model = key.class_
    found = None
    if well_formed(value):
        found = dbsession.scalar(select(model).where(key == value, model.workspace_id == workspace_id))
    if found is None:
        raise ApiError.for_field(404, "path", field, f"no {what} {value!r} in this workspace")
    return found


def get_code(dbsession, workspace_id, short_id):
    return workspace_object(dbsession, QrCode.short_id, short_id, workspace_id, is_short_id, "id", "QR code")


def get_job(dbsession, workspace_id, bulk_id):
    return workspace_object(dbsession, BulkJob.bulk_id, bulk_id, workspace_id, is_bulk_id, "bulkId", "bulk job")


def workspace_factory(load, id_name, workspace_of):
    """A route factory: `load(dbsession, workspace_id, matchdict[id_name])` for the workspace of the caller
    `workspace_of(request)` returns (None: nobody signed in, no context)."""
    def workspace_object(request):
        caller = workspace_of(request)
        if caller is None:
            return None
        return load(request.dbsession, caller.workspace_id, request.matchdict[id_name])
    return workspace_object


def _api_caller(request):
    return request.identity            # the bearer key's workspace (exaroutes.auth)


def _dashboard_caller(request):
    return request.dashboard_user      # the signed-in workspace (exaroutes.dashboard.session)


api_code = workspace_factory(get_code, "id", _api_caller)
api_job = workspace_factory(get_job, "bulkId", _api_caller)
dashboard_code = workspace_factory(get_code, "id", _dashboard_caller)
dashboard_job = workspace_factory(get_job, "bulkId", _dashboard_caller)
