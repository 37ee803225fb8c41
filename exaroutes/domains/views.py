"""`GET /internal/domains/allowed?domain=H`: may the TLS proxy get a certificate for H?

Caddy's on-demand TLS asks this before it requests a certificate for a name it has never seen
("ask" endpoint): 200 lets it, anything else refuses. Only verified custom domains get a yes, so
nobody can make the proxy request certificates for names they pointed at it without proving
control. No key is needed (the proxy has none) and the per-key API rate limits do not apply (the
path is not under /api); the answer comes from the same per-process cache the redirect uses, so a
flood of questions costs at most one indexed query per name and cache lifetime. Operators keep
/internal/ off the public side of the proxy (docs/domains.md).
"""
import json

import colander
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.api.validation import validate_querystring
from exaroutes.domains.hostnames import InvalidHostname, normalize_hostname
from exaroutes.errors import ApiError


class AllowedQuery(colander.MappingSchema):
    domain = colander.SchemaNode(colander.String(), name="domain", description="the name the proxy was asked for")


def allowed_view(request):
    query = validate_querystring(request, AllowedQuery())
    try:
        hostname = normalize_hostname(query["domain"])
    except InvalidHostname:
        hostname = None
    if hostname is None or not request.registry["verified_hosts"].is_verified(hostname):
        raise ApiError.for_field(404, "querystring", "domain", "not a verified custom domain")
    return Response(json.dumps({"domain": hostname, "allowed": True}), content_type="application/json",
                    charset="utf-8")


def includeme(config):
    config.add_route("internal_domain_allowed", "/internal/domains/allowed")
    config.add_view(allowed_view, route_name="internal_domain_allowed", permission=NO_PERMISSION_REQUIRED,
                    request_method=("GET", "HEAD"))
