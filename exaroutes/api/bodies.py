"""The Cornice request schemas: each service's `body` and `querystring` (Cornice's convention, which the
OpenAPI generator reads), wrapping the shared schemas of `exaroutes.schemas.design`."""
import colander

from exaroutes.schemas.design import STATUSES, BulkItems, CreateCodeBody, StaticBody, UpdateCodeBody, optional


class CreateBulk(colander.MappingSchema):
    body = BulkItems(validator=colander.Length(1, 1000), description="1 to 1000 create bodies")


class CreateCode(colander.MappingSchema):
    body = CreateCodeBody()


class CreateStatic(colander.MappingSchema):
    body = StaticBody()


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
