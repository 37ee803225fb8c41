"""`email`: a `mailto:` URI (RFC 6068) that opens a prepared message in the phone's mail app.

The address goes into the path, subject and body into `?subject=…&body=…`, each percent-encoded as
UTF-8 (RFC 6068 §2: `%20` for a space, never `+`; line breaks in the body as `%0D%0A`, §5). A
non-ASCII domain is written as its IDNA A-label (`xn--…`), the form any mail client can resolve;
a non-ASCII local part has no such form and stays percent-encoded UTF-8.
"""
from urllib.parse import quote, unquote

import colander

from exaroutes.datatypes.fields import ObjectOrString, UriDataType, email_address, no_line_breaks, text_field

#: kept literal in the address: RFC 6068 `some-delims` minus the ones that separate addresses/headers
ADDRESS_SAFE = "@!$'()*+:;"


def parse_mailto(node, text):
    """`data` given as a string: a bare address, or a `mailto:` URI with subject/body."""
    if not text.lower().startswith("mailto:"):
        return {"to": text}
    address, _, query = text[len("mailto:"):].partition("?")
    if "#" in query or "#" in address:
        raise colander.Invalid(node, "a mailto: URI has no #fragment")
    try:
        fields = {"to": unquote(address, errors="strict")} if address else {}
        for pair in query.split("&") if query else ():
            key, equals, value = pair.partition("=")
            name = key.lower()
            if not equals or name not in ("subject", "body") or name in fields:
                raise colander.Invalid(node, "a mailto: URI may carry one subject and one body, "
                                             f"not {key!r}")
            # RFC 6068 has no `+` for a space (unlike HTML forms), so plain unquote, not unquote_plus.
            fields[name] = unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise colander.Invalid(node, "the percent-encoding is not UTF-8")
    if "body" in fields:
        fields["body"] = fields["body"].replace("\r\n", "\n")
    return fields


def ascii_address(address):
    """`zoë@exämple.de` → `zoë@xn--exmple-cua.de`; UnicodeError when the domain has no A-label."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def idna_domain(node, value):
    try:
        ascii_address(value)
    except UnicodeError:
        raise colander.Invalid(node, "the domain is not a valid internationalized domain name")


class EmailSchema(colander.MappingSchema):
    to = text_field("to", "the recipient's address, name@example.com", 254, required=True,
                    validator=colander.All(email_address, idna_domain))
    subject = text_field("subject", "subject line (optional)", 255, validator=no_line_breaks)
    body = text_field("body", "message text (optional)", 2000)


class EmailType(UriDataType):
    name = "email"
    scheme = "mailto:"
    description = "An e-mail to write: a mailto: URI with optional subject and body."
    schema = EmailSchema(ObjectOrString(parse_mailto), name="data",
                         description='{"to", "subject"?, "body"?}, or just the address')

    def payload(self, data):
        uri = "mailto:" + quote(ascii_address(data["to"]), safe=ADDRESS_SAFE)
        query = []
        if "subject" in data:
            query.append("subject=" + quote(data["subject"], safe=""))
        if "body" in data:
            body = data["body"].replace("\r\n", "\n").replace("\n", "\r\n")
            query.append("body=" + quote(body, safe=""))
        return uri + ("?" + "&".join(query) if query else "")
