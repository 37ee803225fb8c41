"""`GET /r/{short_id}/contact.vcf`: the vCard of a dynamic `vcard` code, as a file phones import.

The scan page of a vcard code links here. Fetching the file is not a scan (the page view was), so
nothing is recorded; an inactive code's card is gone (410) like its page.
"""
from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import select

from exaroutes.models import QrCode
from exaroutes.scan.pages import gone_page, not_found_page

ROUTE = "scan_contact"


def contact_path(request, code):
    return request.route_path(ROUTE, short_id=code.short_id)


def contact_view(request):
    if request.method not in ("GET", "HEAD"):
        raise HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD"})
    code = request.dbsession.scalar(select(QrCode).where(QrCode.short_id == request.matchdict["short_id"],
                                                         QrCode.data_type == "vcard"))
    if code is None:
        return not_found_page()
    if code.status != "active":
        return gone_page()
    response = Response(body=code.destination.encode("utf-8"), content_type="text/vcard", charset="utf-8")
    response.content_disposition = 'attachment; filename="contact.vcf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def includeme(config):
    config.add_route(ROUTE, "/r/{short_id}/contact.vcf")
    config.add_view(contact_view, route_name=ROUTE, permission=NO_PERMISSION_REQUIRED)
