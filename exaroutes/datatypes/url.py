"""`url`: the QR code (or the redirect) leads to a web page."""
import colander

from exaroutes.schemas.types import StrictString, http_url
from exaroutes.datatypes.fields import PayloadDestination, redirect
from exaroutes.uris import to_uri


class UrlType(PayloadDestination):
    name = "url"
    description = "An absolute http(s) URL."
    schema = colander.SchemaNode(StrictString(), name="data", validator=http_url,
                                 description="absolute http:// or https:// URL")

    def payload(self, data):
        # The stored destination and a static code's payload are the URI form: what Location carries.
        return to_uri(data)

    def scan_response(self, request, code):
        return redirect(code.destination)
