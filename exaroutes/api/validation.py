"""Request validation for Cornice services: JSON parsing, unknown fields, strict colander schemas.

A service's schema is a mapping with optional `body` and `querystring` children (Cornice's
convention, which the OpenAPI generator reads). Each problem becomes one entry of `errors`, named
as the client wrote it (`size`, `data.ssid`, `[3].data`), and the status follows DESIGN.md §1.1:
415 not JSON, 400 not parseable or the wrong JSON type, 422 a field is invalid.
"""
import json

from exaroutes.errors import ApiError, field_error
from exaroutes.storable import PROBLEM as UNSTORABLE, unstorable_field
from exaroutes.validation import deserialize, raise_if


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class DuplicateKey(ValueError):
    """`{"data": "a", "data": "b"}`: JSON leaves the meaning open and parsers disagree (first or last
    wins), so a proxy that checked one value and we who use the other would see different requests."""


def _unique_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKey(key)
        obj[key] = value
    return obj


def parse_json_body(request):
    """The request body as JSON, or ApiError 415/400."""
    if request.content_type != "application/json":
        raise ApiError(415, "The body must be JSON, sent with 'Content-Type: application/json'.",
                       [field_error("header", "Content-Type", "must be application/json")])
    try:
        body = json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant,
                          object_pairs_hook=_unique_keys)
    except DuplicateKey as exc:
        raise ApiError(400, f"The request body has the key {exc.args[0]!r} twice.",
                       [field_error("body", exc.args[0], "appears twice in one object")])
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        raise ApiError(400, f"The request body is {reason}.", [field_error("body", "", reason)])
    unstorable = unstorable_field(body)
    if unstorable is not None:
        raise ApiError(422, f"{unstorable or 'The body'}: {UNSTORABLE}", [field_error("body", unstorable, UNSTORABLE)])
    return body


def validate_querystring(request, node):
    try:
        params = request.GET.mixed()
    except UnicodeDecodeError:
        raise ApiError(400, "The query string is not UTF-8.", [field_error("querystring", "", "not UTF-8")])
    # `?limit=` is not "the default": a client that sent a parameter meant a value (B20 of the review).
    empty = [field_error("querystring", name, "must not be empty; leave the parameter out for the default")
             for name, given in params.items() if given == ""]
    value, errors = deserialize(node, params, "querystring")
    raise_if(empty + [error for error in errors if error["name"] not in {e["name"] for e in empty}])
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
