"""Create a code: fields from the schemas, a server-side preview, then the saved code's page."""

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from exaroutes.schemas.design import CreateCodeBody
from exaroutes.validation import deserialize
from exaroutes.codes.ids import redirect_url
from exaroutes.codes.service import create_code
from exaroutes.domains.service import requested_domain
from exaroutes.dashboard.forms import api_errors, data_fields, form_body, style_fields
from exaroutes.dashboard.pages import require_user, template
from exaroutes.dashboard.routing_rows import blank_rows, routing_from_form, submitted_rows
from exaroutes.imaging.design import check_design, render_design
from exaroutes.imaging.media import data_uri, media_type
from exaroutes.errors import ApiError, field_error

#: the preview encodes a redirect URL of the same length as the real one, so it looks the same
PREVIEW_ID = "PREVIEW0"


class UnknownType(Exception):
    """The form names a data type that is not installed; the page falls back to `fallback`'s form."""

    def __init__(self, fallback, message):
        super().__init__(message)
        self.fallback, self.message = fallback, message


def chosen_type(request, source):
    """The data type the form is for; an unknown one (a tampered form) is a 422 on the url form."""
    datatypes = request.registry["datatypes"]
    name = source.get("dataType", "url")
    if name not in datatypes:
        raise UnknownType(datatypes["url"], "unknown data type; installed: " + ", ".join(sorted(datatypes)))
    return datatypes[name]


def page(request, datatype, values, errors=None, preview=None, status=200, routing=None):
    renderers = request.registry["renderers"]
    response = render_to_response(template("new.jinja2"), {
        "datatypes": sorted(request.registry["datatypes"]), "datatype": datatype.name,
        "data_fields": data_fields(datatype), "style_fields": style_fields(),
        "formats": sorted(renderers), "values": values, "errors": errors or {}, "preview": preview,
        "routing": routing or blank_rows(),
    }, request=request)
    response.status_code = status
    return response


def checked_body(request, datatype):
    """The validated create body of the submitted form, or ApiError 422 with the API's own messages."""
    fields = data_fields(datatype) + style_fields()
    body, errors = form_body(request.POST, fields, {"dataType": datatype.name,
                                                    "returnType": request.POST.get("returnType", "png")})
    body.update(routing_from_form(request.POST)[0])        # the rules and variants rows (url codes)
    value, schema_errors = deserialize(CreateCodeBody(), body, "body")
    all_errors = [field_error("body", name, description) for name, description in errors.items()]
    all_errors += [error for error in schema_errors if error["name"] not in errors]
    if all_errors:
        raise ApiError(422, "invalid form", all_errors)
    return value


@view_config(route_name="dashboard_new", request_method="GET")
def new_get(request):
    require_user(request)
    try:
        datatype = chosen_type(request, request.GET)
    except UnknownType as unknown:
        return page(request, unknown.fallback, {}, errors={"dataType": unknown.message}, status=422)
    return page(request, datatype, {"returnType": "png"})


@view_config(route_name="dashboard_new", request_method="POST", require_csrf=True)
def new_post(request):
    user = require_user(request)
    values = request.POST.mixed()
    try:
        datatype = chosen_type(request, request.POST)
    except UnknownType as unknown:
        return page(request, unknown.fallback, values, errors={"dataType": unknown.message}, status=422)
    if request.POST.get("action") in ("more-rules", "more-variants"):     # more rows, nothing saved
        return page(request, datatype, values, routing=submitted_rows(request.POST))
    try:
        body = checked_body(request, datatype)
        if request.POST.get("action") == "preview":
            design = check_design(request.registry, body)
            domain = requested_domain(request.dbsession, user.workspace_id, body.get("domain"))
            settings = request.registry.settings
            image = render_design(request.registry, design, redirect_url(settings, PREVIEW_ID, domain))
            preview = data_uri(media_type(request.registry, design.return_type), image)
            return page(request, datatype, values, preview=preview, routing=submitted_rows(request.POST))
        # The API's own create: password (hashed), encrypt, expiresAt and maxScans included.
        code = create_code(request.dbsession, request.registry, request.registry.settings,
                           user.workspace_id, body)
    except ApiError as exc:
        errors = api_errors(exc.errors)
        routing = submitted_rows(request.POST, errors, routing_from_form(request.POST)[1])
        return page(request, datatype, values, errors=errors, status=exc.status, routing=routing)
    return HTTPSeeOther(location=request.route_url("dashboard_code", id=code.short_id))
