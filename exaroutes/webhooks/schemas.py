"""colander schemas of the webhook requests and answers (they also feed the OpenAPI document)."""
import colander

from exaroutes.api.bodies import ListCodesQuery
from exaroutes.api.responses import TIMESTAMP, field, open_object
from exaroutes.schemas.types import AnyJson, StrictString
from exaroutes.webhooks.models import DISABLED, ENABLED, FAILED, PENDING, SUCCEEDED
from exaroutes.webhooks.outbox import EVENT_TYPES

EVENTS_SCHEMA = {"type": "array", "items": {"type": "string", "enum": list(EVENT_TYPES)}, "uniqueItems": True}


def url_node(**kw):
    return colander.SchemaNode(StrictString(), name="url", json_schema={"format": "uri", "maxLength": 2048},
                               description="where events are POSTed: https:// and a public address in "
                                           "production (http:// and loopback too in development)", **kw)


def events_node(**kw):
    # AnyJson: the list is checked by exaroutes.webhooks.service.event_errors, which names `events[1]`.
    return colander.SchemaNode(AnyJson(), name="events", json_schema=EVENTS_SCHEMA,
                               description="event types to receive; absent or empty: all", **kw)


def description_node(**kw):
    return colander.SchemaNode(StrictString(), name="description", validator=colander.Length(0, 500),
                               description="a note for people, up to 500 characters", **kw)


class CreateEndpointBody(colander.MappingSchema):
    url = url_node()
    events = events_node(missing=[])
    description = description_node(missing="")


class CreateEndpoint(colander.MappingSchema):
    body = CreateEndpointBody()


class UpdateEndpointBody(colander.MappingSchema):
    url = url_node(missing=colander.drop)
    events = events_node(missing=colander.drop)
    description = description_node(missing=colander.drop)
    status = colander.SchemaNode(StrictString(), name="status", missing=colander.drop,
                                 validator=colander.OneOf([ENABLED, DISABLED]),
                                 description="enabled, or disabled (no new deliveries, pending ones wait)")


class UpdateEndpoint(colander.MappingSchema):
    body = UpdateEndpointBody()


class PageQuery(colander.MappingSchema):
    """`limit` and `cursor`, exactly as the codes list takes them."""

    limit = ListCodesQuery().get("limit").clone()
    cursor = ListCodesQuery().get("cursor").clone()


class Page(colander.MappingSchema):
    querystring = PageQuery()


def endpoint_object(with_secret=False):
    children = [
        field(colander.String(), "id", json_schema={"pattern": "^wh_[A-Za-z0-9_-]+$"}),
        field(colander.String(), "url"),
        field(colander.Sequence(), "events", children=[field(colander.String(), "event",
                                                             validator=colander.OneOf(EVENT_TYPES))]),
        field(colander.String(), "description"),
        field(colander.String(), "status", validator=colander.OneOf([ENABLED, DISABLED])),
        field(colander.String(), "createdAt", json_schema=TIMESTAMP),
        field(colander.String(), "updatedAt", json_schema=TIMESTAMP),
    ]
    if with_secret:
        children.append(secret_node())
    return open_object("A webhook endpoint" + (" with its signing secret, shown only now" if with_secret else ""),
                       *children)


def secret_node():
    return field(colander.String(), "secret", json_schema={"pattern": "^whsec_[A-Za-z0-9+/=]+$"},
                 description="the Standard Webhooks signing secret; shown only in this answer")


def secret_object():
    return open_object("The new signing secret; the previous one keeps signing for 24 hours", secret_node())


def delivery_object():
    return open_object(
        "One event's delivery to this endpoint",
        field(colander.String(), "id"), field(colander.String(), "eventId"),
        field(colander.String(), "type", validator=colander.OneOf(EVENT_TYPES)),
        field(colander.String(), "status", validator=colander.OneOf([PENDING, SUCCEEDED, FAILED])),
        field(colander.Integer(), "attempts"),
        field(colander.Integer(), "lastStatusCode", nullable=True),
        field(colander.String(), "lastError", nullable=True),
        field(colander.String(), "nextAttemptAt", nullable=True, json_schema=TIMESTAMP),
        field(colander.String(), "createdAt", json_schema=TIMESTAMP))
