"""`/api/domains`: a workspace's custom domains (DESIGN.md §8), Cornice services like every API resource.

The views only translate HTTP to `exaroutes.domains.service` calls; after a verification or a
deletion commits, this process's cache of verified hosts forgets the hostname at once (the
redirect's host check, `exaroutes.domains.hosts.forget_after_commit`).
"""
import colander
from pyramid.response import Response

from exaroutes.api.bodies import ListCodesQuery
from exaroutes.api.openapi import responds
from exaroutes.api.responses import TIMESTAMP, field, open_object, page_of
from exaroutes.api.service import Service
from exaroutes.api.validation import validate_request
from exaroutes.auth import API_PERMISSION
from exaroutes.domains import service
from exaroutes.domains.hosts import forget_after_commit
from exaroutes.domains.models import HOSTNAME_LENGTH
from exaroutes.schemas.types import StrictString

domains = Service(name="domains", path="/api/domains", description="Custom domains of the workspace")
domain = Service(name="domain", path="/api/domains/{hostname}", description="One custom domain")
domain_verify = Service(name="domain_verify", path="/api/domains/{hostname}/verify",
                        description="Verify a custom domain by its DNS TXT record")

JSON_ONLY = "application/json"
STATUSES = ("pending", "verified")


class CreateDomainBody(colander.MappingSchema):
    hostname = colander.SchemaNode(StrictString(allow_empty=False), name="hostname",
                                   description="e.g. qr.example.com (Unicode or A-labels); no scheme, port, "
                                               "path or IP address")


class CreateDomain(colander.MappingSchema):
    body = CreateDomainBody()


class ListDomainsQuery(colander.MappingSchema):
    """`limit` and `cursor` exactly as the code list takes them, and a status filter."""

    limit = ListCodesQuery().get("limit").clone()
    cursor = ListCodesQuery().get("cursor").clone()
    status = colander.SchemaNode(colander.String(), name="status", missing=colander.drop,
                                 validator=colander.OneOf(STATUSES), description="only pending or verified domains")


class ListDomains(colander.MappingSchema):
    querystring = ListDomainsQuery()


def domain_object():
    verification = open_object(
        "The DNS record that proves control of the hostname",
        field(colander.String(), "type", validator=colander.OneOf(["TXT"])),
        field(colander.String(), "name", description="_exaroutes.<hostname>"),
        field(colander.String(), "value", description="exaroutes-verify=<token>"))
    verification.name = "verification"
    return open_object(
        "A custom domain",
        field(colander.String(), "hostname", validator=colander.Length(max=HOSTNAME_LENGTH),
              description="ASCII (A-label) form, lower case"),
        field(colander.String(), "unicodeHostname", description="the same name as people read it"),
        field(colander.String(), "status", validator=colander.OneOf(STATUSES)),
        verification,
        field(colander.String(), "createdAt", json_schema=TIMESTAMP),
        field(colander.String(), "verifiedAt", nullable=True, json_schema=TIMESTAMP))


def domain_list():
    return page_of("One page of domains, newest first", domain_object())


@domains.post(schema=CreateDomain(), validators=(validate_request,), content_type=JSON_ONLY,
              permission=API_PERMISSION)
@responds({201: domain_object(), 409: "The workspace has this domain already, or another workspace verified it."})
def domains_post(request):
    """Add a domain: pending, with the TXT record to publish."""
    new = service.create_domain(request.dbsession, request.registry.settings, request.identity.workspace_id,
                                request.validated["body"]["hostname"])
    request.response.status_code = 201
    request.response.location = request.route_url("domain", hostname=new.hostname)
    return service.domain_json(new)


@domains.get(schema=ListDomains(), validators=(validate_request,), permission=API_PERMISSION)
@responds({200: domain_list()})
def domains_get(request):
    query = request.validated["querystring"]
    page, total, next_cursor = service.list_domains(request.dbsession, request.identity.workspace_id,
                                                    query["limit"], query["cursor"], query.get("status"))
    return {"data": [service.domain_json(d) for d in page],
            "pagination": {"total": total, "limit": query["limit"], "cursor": query["cursor"],
                           "nextCursor": next_cursor}}


@domain.get(permission=API_PERMISSION)
@responds({200: domain_object()})
def domain_get(request):
    found = service.get_domain(request.dbsession, request.registry.settings, request.identity.workspace_id,
                               request.matchdict["hostname"])
    return service.domain_json(found)


@domain.delete(permission=API_PERMISSION)
@responds({204: None, 409: "Codes are printed on this domain."})
def domain_delete(request):
    """Delete a domain that no code uses."""
    gone = service.delete_domain(request.dbsession, request.registry.settings, request.identity.workspace_id,
                                 request.matchdict["hostname"])
    forget_after_commit(request, gone.hostname)
    return Response(status=204)


@domain_verify.post(permission=API_PERMISSION)
@responds({200: domain_object(), 409: "The TXT record is missing or different (the sentence says what DNS "
                                      "answered), or another workspace verified the hostname."})
def domain_verify_post(request):
    """Look the TXT record up now; verified, or 409 saying what was found."""
    verified = service.verify_domain(request.dbsession, request.registry.settings, request.registry["dns_settings"],
                                     request.identity.workspace_id, request.matchdict["hostname"])
    forget_after_commit(request, verified.hostname)
    return service.domain_json(verified)
