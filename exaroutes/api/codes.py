"""Dynamic QR codes: /api/qr/codes, /api/qr/codes/{id}, /api/qr/codes/{id}/image."""
from pyramid.response import Response
from webob.etag import AnyETag

from exaroutes.api.bodies import CreateCode, ListCodes, UpdateCode
from exaroutes.api.openapi import responds
from exaroutes.api.responses import IMAGE, code_list, code_object
from exaroutes.api.service import Service
from exaroutes.api.validation import validate_request
from exaroutes.validation import raise_if
from exaroutes.auth import API_PERMISSION
from exaroutes.codes.edits import new_data_from_destination
from exaroutes.codes.lookup import api_code
from exaroutes.codes.present import code_json
from exaroutes.codes.service import create_code, list_codes, mark_updated
from exaroutes.imaging.media import media_type
from exaroutes.imaging.design import render_units, validate_data
from exaroutes.edge.rate_limits import charge_render
from exaroutes.errors import ApiError, field_error
from exaroutes.api.idempotency import idempotent
from exaroutes.protections.names import refuse_protected_update
from exaroutes.protections.limits import change_limits
from exaroutes.routing.service import apply_routing, routing_of

codes = Service(name="codes", path="/api/qr/codes", description="Dynamic QR codes of the workspace")
# `factory=api_code`: the view's `request.context` is the workspace's code, or the request got a 404
code = Service(name="code", path="/api/qr/codes/{id}", description="One dynamic QR code", factory=api_code)
code_image = Service(name="code_image", path="/api/qr/codes/{id}/image",
                     description="The printed image of a dynamic QR code", factory=api_code)

JSON_ONLY = "application/json"


@codes.post(schema=CreateCode(), validators=(validate_request,), content_type=JSON_ONLY,
            permission=API_PERMISSION)
@responds({201: code_object()})
@idempotent
def codes_post(request):
    """Create a dynamic code; its image encodes the redirect URL and is proven to scan."""
    body = request.validated["body"]
    charge_render(request, render_units(body["returnType"], body))
    new = create_code(request.dbsession, request.registry, request.registry.settings,
                      request.identity.workspace_id, request.validated["body"])
    request.response.status_code = 201
    request.response.location = request.route_url("code", id=new.short_id)
    return code_json(new, request.registry.settings)


@codes.get(schema=ListCodes(), validators=(validate_request,), permission=API_PERMISSION)
@responds({200: code_list()})
def codes_get(request):
    query = request.validated["querystring"]
    data_type = query.get("type")
    if data_type is not None and data_type not in request.registry["datatypes"]:
        raise ApiError.for_field(422, "querystring", "type", "unknown data type")
    page, total, next_cursor = list_codes(request.dbsession, request.identity.workspace_id, query["limit"],
                                          query["cursor"], data_type, query.get("status"))
    settings = request.registry.settings
    return {
        "data": [code_json(c, settings) for c in page],
        "pagination": {"total": total, "limit": query["limit"], "cursor": query["cursor"],
                       "nextCursor": next_cursor},
    }


@code.get(permission=API_PERMISSION)
@responds({200: code_object()})
def code_get(request):
    found = request.context
    return code_json(found, request.registry.settings)


@code.put(schema=UpdateCode(), validators=(validate_request,), content_type=JSON_ONLY,
          permission=API_PERMISSION)
@responds({200: code_object(), 409: "The code is protected (or its data type is not installed)."})
def code_put(request):
    """Change where a scan leads (destination, rules, variants) and/or the status. The id and the printed
    image never change."""
    body = request.validated["body"]
    if not body:
        raise ApiError(422, "Nothing to update: give destination, data, status, expiresAt, maxScans, rules "
                            "or variants.",
                       [field_error("body", name, "one of these is required")
                        for name in ("destination", "data", "status", "expiresAt", "maxScans", "rules", "variants")])
    if "data" in body and "destination" in body:
        raise ApiError(422, "Give either data or destination, not both.",
                       [field_error("body", "destination", "conflicts with data")])
    found = request.context
    refuse_protected_update(found)
    routing = routing_of(body, found.data_type, found.encrypted)
    datatype = request.registry["datatypes"].get(found.data_type)
    if datatype is None and ("data" in body or "destination" in body):
        raise ApiError(409, f"The data type {found.data_type!r} of this code is not installed.")
    if "data" in body:
        data, errors = validate_data(datatype, body["data"])
        raise_if(errors)
    elif "destination" in body:
        data = new_data_from_destination(datatype, body["destination"])
    if "data" in body or "destination" in body:
        found.data = data
        found.destination = datatype.destination(data)
    if "status" in body:
        found.status = body["status"]
    change_limits(request.dbsession, found, body)
    apply_routing(found, routing)
    mark_updated(request.dbsession, request.registry.settings, found)
    return code_json(found, request.registry.settings)


@code_image.get(permission=API_PERMISSION)
@responds({200: IMAGE, 304: None})
def code_image_get(request):
    """The image as printed; it never changes, so clients may cache it and revalidate by ETag."""
    found = request.context
    response = Response(body=found.image, content_type=media_type(request.registry, found.format),
                        conditional_response=True)
    response.etag = found.image_etag
    response.cache_control = "private, max-age=86400"
    if request.if_none_match is AnyETag:   # `*` matches any current image; WebOb's check treats it as absent
        response.status_int, response.body = 304, b""
        del response.headers["Content-Type"]   # a 304 has no content to describe
    return response   # an SVG's CSP is the default of exaroutes.edge.security_headers
