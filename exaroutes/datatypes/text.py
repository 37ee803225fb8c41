"""`text`: plain text; a dynamic text code shows the text on a small page."""
import colander

from exaroutes.schemas.types import StrictString
from exaroutes.datatypes.fields import PayloadDestination
from exaroutes.datatypes.pages import fields_page


class TextType(PayloadDestination):
    name = "text"
    description = "Plain UTF-8 text."
    schema = colander.SchemaNode(StrictString(), name="data", validator=colander.Length(1, 7089),
                                 description="the text, 1 to 7089 characters (what QR version 40-L holds in "
                                             "digits; whether it fits is decided at the chosen error correction)")

    def payload(self, data):
        return data

    def scan_response(self, request, code):
        return fields_page(request, "Text", [("", code.destination, True)])
