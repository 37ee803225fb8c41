"""The OpenAPI 3.1 document, generated from what the app really runs, never written by hand.

It walks this app's Cornice services (the global Cornice list filtered by this app's routes, as
Kinto does), their colander request schemas (`body`, `querystring`), the installed data-type
plugins' `schema` nodes and the response schemas each view declares with `@responds`. A new
service, field or plugin appears in the document without an edit here.

Hints a schema node may carry (colander keeps unknown keyword arguments as attributes):
`nullable=True` (the value may be JSON null), `json_schema={...}` (extra keywords), and
`openapi="datatypes" | "datatype_names" | "renderer_names"` (filled from the installed plugins).
A validator function may carry a `json_schema` attribute the same way (e.g. `hex_color`).
"""
import re

import colander
from cornice.service import get_services
from pyramid.interfaces import IRoutesMapper

from exaroutes.schemas.types import AnyJson
from exaroutes.auth import API_PERMISSION

ERROR_REF = {"$ref": "#/components/schemas/Error"}
PATH_PARAMETER = re.compile(r"{(\w+)(?::[^}]*)?}")

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON or not the expected JSON type.",
    401: "Missing, malformed, unknown, revoked or expired key.",
    404: "No such resource in this workspace, or no such route.",
    409: "The resource is in a state that forbids this.",
    413: "The body is larger than the limit (10 MiB by default).",
    415: "The body is not application/json.",
    422: "A field is invalid; `errors` names every one.",
    429: "Rate limit exceeded; see Retry-After.",
    500: "Unexpected error; quote X-Request-Id.",
}


class RendererImages:
    """A body in the media type of whichever installed renderer drew it (png, svg, a plugin's pdf...)."""


RENDERER_IMAGES = RendererImages()
BINARY = {"type": "string", "format": "binary"}


def responds(responses):
    """Declare a view's success (and special error) responses: {status: colander node | media map | None}.

    A media map is `{"image/png": {json schema}, ...}` for non-JSON bodies (RENDERER_IMAGES: one per
    installed renderer, filled in from the plugins); None means no body.
    """
    def declare(view):
        view.openapi_responses = {**getattr(view, "openapi_responses", {}), **responses}
        return view
    return declare


def document_parameter(view, parameter):
    """Let a decorator (e.g. idempotency) add a header parameter to the operations of `view`."""
    view.openapi_parameters = [*getattr(view, "openapi_parameters", []), parameter]


class Generator:
    def __init__(self, registry):
        self.registry = registry

    # --- colander → JSON Schema -----------------------------------------------------------
    def node_schema(self, node):
        schema = self.type_schema(node)
        is_array = schema.get("type") == "array"
        for validator in flatten_validators(node.validator):
            schema.update(validator_keywords(validator, is_array))
        schema.update(getattr(node, "json_schema", {}))
        if node.description:
            schema["description"] = str(node.description)
        default = node.missing if node.missing not in (colander.required, colander.drop, colander.null) else None
        if default is not None and not isinstance(default, colander.deferred):
            schema["default"] = default
        if getattr(node, "nullable", False):
            schema = {"anyOf": [schema, {"type": "null"}]}
        return schema

    def type_schema(self, node):
        hint = getattr(node, "openapi", None)
        if hint == "datatypes":
            return {"anyOf": [{"$ref": f"#/components/schemas/data.{name}"} for name in sorted(self.datatypes)]}
        if hint == "datatype_names":
            return {"type": "string", "enum": sorted(self.datatypes)}
        if hint == "renderer_names":
            return {"type": "string", "enum": sorted(self.registry["renderers"])}
        typ = node.typ
        if isinstance(typ, colander.Mapping):
            schema = {"type": "object", "properties": {c.name: self.node_schema(c) for c in node.children},
                      "additionalProperties": typ.unknown == "preserve"}
            required = [c.name for c in node.children if c.required]
            if required:
                schema["required"] = required
            return schema
        if isinstance(typ, (colander.Sequence, colander.List)):
            return {"type": "array", "items": self.node_schema(node.children[0]) if node.children else {}}
        if isinstance(typ, colander.Boolean):
            return {"type": "boolean"}
        if isinstance(typ, colander.Integer):
            return {"type": "integer"}
        if isinstance(typ, (colander.Float, colander.Decimal)):
            return {"type": "number"}
        if isinstance(typ, colander.DateTime):
            return {"type": "string", "format": "date-time"}
        if isinstance(typ, colander.Date):
            return {"type": "string", "format": "date"}
        if isinstance(typ, colander.String):
            return {"type": "string"}
        if isinstance(typ, AnyJson):
            return {}
        return {}

    @property
    def datatypes(self):
        return self.registry["datatypes"]

    # --- services → paths -----------------------------------------------------------------
    def services(self):
        """Only the services whose route this app registered (Cornice's list is process-global)."""
        mapper = self.registry.queryUtility(IRoutesMapper)
        for service in get_services():
            route = mapper.get_route(service.name) if mapper else None
            if route is not None and route.pattern == service.path:
                yield service

    def operation(self, service, method, view, args):
        schema = args.get("schema")
        children = {c.name: c for c in schema.children} if schema is not None else {}
        operation = {"operationId": f"{service.name}_{method.lower()}",
                     "summary": (view.__doc__ or service.description or "").strip().split("\n")[0],
                     "tags": [resource_tag(service)]}
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in PATH_PARAMETER.findall(service.path)]
        if "querystring" in children:
            for child in children["querystring"].children:
                parameters.append({"name": child.name, "in": "query", "required": child.required,
                                   "schema": self.node_schema(child)})
        parameters.extend(getattr(view, "openapi_parameters", []))
        if parameters:
            operation["parameters"] = parameters
        if "body" in children:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": self.node_schema(children["body"])}}}
        operation["responses"] = self.responses(view, args, "body" in children, schema is not None)
        if args.get("permission") == API_PERMISSION:
            operation["security"] = [{"bearer": []}]
        else:
            operation["security"] = []
        return operation

    def responses(self, view, args, has_body, has_schema):
        responses = {}
        for status, declared in getattr(view, "openapi_responses", {}).items():
            responses[str(status)] = self.response(status, declared)
        if not any(status.startswith("2") for status in responses):
            # A view that declares nothing yet is still honest: some success, shape not documented.
            responses["2XX"] = {"description": "Success; this view does not declare its answer yet (@responds)."}
        errors = [404, 429, 500]
        if args.get("permission") == API_PERMISSION:
            errors.append(401)
        if has_body:
            errors += [400, 413, 415]
        if has_schema:
            errors.append(422)
        for status in sorted(errors):
            responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS[status],
                                               "content": {"application/json": {"schema": ERROR_REF}}})
        for status, response in responses.items():
            response["headers"] = response_headers(status)
        return dict(sorted(responses.items()))

    def response(self, status, declared):
        if declared is None:
            return {"description": "No body."}
        if isinstance(declared, colander.SchemaNode):
            content = {"application/json": {"schema": self.node_schema(declared)}}
            return {"description": str(declared.description or declared.title or "Success"), "content": content}
        if isinstance(declared, RendererImages):
            media_types = sorted({r.media_type for r in self.registry["renderers"].values()})
            return {"description": "The image as created, in its renderer's media type (octet-stream if that "
                                   "renderer is no longer installed)",
                    "content": {media: {"schema": BINARY} for media in [*media_types, "application/octet-stream"]}}
        if isinstance(declared, str):  # an error described in words, in the error shape
            return {"description": declared, "content": {"application/json": {"schema": ERROR_REF}}}
        return {"description": "Success", "content": {media: {"schema": schema} for media, schema in declared.items()}}

    def document(self, server_url=None):
        paths = {}
        for service in sorted(self.services(), key=lambda s: s.path):
            item = paths.setdefault(service.path, {})
            for method, view, args in service.definitions:
                if method == "HEAD":
                    continue  # Cornice adds HEAD to every GET; it answers the same without a body
                item[method.lower()] = self.operation(service, method, view, args)
        schemas = {"Error": error_schema()}
        for name, datatype in sorted(self.datatypes.items()):
            schemas[f"data.{name}"] = {"title": name, **self.node_schema(datatype.schema)}
        document = {
            "openapi": "3.1.0",
            "info": {"title": "ExaRoutes API", "version": self.registry.settings.get("exaroutes.api_version", "1"),
                     "description": "Dynamic and static QR codes. Every error has the shape of `Error`."},
            "paths": paths,
            "components": {"schemas": schemas,
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                          "description": "exr_live_… or exr_test_… key"}}},
        }
        if server_url:
            document["servers"] = [{"url": server_url}]
        return document


