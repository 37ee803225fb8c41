"""Setting a code's rules and variants: the one check create, bulk items, PUT and the dashboard share.

Only `url` codes route (a phone number or a Wi-Fi network has no "other destination"), and never
encrypted ones: their destination is stored encrypted, and rules would keep the other destinations
in plain text beside it.
"""
from exaroutes.errors import ApiError, field_error

FIELDS = ("rules", "variants")


def routing_errors(body, data_type, encrypted, prefix=""):
    """Error entries for `rules`/`variants` of a validated body that this code cannot have."""
    errors = []
    for name in FIELDS:
        if not body.get(name):
            continue                                 # absent or []: nothing to route
        if data_type != "url":
            errors.append(field_error("body", f"{prefix}{name}",
                                      f"only url codes can have {name}, not {data_type} codes"))
        elif encrypted:
            errors.append(field_error("body", f"{prefix}{name}",
                                      f"an encrypted code cannot have {name}: they would be stored in plain text"))
    return errors


def routing_of(body, data_type, encrypted, prefix=""):
    """{"rules"?, "variants"?} of a validated body, or ApiError 422 naming them when this code cannot
    have them (checked before anything is stored)."""
    errors = routing_errors(body, data_type, encrypted, prefix)
    if errors:
        raise ApiError(422, f"{errors[0]['name']}: {errors[0]['description']}", errors)
    return {name: body[name] for name in FIELDS if name in body}


def apply_routing(code, routing):
    """Replace the code's rules and/or variants with those of `routing_of` (`[]` removes them)."""
    for name in FIELDS:
        if name in routing:
            setattr(code, name, list(routing[name]) or None)   # NULL when none: plain codes stay plain
