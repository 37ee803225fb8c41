"""Shared colander types and validators: strict where colander is lenient (STYLE.md §2.5).

colander turns 12.7 into 12, true into 1 and reads "no" as True; a JSON API must reject all of
these, so JSON bodies use the Strict* types. Query strings are text by nature and use plain colander.
"""
import re
from urllib.parse import urlsplit

import colander

from exaroutes.uris import NotAUri, to_uri


class StrictString(colander.String):
    """Only a JSON string. "" is a value, not a missing field: colander would otherwise turn
    `"errorCorrection": ""` into "use the default" instead of the 422 a typo deserves."""

    def __init__(self, allow_empty=True, **kw):
        super().__init__(allow_empty=allow_empty, **kw)

    def deserialize(self, node, cstruct):
        if cstruct is not colander.null and not isinstance(cstruct, str):
            raise colander.Invalid(node, f"must be a string, not {json_type(cstruct)}")
        return super().deserialize(node, cstruct)


class StrictInteger(colander.Integer):
    """Reject floats, booleans and numeric strings that colander.Integer would silently accept."""

    def deserialize(self, node, cstruct):
        if cstruct is not colander.null and (isinstance(cstruct, bool) or not isinstance(cstruct, int)):
            raise colander.Invalid(node, f"must be an integer, not {json_type(cstruct)}")
        return super().deserialize(node, cstruct)


class StrictBoolean(colander.Boolean):
    """Only JSON true/false."""

    def deserialize(self, node, cstruct):
        if cstruct is not colander.null and not isinstance(cstruct, bool):
            raise colander.Invalid(node, f"must be true or false, not {json_type(cstruct)}")
        return cstruct


class StrictNumber(colander.Float):
    """A JSON number (integer or decimal), never a boolean or a string."""

    def deserialize(self, node, cstruct):
        if cstruct is not colander.null and (isinstance(cstruct, bool) or not isinstance(cstruct, (int, float))):
            raise colander.Invalid(node, f"must be a number, not {json_type(cstruct)}")
        return super().deserialize(node, cstruct)


class AnyJson(colander.SchemaType):
    """Pass the JSON value through untouched; a second step validates it (e.g. `data` per dataType)."""

    def deserialize(self, node, cstruct):
        return cstruct

    def serialize(self, node, appstruct):
        return appstruct


def json_type(value):
    """The JSON name of a Python value, for error messages a JSON client understands."""
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def http_url(node, value):
    """An absolute http(s) URL with a host; colander.url also accepts ftp:// and more.

    Non-ASCII addresses are welcome, but only if they have a URI form (exaroutes.uris): that is what
    a scan's Location will carry, so it is the form checked here, length included."""
    if len(value) > 2048:
        raise colander.Invalid(node, "URL is longer than 2048 characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise colander.Invalid(node, "URL must not contain spaces or control characters")
    try:
        value = to_uri(value)
    except NotAUri as exc:
        raise colander.Invalid(node, f"URL {exc}")
    if len(value) > 2048:
        raise colander.Invalid(node, "URL is longer than 2048 characters once non-ASCII characters are encoded")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise colander.Invalid(node, "not a valid URL")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise colander.Invalid(node, "must be an absolute http:// or https:// URL")
    # Policy (README "API notes"): a redirect service must not print addresses that read as one host
    # and lead to another. `https://bank.example@evil.example` shows bank.example and goes to evil;
    # browsers read `\` as `/`, so `http://evil.example\.bank.example` goes to evil.example too.
    if "@" in parts.netloc:
        raise colander.Invalid(node, "must not contain a user name or password (user@host)")
    if "\\" in value:
        raise colander.Invalid(node, "must not contain a backslash; write it as %5C")


HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def hex_color(node, value):
    # fullmatch, not match: `$` also matches before a final newline, so "#000000\n" would pass
    if not HEX_COLOR.fullmatch(value):
        raise colander.Invalid(node, "must be a colour like #1A2B3C")


# What the OpenAPI generator says about these validators (exaroutes.api.openapi reads `json_schema`).
hex_color.json_schema = {"pattern": HEX_COLOR.pattern}
http_url.json_schema = {"format": "uri", "maxLength": 2048}
