"""The design and create/update schemas the API, bulk items and the dashboard forms all validate with.

They also feed the OpenAPI document; the Cornice wrappers (`body` / `querystring`) are in `exaroutes.api.bodies`."""
import colander

from exaroutes.imaging.matrix import LEVELS
from exaroutes.renderers.shapes import SHAPES
from exaroutes.schemas.limits import LimitFields, expires_at_node, max_scans_node, password_node
from exaroutes.schemas.routing import rules_node, variants_node
from exaroutes.schemas.types import AnyJson, StrictInteger, StrictString, hex_color


#: docs/scanning.md "Quiet zone": drawn edge to edge, OpenCV does not read a margin-0 code as served,
#: and no reader reads it printed next to other content
MARGIN_TOO_SMALL = ("${val} leaves no quiet zone: readers cannot find a code drawn edge to edge (OpenCV misses "
                    "it as served, every reader once it is printed beside other content); at least ${min} "
                    "module, 4 is the standard")


def optional(node_type, name, description, validator=None):
    return colander.SchemaNode(node_type, name=name, missing=colander.drop, validator=validator,
                               description=description)


class StyleFields(colander.MappingSchema):
    """Styling (DESIGN.md §1.4); absent fields take the defaults in exaroutes.imaging.render."""

    size = optional(StrictInteger(), "size", "image width in px, 64-4096 (default 512)", colander.Range(64, 4096))
    margin = optional(StrictInteger(), "margin", "quiet zone in modules, 1-20 (default 4); under 4 is flagged in "
                      "`print.blankBorderMm`", colander.Range(1, 20, min_err=MARGIN_TOO_SMALL))
    error_correction = optional(StrictString(), "errorCorrection", "L, M, Q or H; unset: M, raised to the "
                                "highest level the same QR version holds",
                                colander.OneOf(LEVELS))
    foreground = optional(StrictString(), "foregroundColor", "#RRGGBB (default #000000)", hex_color)
    background = optional(StrictString(), "backgroundColor", "#RRGGBB (default #FFFFFF)", hex_color)
    shape = optional(StrictString(), "shape", "module shape: " + ", ".join(SHAPES) + " (default square)",
                     colander.OneOf(SHAPES))
    logo = optional(StrictString(), "logo", "data:image/png;base64,... or data:image/jpeg;base64,..., at most "
                    "1 MiB decoded, drawn centred in a box of 20% of the symbol's side; forces errorCorrection H")


class DesignBody(StyleFields):
    """What every create body shares: the content, its type, the image format and the style."""

    # `openapi=` lets the OpenAPI document list what the installed plugins accept.
    data = colander.SchemaNode(AnyJson(), name="data", openapi="datatypes",
                               description="the content; its shape depends on dataType")
    data_type = colander.SchemaNode(StrictString(), name="dataType", missing="url", openapi="datatype_names",
                                    description="an installed data type (default url)")
    return_type = colander.SchemaNode(StrictString(), name="returnType", missing="png", openapi="renderer_names",
                                      description="an installed renderer (default png)")


def domain_node():
    return optional(StrictString(), "domain", "a verified custom domain of the workspace: the redirectUrl and the "
                    "image use it (https://<domain>/r/<id>), and it never changes (default: the redirect base)")


class CreateCodeBody(DesignBody, LimitFields):
    password = password_node()
    rules = rules_node()
    variants = variants_node()
    domain = domain_node()


class BulkItemBody(DesignBody, LimitFields):
    """A bulk item: a create body without `password` (passwords are set one code at a time)."""

    rules = rules_node()
    variants = variants_node()
    domain = domain_node()


class BulkItems(colander.SequenceSchema):
    """The bulk body. It documents the request; `exaroutes.bulk.items.check_items` validates it,
    naming each problem `[3].field`."""

    item = BulkItemBody()


class StaticBody(DesignBody):
    pass


STATUSES = ("active", "inactive")


class UpdateCodeBody(colander.MappingSchema):
    destination = optional(AnyJson(), "destination", "new destination in the data type's canonical form")
    data = optional(AnyJson(), "data", "new content, validated like data on create")
    data.openapi = "datatypes"
    status = optional(StrictString(), "status", "active or inactive", colander.OneOf(STATUSES))
    expires_at = expires_at_node(nullable=True)
    max_scans = max_scans_node(nullable=True)
    rules = rules_node()
    variants = variants_node()
