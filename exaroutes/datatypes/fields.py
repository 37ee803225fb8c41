"""Building blocks the data types share: object-or-string `data`, phone numbers, e-mail addresses.

Kept apart from the types themselves so that `sms` and `vcard` validate a phone number exactly as
`phone` does, and `vcard` an address exactly as `email` does.
"""
import re

import colander
from pyramid.response import Response

from exaroutes.schemas.types import StrictString, json_type
from exaroutes.uris import to_location


class ObjectOrString(colander.Mapping):
    """`data` as a JSON object, or as a string that `parse(node, text)` turns into that object.

    DESIGN.md §2 lets clients send the structured types either way; the string is the type's
    canonical text (a `WIFI:` string, a vCard, …), so a stored `destination` is valid `data` too.
    Unlike colander.Mapping it accepts only a real JSON object and names every unknown key
    (`data.sssid`): a typo must not be silently dropped.
    """

    def __init__(self, parse=None):
        super().__init__(unknown="ignore")
        self.parse = parse

    def deserialize(self, node, cstruct):
        if isinstance(cstruct, str) and self.parse is not None:
            cstruct = self.parse(node, cstruct)
        elif cstruct is not colander.null and not isinstance(cstruct, dict):
            kinds = "an object or a string" if self.parse is not None else "an object"
            raise colander.Invalid(node, f"must be {kinds}, not {json_type(cstruct)}")
        known = {child.name for child in node.children}
        unknown = [key for key in cstruct if key not in known] if isinstance(cstruct, dict) else []
        try:
            value = super().deserialize(node, cstruct)
        except colander.Invalid as invalid:
            raise self.with_unknown(invalid, unknown)
        if unknown:
            raise self.with_unknown(colander.Invalid(node), unknown)
        return value

    @staticmethod
    def with_unknown(invalid, unknown):
        """Add an `unknown field` error per key, so the client sees every problem at once."""
        for key in unknown:
            invalid.add(colander.Invalid(colander.SchemaNode(colander.String(), name=key), "unknown field"))
        return invalid


def invalid_field(node, name, message):
    """A colander.Invalid about child `name` of `node`, reported as `data.<name>`."""
    invalid = colander.Invalid(node)
    invalid[name] = message
    return invalid


def text_field(name, description, max_length, required=False, validator=None):
    """A strict string child; optional ones may be left out (an empty string counts as left out)."""
    length = colander.Length(1, max_length)
    validator = colander.All(length, validator) if validator else length
    # allow_empty=False: for an optional part of `data` (an email's subject), "" means "none given".
    return colander.SchemaNode(StrictString(allow_empty=required), name=name, validator=validator,
                               description=description, missing=colander.required if required else colander.drop)


def no_line_breaks(node, value):
    if "\r" in value or "\n" in value:
        raise colander.Invalid(node, "must be one line")


# Phone numbers ------------------------------------------------------------------------------------

#: digits with an optional leading +, and the visual separators people print (space . - ( ) /)
PHONE = re.compile(r"\+?[0-9][0-9 .\-()/]*", re.ASCII)
PHONE_SEPARATORS = re.compile(r"[ .\-()/]")


def phone_number(node, value):
    """E.164-ish: an optional +, 3 to 15 digits (E.164's maximum), visual separators allowed."""
    if not PHONE.fullmatch(value):
        raise colander.Invalid(node, "must be a phone number: digits with an optional leading +, "
                                     "spaces, dots, dashes, slashes and parentheses; no letters")
    digits = sum(ch.isdigit() for ch in value)
    if not 3 <= digits <= 15:
        raise colander.Invalid(node, f"must have 3 to 15 digits, not {digits}")


def compact_phone(value):
    """`+49 (30) 123-456` → `+4930123456`: what `tel:`, `sms:` and `SMSTO:` carry."""
    return PHONE_SEPARATORS.sub("", value)


# E-mail addresses ---------------------------------------------------------------------------------

#: characters that are never part of a plain `local@domain` address (quoted local parts are not accepted)
ADDRESS_FORBIDDEN = set(' "(),:;<>@[\\]') | {chr(c) for c in range(33)} | {"\x7f"}


def email_address(node, value):
    """One `local@domain` address (RFC 5321 lengths); Unicode (RFC 6531) is allowed, spaces are not."""
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise colander.Invalid(node, "must be an e-mail address like name@example.com")
    if ADDRESS_FORBIDDEN & set(local + domain) or "?" in domain or "/" in domain or "%" in domain:
        raise colander.Invalid(node, "must be one plain address, without spaces, quotes or brackets")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels) or domain.startswith("-"):
        raise colander.Invalid(node, "the domain must look like example.com")
    if len(local.encode("utf-8")) > 64 or len(value.encode("utf-8")) > 254:
        raise colander.Invalid(node, "is too long (at most 64 bytes before the @, 254 in all)")


# Types whose destination is a URI ----------------------------------------------------------------

def redirect(location):
    """302 with `no-store`, never 301: a cached 301 would pin every phone to the old destination.
    The Location is always ASCII (exaroutes.uris), whatever an older stored destination holds."""
    response = Response(status=302)
    response.location = to_location(location)
    response.headers["Cache-Control"] = "no-store"
    return response


class PayloadDestination:
    """A type whose destination is its static payload, and whose `data` may be given as that text:
    `from_destination` is then the schema itself. Subclasses set `name`, `schema` and `payload`."""

    def destination(self, data):
        return self.payload(data)

    def from_destination(self, destination):
        return self.schema.deserialize(destination)


class UriDataType(PayloadDestination):
    """A type whose destination is a URI a phone hands to an app (`mailto:`, `tel:`, `sms:`, `geo:`):
    a scan of its dynamic code redirects there, and PUT accepts such a URI as `destination`.
    Subclasses also set `scheme`; the destination is the payload unless they say otherwise.
    """

    scheme = ""

    def from_destination(self, destination):
        if not destination.lower().startswith(self.scheme):
            raise colander.Invalid(self.schema, f"must be a {self.scheme} URI")
        return self.schema.deserialize(self.data_text(destination))

    def data_text(self, destination):
        """What of the URI the schema reads: all of it, since the string form of `data` is the URI."""
        return destination

    def scan_response(self, request, code):
        return redirect(code.destination)
