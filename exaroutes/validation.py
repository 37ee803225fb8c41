"""Turning colander's verdicts into our error entries: strict schemas, unknown fields, one 422.

Beside `errors` because the domain (designs, bulk items, the dashboard's forms) validates with the
same schemas and must name fields exactly as the API does, without importing the web layer. Each
problem becomes one entry of `errors`, named as the client wrote it (`size`, `data.ssid`, `[3].data`).
"""
import colander

from exaroutes.errors import ApiError, field_error


def unknown_field_errors(node, cstruct, location, prefix=""):
    """A typo must not be silently ignored: every key the schema does not know is an error."""
    known = {child.name for child in node.children}
    return [field_error(location, f"{prefix}{key}", "unknown field") for key in cstruct if key not in known]


def invalid_messages(invalid):
    """(name, message) per problem in a colander.Invalid, named as JSON paths are written:
    `rules[1].when.country[0]`, where colander's own `asdict()` would say `rules.1.when.country.0`."""
    for path in invalid.paths():
        name, messages = "", []
        for exc in path:
            if exc.msg:
                messages.extend(exc.messages())
            if exc.positional:
                name += f"[{exc.pos}]"
            elif exc.node.name:
                name += f".{exc.node.name}" if name else exc.node.name
        yield name, "; ".join(colander.interpolate(messages))


def invalid_errors(invalid, location, prefix="", root=None):
    """colander.Invalid → our error entries (colander names nested fields `data.ssid`).

    `root` is the name of a wrapper node (`body`, `querystring`) that the client never wrote.
    """
    errors = []
    for name, message in dict(invalid_messages(invalid)).items():
        if root and (name == root or name.startswith(root + ".")):
            name = name[len(root) + 1:]
        errors.append(field_error(location, f"{prefix}{name}" if name else prefix.rstrip(".") or location,
                                  message))
    return errors


def deserialize(node, cstruct, location, prefix=""):
    """(value, errors) for a mapping `cstruct` under `node`, reporting unknown keys too."""
    errors = unknown_field_errors(node, cstruct, location, prefix)
    try:
        value = node.deserialize(cstruct)
    except colander.Invalid as invalid:
        return None, errors + invalid_errors(invalid, location, prefix, root=node.name)
    return value, errors


def raise_if(errors, status=422):
    if errors:
        first = errors[0]
        raise ApiError(status, f"{first['name']}: {first['description']}", errors)
