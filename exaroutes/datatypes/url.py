"""`url`: the QR code (or the redirect) leads to a web page."""
import colander

from exaroutes.schemas.types import StrictString, http_url
from exaroutes.datatypes.fields import PayloadDestination, redirect


class UrlType(PayloadDestination):
    name = "url"
    description = "An absolute http(s) URL."
    schema = colander.SchemaNode(StrictString(), name="data", validator=http_url,
                                 description="absolute http:// or https:// URL")

    def payload(self, data):
        return data

    def scan_response(self, request, code):
        return redirect(code.destination)
