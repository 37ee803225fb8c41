"""`GET /r/{short_id}/contact.vcf`: the vCard of a dynamic `vcard` code, as a file phones import.

The scan page of a vcard code links here. The code comes through the scan gate
(`exaroutes.scan.gate.contact_code`), so every protection of the scan page applies to the file too:
unknown 404, switched off, expired or capped 410, a password code answers the password form, and an
encrypted card is served decrypted. Fetching the file is not a scan (the page view was): nothing is
recorded and no cap is spent.
"""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.datatypes.vcard import CONTACT_ROUTE
from exaroutes.scan.gate import contact_code

ROUTE = CONTACT_ROUTE


def contact_view(request):
    card = request.context.readable.destination
    response = Response(body=card.encode("utf-8"), content_type="text/vcard", charset="utf-8")
    response.content_disposition = 'attachment; filename="contact.vcf"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def includeme(config):
    config.add_route(ROUTE, "/r/{short_id}/contact.vcf", factory=contact_code)
    config.add_view(contact_view, route_name=ROUTE, permission=NO_PERMISSION_REQUIRED)
