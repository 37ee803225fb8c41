"""Request validation for Cornice services: JSON parsing, unknown fields, strict colander schemas.

A service's schema is a mapping with optional `body` and `querystring` children (Cornice's
convention, which the OpenAPI generator reads). Each problem becomes one entry of `errors`, named
as the client wrote it (`size`, `data.ssid`, `[3].data`), and the status follows DESIGN.md §1.1:
415 not JSON, 400 not parseable or the wrong JSON type, 422 a field is invalid.
"""
import json

from exaroutes.errors import ApiError, field_error
from exaroutes.validation import deserialize, raise_if


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json_body(request):
    """The request body as JSON, or ApiError 415/400."""
    if request.content_type != "application/json":
        raise ApiError(415, "The body must be JSON, sent with 'Content-Type: application/json'.",
                       [field_error("header", "Content-Type", "must be application/json")])
    try:
        return json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        raise ApiError(400, f"The request body is {reason}.", [field_error("body", "", reason)])


def validate_querystring(request, node):
    try:
        params = request.GET.mixed()
    except UnicodeDecodeError:
        raise ApiError(400, "The query string is not UTF-8.", [field_error("querystring", "", "not UTF-8")])
    value, errors = deserialize(node, params, "querystring")
    raise_if(errors)
    return value


def validate_object_body(request, node, body=None, prefix=""):
    body = parse_json_body(request) if body is None else body
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.", [field_error("body", prefix.rstrip("."),
                                                                              "must be a JSON object")])
    value, errors = deserialize(node, body, "body", prefix)
    raise_if(errors)
    return value


def validate_request(request, schema=None, **kwargs):
    """Cornice validator: fills `request.validated["querystring"]` / `["body"]` from `schema`."""
    if schema is None:
        return
    schema = schema.bind(request=request)
    for child in schema.children:
        if child.name == "querystring":
            request.validated["querystring"] = validate_querystring(request, child)
        elif child.name == "body":
            request.validated["body"] = validate_object_body(request, child)
