"""colander schemas of the request bodies and query strings (they also feed the OpenAPI document)."""
import colander

from exaroutes.api.protection_fields import LimitFields, expires_at_node, max_scans_node, password_node
from exaroutes.api.schemas import AnyJson, StrictInteger, StrictString, hex_color
from exaroutes.qr import LEVELS
from exaroutes.renderers.shapes import SHAPES


def optional(node_type, name, description, validator=None):
    return colander.SchemaNode(node_type, name=name, missing=colander.drop, validator=validator,
                               description=description)


class StyleFields(colander.MappingSchema):
    """Styling (DESIGN.md §1.4); absent fields take the defaults in exaroutes.rendering."""

    size = optional(StrictInteger(), "size", "image width in px, 64-4096 (default 512)", colander.Range(64, 4096))
    margin = optional(StrictInteger(), "margin", "quiet zone in modules, 0-20 (default 4)", colander.Range(0, 20))
    error_correction = optional(StrictString(), "errorCorrection", "L, M (default), Q or H",
                                colander.OneOf(LEVELS))
    foreground = optional(StrictString(), "foregroundColor", "#RRGGBB (default #000000)", hex_color)
    background = optional(StrictString(), "backgroundColor", "#RRGGBB (default #FFFFFF)", hex_color)
    shape = optional(StrictString(), "shape", "module shape: " + ", ".join(SHAPES) + " (default square)",
                     colander.OneOf(SHAPES))
    logo = optional(StrictString(), "logo", "data:image/png;base64,... or data:image/jpeg;base64,..., at most "
                    "1 MiB decoded, drawn centred at most 20% of the width; forces errorCorrection H")


class DesignBody(StyleFields):
    """What every create body shares: the content, its type, the image format and the style."""

    # `openapi=` lets the OpenAPI document list what the installed plugins accept.
    data = colander.SchemaNode(AnyJson(), name="data", openapi="datatypes",
                               description="the content; its shape depends on dataType")
    data_type = colander.SchemaNode(StrictString(), name="dataType", missing="url", openapi="datatype_names",
                                    description="an installed data type (default url)")
    return_type = colander.SchemaNode(StrictString(), name="returnType", missing="png", openapi="renderer_names",
                                      description="an installed renderer (default png)")


class CreateCodeBody(DesignBody, LimitFields):
    password = password_node()


class BulkItemBody(DesignBody, LimitFields):
    """A bulk item: a create body without `password` (issue 9: passwords are set one code at a time)."""


class BulkItems(colander.SequenceSchema):
    """The bulk body. It documents the request; `exaroutes.bulk_items.check_items` validates it,
    naming each problem `[3].field`."""

    item = BulkItemBody()


class CreateBulk(colander.MappingSchema):
    body = BulkItems(validator=colander.Length(1, 1000), description="1 to 1000 create bodies")


class CreateCode(colander.MappingSchema):
    body = CreateCodeBody()


class StaticBody(DesignBody):
    pass


class CreateStatic(colander.MappingSchema):
    body = StaticBody()


STATUSES = ("active", "inactive")


class UpdateCodeBody(colander.MappingSchema):
    destination = optional(AnyJson(), "destination", "new destination in the data type's canonical form")
    data = optional(AnyJson(), "data", "new content, validated like data on create")
    data.openapi = "datatypes"
    status = optional(StrictString(), "status", "active or inactive", colander.OneOf(STATUSES))
    expires_at = expires_at_node(nullable=True)
    max_scans = max_scans_node(nullable=True)


class UpdateCode(colander.MappingSchema):
    body = UpdateCodeBody()


class ListCodesQuery(colander.MappingSchema):
    limit = colander.SchemaNode(colander.Integer(), name="limit", missing=25, validator=colander.Range(1, 100),
                                description="page size, 1-100 (default 25)")
    cursor = colander.SchemaNode(colander.String(), name="cursor", missing="0",
                                 description="nextCursor of the previous page; 0 for the first")
    type = optional(colander.String(), "type", "only codes of this dataType")
    status = optional(colander.String(), "status", "only active or inactive codes", colander.OneOf(STATUSES))


class ListCodes(colander.MappingSchema):
    querystring = ListCodesQuery()
