"""`phone`: a `tel:` URI (RFC 3966) that offers to call the number."""
import colander

from exaroutes.schemas.types import StrictString
from exaroutes.datatypes.fields import UriDataType, compact_phone, phone_number


class PhoneType(UriDataType):
    name = "phone"
    scheme = "tel:"
    description = "A phone number to call (tel: URI)."
    schema = colander.SchemaNode(StrictString(), name="data", validator=phone_number,
                                 description="E.164-ish number such as +49 30 1234567 (no letters)")

    def payload(self, data):
        """The compact number (visual separators dropped), as dialers and E.164 write it."""
        return "tel:" + compact_phone(data)

    def data_text(self, destination):
        """`data` of a phone code is the bare number."""
        return destination[len("tel:"):]
