"""colander schemas of what the API answers; views declare them with `@responds` for the OpenAPI document.

Objects allow extra properties (`unknown="preserve"`): DESIGN.md §1.2 lets fields be added, never removed.
"""
import colander

from exaroutes.codes.analytics import BREAKDOWNS
from exaroutes.api.openapi import BINARY, RENDERER_IMAGES
from exaroutes.schemas.limits import MAX_SCANS_LIMIT
from exaroutes.protections.names import PROTECTIONS
from exaroutes.schemas.routing import rules_node, variants_node

TIMESTAMP = {"pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"}
DATE = {"pattern": r"^\d{4}-\d\d-\d\d$"}
SHORT_ID = {"pattern": "^[A-Za-z0-9]{8}$"}


def field(node_type, name, **kw):
    return colander.SchemaNode(node_type, name=name, **kw)


def open_object(description, *children):
    node = colander.SchemaNode(colander.Mapping(unknown="preserve"), description=description)
    for child in children:
        node.add(child)
    return node


def print_object():
    """DESIGN.md §1.4 print guidance; the rule and its sources are in docs/scanning.md "Print size"."""
    node = open_object(
        "Print guidance: the smallest printed side at which a phone camera reads the code at arm's length "
        "(about 0.97 mm per module)",
        field(colander.Integer(), "modules", description="modules across the image, quiet zone included"),
        field(colander.Float(), "minSizeMm", description="the smallest printed side of the image, in mm"),
        field(colander.Float(), "blankBorderMm", missing=colander.drop,
              description="only when the margin is under 4 modules: blank space to leave around the printed "
                          "image (at minSizeMm; scale it with the print) so the quiet zone reaches 4 modules"))
    node.name = "print"
    return node


def code_object():
    return open_object(
        "The QR code object",
        field(colander.String(), "id", json_schema=SHORT_ID),
        field(colander.String(), "type", validator=colander.OneOf(["dynamic"])),
        field(colander.String(), "dataType"),
        field(colander.String(), "destination"),
        field(colander.String(), "redirectUrl"),
        field(colander.String(), "domain", nullable=True, missing=colander.drop,
              description="the custom domain the code is printed on; null: the redirect base"),
        field(colander.String(), "status", validator=colander.OneOf(["active", "inactive"])),
        field(colander.Boolean(), "encrypted"),
        field(colander.Sequence(), "secure",
              children=[field(colander.String(), "protection", validator=colander.OneOf(PROTECTIONS))]),
        field(colander.String(), "createdAt", json_schema=TIMESTAMP),
        field(colander.String(), "updatedAt", json_schema=TIMESTAMP),
        field(colander.String(), "format", missing=colander.drop),
        field(colander.Mapping(unknown="preserve"), "style", missing=colander.drop),
        print_object(),
        field(colander.String(), "expiresAt", nullable=True, json_schema=TIMESTAMP,
              description="after this a scan answers 410; null: never"),
        field(colander.Integer(), "maxScans", nullable=True, validator=colander.Range(1, MAX_SCANS_LIMIT),
              description="counted scans after which a scan answers 410; null: no cap"),
        always(rules_node()),
        always(variants_node()),
    )


def always(node):
    """A request node as a response field: always present ([] when none)."""
    node.missing = colander.required
    return node


def page_of(description, item):
    """`{"data": [item, ...], "pagination": {...}}`: every paged list of the API (DESIGN.md §1.3)."""
    pagination = open_object(
        "Where this page is", field(colander.Integer(), "total"), field(colander.Integer(), "limit"),
        field(colander.String(), "cursor"), field(colander.String(), "nextCursor", nullable=True))
    pagination.name = "pagination"
    data = colander.SchemaNode(colander.Sequence(), item, name="data")
    return open_object(description, data, pagination)


def code_list():
    return page_of("One page of codes, newest first", code_object())


def static_result():
    return open_object(
        "A static code's image; nothing is stored",
        field(colander.String(), "type", validator=colander.OneOf(["static"])),
        field(colander.String(), "dataType"), field(colander.String(), "format"),
        field(colander.String(), "image", description="SVG text, or a data: URI for other formats"),
        print_object())


def bulk_accepted():
    return open_object(
        "The job is stored and queued",
        field(colander.String(), "bulkId"),
        field(colander.String(), "status", validator=colander.OneOf(["queued"])),
        field(colander.Integer(), "total"))


def bulk_status():
    return open_object(
        "Progress of a bulk job",
        field(colander.String(), "bulkId"),
        field(colander.String(), "status", validator=colander.OneOf(["queued", "processing", "completed", "failed"])),
        field(colander.Integer(), "total"), field(colander.Integer(), "processed"),
        field(colander.Integer(), "succeeded"), field(colander.Integer(), "failed"),
        field(colander.String(), "createdAt", json_schema=TIMESTAMP),
        field(colander.String(), "completedAt", nullable=True, json_schema=TIMESTAMP),
        field(colander.Boolean(), "resultAvailable"))


def ranking(name, key):
    """A breakdown list: [{key: value, "scans": n}], most scans first."""
    entry = open_object(f"scans per {key}", field(colander.String(), key),
                        field(colander.Integer(), "scans", validator=colander.Range(1, None)))
    entry.name = key
    return colander.SchemaNode(colander.Sequence(), entry, name=name)


def analytics_object():
    """DESIGN.md §1.5 plus the sibling breakdowns of exaroutes.codes.analytics.BREAKDOWNS."""
    day = open_object("scans of one UTC day", field(colander.String(), "date", json_schema=DATE),
                      field(colander.Integer(), "scans", validator=colander.Range(0, None)))
    day.name = "day"
    count = {"validator": colander.Range(0, None)}
    return open_object(
        "Scans of one code over the last `days` UTC days, today included",
        field(colander.String(), "id", json_schema=SHORT_ID),
        field(colander.Integer(), "days", validator=colander.Range(1, 90)),
        field(colander.String(), "from", json_schema=DATE), field(colander.String(), "to", json_schema=DATE),
        field(colander.Integer(), "totalScans", **count), field(colander.Integer(), "uniqueScans", **count),
        colander.SchemaNode(colander.Sequence(), day, name="timeseries",
                            description="exactly `days` entries, oldest first, zero-filled"),
        *(ranking(name, key) for name, key in BREAKDOWNS.items()),
        route_counts("rules", "index", colander.Integer(), "scans sent by each rule (index in `rules`)"),
        route_counts("variants", "name", colander.String(), "scans sent to each variant"))


def route_counts(name, key, key_type, description):
    """[{key, "scans", "uniqueScans"}] of exaroutes.analytics.route_breakdowns."""
    count = {"validator": colander.Range(0, None)}
    entry = open_object(description, field(key_type, key), field(colander.Integer(), "scans", **count),
                        field(colander.Integer(), "uniqueScans", **count))
    entry.name = key
    return colander.SchemaNode(colander.Sequence(), entry, name=name)


ZIP = {"application/zip": BINARY}

IMAGE = RENDERER_IMAGES

