"""`GET /api/qr/codes/{id}/analytics?days=30`: a code's scans per day, country, device, OS, browser, referrer."""
import colander

from exaroutes.codes.analytics import code_analytics
from exaroutes.api.openapi import responds
from exaroutes.api.responses import analytics_object
from exaroutes.api.service import Service
from exaroutes.api.validation import validate_request
from exaroutes.auth import API_PERMISSION
from exaroutes.codes.lookup import api_code

code_analytics_service = Service(name="code_analytics", path="/api/qr/codes/{id}/analytics",
                                 description="Scan analytics of one dynamic QR code", factory=api_code)


class DecimalDigits(colander.Integer):
    """A query-string integer written in plain digits: `1.5`, `+3`, ` 7` or `1e1` are not days."""

    def deserialize(self, node, cstruct):
        if cstruct is not colander.null and not (isinstance(cstruct, str) and cstruct.isascii()
                                                 and cstruct.isdigit()):
            raise colander.Invalid(node, f"{cstruct!r} is not a whole number")
        return super().deserialize(node, cstruct)


class AnalyticsQuery(colander.MappingSchema):
    days = colander.SchemaNode(DecimalDigits(), name="days", missing=30, validator=colander.Range(1, 90),
                               description="number of UTC days ending today, 1-90 (default 30)")


class Analytics(colander.MappingSchema):
    querystring = AnalyticsQuery()


@code_analytics_service.get(schema=Analytics(), validators=(validate_request,), permission=API_PERMISSION)
@responds({200: analytics_object()})
def code_analytics_get(request):
    """Scans per UTC day and per country, device, OS, browser and referrer, read from the daily rollups."""
    return code_analytics(request.dbsession, request.context, request.validated["querystring"]["days"],
                          top=request.registry.settings["exaroutes.analytics.referrer_hosts"])