def resource_tag(service):
    """The resource a path belongs to: `codes` for /api/qr/codes/{id}, `webhooks` for /api/webhooks/{id}."""
    segments = service.path.split("/")[2:]
    if len(segments) < 2:
        return service.name
    return segments[1] if segments[0] == "qr" else segments[0]


def header(description, required=False, integer=False):
    return {"description": description, "required": required,
            "schema": {"type": "integer", "minimum": 0} if integer else {"type": "string"}}


def response_headers(status):
    """Headers the edge layers add: a request id always; rate-limit state when the caller was counted."""
    headers = {
        "X-Request-Id": header("echoed from the request when sane, else generated", required=True),
        "RateLimit-Limit": header("requests allowed per window for this key", integer=True),
        "RateLimit-Remaining": header("requests left in this window", integer=True),
        "RateLimit-Reset": header("seconds until the window resets", integer=True),
    }
    if status in ("201", "202"):  # DESIGN.md §1.3: whatever a POST creates, the answer says where it is
        headers["Location"] = header("URL of the created code or job", required=True)
    if status == "429":
        headers["Retry-After"] = header("seconds to wait", required=True, integer=True)
    if status == "401":
        headers["WWW-Authenticate"] = header('Bearer realm="exaroutes"', required=True)
    return headers


def error_schema():
    entry = {"type": "object", "required": ["location", "name", "description"], "additionalProperties": False,
             "properties": {"location": {"type": "string", "enum": ["body", "querystring", "path", "header"]},
                            "name": {"type": "string"}, "description": {"type": "string"}}}
    return {"type": "object", "required": ["error", "errors"], "additionalProperties": False,
            "properties": {"error": {"type": "string", "minLength": 1}, "errors": {"type": "array", "items": entry}}}


def flatten_validators(validator):
    if validator is None:
        return []
    if isinstance(validator, (colander.All, colander.Any)):
        return [v for inner in validator.validators for v in flatten_validators(inner)]
    return [validator]


def bounds(validator, lower, upper):
    return {keyword: value for keyword, value in ((lower, validator.min), (upper, validator.max))
            if value is not None}


def validator_keywords(validator, is_array=False):
    if isinstance(validator, colander.OneOf):
        return {"enum": list(validator.choices)}
    if isinstance(validator, colander.Range):
        return bounds(validator, "minimum", "maximum")
    if isinstance(validator, colander.Length):  # colander's Length measures strings and lists alike
        return bounds(validator, "minItems", "maxItems") if is_array else bounds(validator, "minLength", "maxLength")
    if isinstance(validator, colander.Regex):
        return {"pattern": validator.match_object.pattern}
    return dict(getattr(validator, "json_schema", {}))


def openapi_document(registry, server_url=None):
    return Generator(registry).document(server_url)
