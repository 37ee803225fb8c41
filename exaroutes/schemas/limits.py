"""colander fields of protected and limited codes: `password`, `encrypt`, `expiresAt`, `maxScans`.

`LimitFields` may go wherever a code is created (bulk items too); `password` is for the single create
only, so it is a separate node that only `CreateCodeBody` adds (bulk bodies are built without it).
On PUT, `expiresAt`/`maxScans` may be `null`, which removes the limit.
"""
import datetime

import colander

from exaroutes.schemas.types import StrictBoolean, StrictInteger, StrictString, json_type
from exaroutes.clock import UTC, utcnow

MAX_SCANS_LIMIT = 2**31 - 1


class Timestamp(colander.DateTime):
    """An ISO 8601 timestamp with a timezone (`Z` or `±hh:mm`), as naive UTC truncated to milliseconds."""

    def __init__(self, nullable=False):
        super().__init__()
        self.nullable = nullable

    def deserialize(self, node, cstruct):
        if cstruct is colander.null or (cstruct is None and self.nullable):
            return cstruct
        if not isinstance(cstruct, str):
            raise colander.Invalid(node, f"must be an ISO 8601 timestamp string, not {json_type(cstruct)}")
        try:
            moment = datetime.datetime.fromisoformat(cstruct)
        except ValueError:
            raise colander.Invalid(node, "must be an ISO 8601 timestamp like 2026-05-21T15:00:00Z")
        if moment.tzinfo is None:
            raise colander.Invalid(node, "must include a timezone: Z or an offset like +02:00")
        try:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # 9999-12-31T23:59-23:59 is past the last moment Python (and we) can hold
            raise colander.Invalid(node, "is out of range: it must fall between the years 1 and 9999 in UTC")
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class NullableInteger(StrictInteger):
    """A strict integer, or `null` where null has a meaning (removing a limit)."""

    def deserialize(self, node, cstruct):
        if cstruct is None:
            return None
        return super().deserialize(node, cstruct)


def in_the_future(node, value):
    if value is not None and value <= utcnow():
        raise colander.Invalid(node, "must be in the future")


def positive_scans(node, value):
    if value is not None and not 1 <= value <= MAX_SCANS_LIMIT:
        raise colander.Invalid(node, f"must be a positive integer up to {MAX_SCANS_LIMIT}")


positive_scans.json_schema = {"minimum": 1, "maximum": MAX_SCANS_LIMIT}  # for the OpenAPI document


def expires_at_node(nullable=False):
    return colander.SchemaNode(
        Timestamp(nullable=nullable), name="expiresAt", missing=colander.drop, validator=in_the_future,
        nullable=nullable,  # for the OpenAPI document
        description="ISO 8601 time with timezone, in the future; after it a scan answers 410"
                    + ("; null removes it" if nullable else ""))


def max_scans_node(nullable=False):
    return colander.SchemaNode(
        NullableInteger() if nullable else StrictInteger(), name="maxScans", missing=colander.drop,
        validator=positive_scans, nullable=nullable,
        description="positive integer; once this many scans are counted, a scan answers 410"
                    + ("; null removes it" if nullable else ""))


class LimitFields(colander.MappingSchema):
    """Encryption and limits: allowed wherever codes are created, bulk items included."""

    encrypt = colander.SchemaNode(StrictBoolean(), name="encrypt", missing=colander.drop,
                                  description="true: data and destination are stored encrypted at rest "
                                              "(the code can then only be changed from the dashboard)")
    expires_at = expires_at_node()
    max_scans = max_scans_node()


def password_node():
    """Single create only, never in bulk items."""
    return colander.SchemaNode(StrictString(), name="password", missing=colander.drop,
                               validator=colander.Length(4, 256),
                               description="4-256 characters; a scan asks for it before leading anywhere "
                                           "(only a slow hash is stored; the code can then only be changed "
                                           "from the dashboard)")
