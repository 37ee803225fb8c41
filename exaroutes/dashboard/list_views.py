"""The codes table: filters, search, keyset paging (the API's order and cursors)."""
from pyramid.view import view_config

from exaroutes.schemas.design import STATUSES
from exaroutes.codes.service import list_codes
from exaroutes.dashboard.listing import RECENT_DAYS, recent_scan_counts
from exaroutes.dashboard.pages import require_user, template
from exaroutes.errors import ApiError
from exaroutes.protections.encryption import code_destination
from exaroutes.storable import PROBLEM as UNSTORABLE, bad_text

PAGE_SIZE = 25


def filters_of(request):
    """The table's filters from the query string; an unknown value is a 422 naming it."""
    query = request.GET
    data_type = query.get("type") or None
    if data_type is not None and data_type not in request.registry["datatypes"]:
        raise ApiError.for_field(422, "querystring", "type", "unknown data type")
    status = query.get("status") or None
    if status is not None and status not in STATUSES:
        raise ApiError.for_field(422, "querystring", "status", "must be active or inactive")
    if bad_text(query.get("q", "")):
        raise ApiError.for_field(422, "querystring", "q", UNSTORABLE)
    return {"type": data_type, "status": status, "q": query.get("q", "").strip()[:200],
            "cursor": query.get("cursor") or "0"}


@view_config(route_name="dashboard_codes", request_method="GET", renderer=template("codes.jinja2"))
def codes_get(request):
    user = require_user(request)
    filters = filters_of(request)
    page, total, next_cursor = list_codes(request.dbsession, user.workspace_id, PAGE_SIZE, filters["cursor"],
                                          filters["type"], filters["status"], filters["q"] or None)
    counts = recent_scan_counts(request.dbsession, page)
    settings = request.registry.settings
    rows = [{"code": code, "destination": code_destination(settings, code), "scans": counts.get(code.id, 0)}
            for code in page]
    return {"rows": rows, "total": total, "next_cursor": next_cursor, "filters": filters,
            "datatypes": sorted(request.registry["datatypes"]), "statuses": STATUSES,
            "recent_days": RECENT_DAYS}
