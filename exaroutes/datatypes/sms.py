"""`sms`: a text message to send, prepared in the phone's messaging app.

The static payload is ZXing's `SMSTO:number:message`, which Android and iOS camera apps read; the
message is everything after the second colon, so it needs no escaping. A scan of a dynamic code
redirects to the RFC 5724 form, `sms:number?body=…`, which browsers hand to the messaging app.
"""
from urllib.parse import quote, unquote

import colander

from exaroutes.datatypes.fields import (
    ObjectOrString, UriDataType, compact_phone, phone_number, text_field)


def parse_sms(node, text):
    """`data` given as a string: a bare number, `SMSTO:number[:message]` or `sms:number[?body=…]`."""
    lowered = text.lower()
    if lowered.startswith("smsto:"):
        number, colon, message = text[len("smsto:"):].partition(":")
        return {"number": number, **({"message": message} if colon and message else {})}
    if lowered.startswith("sms:"):
        number, _, query = text[len("sms:"):].partition("?")
        fields = {"number": number}
        if query:
            key, equals, value = query.partition("=")
            if key.lower() != "body" or not equals or "&" in value:
                raise colander.Invalid(node, "an sms: URI may carry only ?body=")
            try:
                fields["message"] = unquote(value, errors="strict")
            except UnicodeDecodeError:
                raise colander.Invalid(node, "the percent-encoding is not UTF-8")
        return fields
    return {"number": text}


class SmsSchema(colander.MappingSchema):
    number = text_field("number", "the recipient's phone number", 32, required=True, validator=phone_number)
    message = text_field("message", "prepared message text (optional)", 1000)


class SmsType(UriDataType):
    name = "sms"
    scheme = "sms:"
    description = "A text message to send (SMSTO: payload, sms: URI when scanned)."
    schema = SmsSchema(ObjectOrString(parse_sms), name="data",
                       description='{"number", "message"?}, or just the number')

    def payload(self, data):
        return f"SMSTO:{compact_phone(data['number'])}:{data.get('message', '')}"

    def destination(self, data):
        uri = "sms:" + compact_phone(data["number"])
        if "message" in data:
            uri += "?body=" + quote(data["message"], safe="")
        return uri
