"""One code: its analytics as charts, its downloads, and the edit form (protected codes included)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config

from exaroutes.codes.analytics import BREAKDOWNS, OPEN_ENDED, code_analytics
from exaroutes.schemas.design import STATUSES
from exaroutes.codes.ids import redirect_url
from exaroutes.codes.service import stored_logo
from exaroutes.imaging.media import media_type
from exaroutes.dashboard.charts import breakdown_chart, daily_chart
from exaroutes.dashboard.pages import error_page, require_user, template
from exaroutes.codes.edits import EditRefused, audit_entries, edit_code
from exaroutes.dashboard.routing_rows import routing_from_form, rows_of_code, submitted_rows
from exaroutes.imaging.design import Design, render_design
from exaroutes.imaging.render import print_guide
from exaroutes.errors import ApiError
from exaroutes.protections.encryption import code_destination
from exaroutes.protections.attempts import TooManyAttempts

CHART_DAYS = (7, 30, 90)


def chart_days(request):
    raw = request.GET.get("days", "30")
    # ASCII digits only: "²" and "٣" pass isdigit() but not int(), and 5000 digits pass neither
    if raw not in {str(days) for days in CHART_DAYS}:
        raise ApiError.for_field(422, "querystring", "days", "must be 7, 30 or 90")
    return int(raw)


def code_page(request, code, days=30, values=None, errors=None, status=200, routing=None):
    analytics = code_analytics(request.dbsession, code, days,
                               top=request.registry.settings["exaroutes.analytics.referrer_hosts"])
    settings = request.registry.settings
    destination = code_destination(settings, code)  # decrypted for the signed-in workspace
    # Open-ended breakdowns (referrers) are already cut to the top N + `other`: shown whole, like the API.
    breakdowns = {name: breakdown_chart(analytics.get(name, []), key,
                                        limit=None if name in OPEN_ENDED else 8)
                  for name, key in BREAKDOWNS.items()}
    short_url = redirect_url(settings, code.short_id, code.domain)
    response = render_to_response(template("code.jinja2"), {
        "code": code, "destination": destination, "redirect_url": short_url,
        "print": print_guide(short_url, code.style or {}),
        "analytics": analytics, "days": days, "chart_days": CHART_DAYS, "daily": daily_chart(analytics["timeseries"]),
        "breakdowns": breakdowns, "formats": sorted(request.registry["renderers"]), "statuses": STATUSES,
        "audit": audit_entries(request.dbsession, code),
        "values": values or {"destination": destination, "status": code.status},
        "errors": errors or {},
        # rules and variants are for url codes that are not encrypted (exaroutes.routing.service)
        "routing": (routing or rows_of_code(code)) if code.data_type == "url" and not code.encrypted else None,
    }, request=request)
    response.status_code = status
    return response


@view_config(route_name="dashboard_code", request_method="GET")
def code_get(request):
    require_user(request)
    code = request.context
    return code_page(request, code, chart_days(request))


def posted_values(request, code):
    """The edit form's fields as submitted, to show them again."""
    return {"destination": request.POST.get("destination", ""),
            "status": request.POST.get("status", code.status), "reason": request.POST.get("reason", "")}


@view_config(route_name="dashboard_edit", request_method="POST", require_csrf=True)
def edit_post(request):
    user = require_user(request)
    code = request.context
    if request.POST.get("action") in ("more-rules", "more-variants"):     # more rows, nothing saved
        return code_page(request, code, values=posted_values(request, code), routing=submitted_rows(request.POST))
    routing, row_of = routing_from_form(request.POST)
    shown = "rule_rows" in request.POST or "variant_rows" in request.POST     # the page showed the rows
    try:
        edit_code(request, user, code, request.POST, routing if shown else None)
    except TooManyAttempts as limited:
        page = error_page(request, 429, "Too many attempts",
                          f"Too many wrong passwords for this code. Try again in {limited.retry_after} seconds.")
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    except EditRefused as refused:
        return code_page(request, code, values=posted_values(request, code), errors=refused.errors, status=422,
                         routing=submitted_rows(request.POST, refused.errors, row_of))
    return HTTPSeeOther(location=request.route_url("dashboard_code", id=code.short_id))


@view_config(route_name="dashboard_image", request_method="GET")
def image_get(request):
    """The printed image, for the thumbnails."""
    require_user(request)
    code = request.context
    response = Response(body=code.image, content_type=media_type(request.registry, code.format))
    response.cache_control = "private, max-age=3600"
    return response


@view_config(route_name="dashboard_download", request_method="GET")
def download_get(request):
    """The code's image in any installed format: the stored print, or the same design redrawn."""
    require_user(request)
    code = request.context
    format_name = request.matchdict["format"]
    if format_name not in request.registry["renderers"]:
        raise ApiError.for_field(404, "path", "format", "no such image format is installed")
    if format_name == code.format:
        body = code.image
    else:
        renderer = request.registry["renderers"][format_name]
        style = {name: value for name, value in (code.style or {}).items() if name in renderer.supported_style}
        if "logo" in style:     # the code keeps a reference; the picture is kept apart (codes.remember_logo)
            style["logo"] = stored_logo(request.dbsession, code.workspace_id, style["logo"])
            if style["logo"] is None:
                raise ApiError.for_field(409, "path", "format", "this code's logo was not kept when it was made; "
                                         f"download it as {code.format}")
        design = Design(code.data_type, code.data, format_name, style)
        url = redirect_url(request.registry.settings, code.short_id, code.domain)
        body = render_design(request.registry, design, url)
    response = Response(body=body, content_type=media_type(request.registry, format_name))
    response.content_disposition = f'attachment; filename="{code.short_id}.{format_name}"'
    return response
