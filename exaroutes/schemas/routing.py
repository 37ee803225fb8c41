"""The colander nodes of routing `rules` and `variants` (exaroutes.routing): one definition for the API
bodies (create, bulk items, PUT), the dashboard's forms and the OpenAPI document.

Everything is strict (STYLE.md §2.5): a list must be a JSON array, a key not listed here is an
"unknown field", and every problem is named where it is, `rules[1].when.country[0]`. What the
nodes return is stored as it is on the code and compiled by `exaroutes.routing.evaluate`.
"""
import re

import colander

from exaroutes.schemas.types import StrictInteger, StrictString, http_url, json_type
from exaroutes.datatypes.fields import ObjectOrString
from exaroutes.routing.conditions import DEVICES, OPERATING_SYSTEMS, WEEKDAYS
from exaroutes.routing.windows import clock_minutes, known_zones

MAX_RULES = 20
MAX_VARIANTS = 10
MAX_WEIGHT = 1000
MAX_VARIANT_NAME = 64
COUNTRY = re.compile(r"^[A-Z]{2}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,8}$")   # a primary language subtag (RFC 5646 §2.2.1)
CONDITIONS = ("device", "os", "country", "language", "time")


class StrictList(colander.Sequence):
    """Only a JSON array: colander.Sequence would turn the string "DE" into ["D", "E"]."""

    def _validate(self, node, value, accept_scalar):
        if not isinstance(value, list):
            raise colander.Invalid(node, f"must be an array, not {json_type(value)}")
        return value


def StrictObject():                          # noqa: N802 - a colander type, named like one
    """Only a JSON object, every unknown key named (`rules[0].when.contry`)."""
    return ObjectOrString(parse=None)


def country_code(node, value):
    if not COUNTRY.match(value):
        raise colander.Invalid(node, "must be an ISO 3166-1 alpha-2 country code in capitals, like DE")


country_code.json_schema = {"pattern": COUNTRY.pattern}


def language_subtag(node, value):
    if not LANGUAGE.match(value):
        raise colander.Invalid(node, "must be a primary language subtag like de or en (no region)")


language_subtag.json_schema = {"pattern": LANGUAGE.pattern}


def clock_time(allow_end_of_day):
    def validator(node, value):
        try:
            minutes = clock_minutes(value)
        except ValueError as exc:
            raise colander.Invalid(node, str(exc))
        if minutes == 24 * 60 and not allow_end_of_day:
            raise colander.Invalid(node, "must be a time between 00:00 and 23:59")
    validator.json_schema = {"pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$" if not allow_end_of_day
                             else r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
    return validator


def iana_zone(node, value):
    if value not in known_zones():
        raise colander.Invalid(node, "must be an IANA time zone name like Europe/Berlin")


def value_list(name, item_validator, description, max_items, lower=False):
    """A non-empty array of strings: any listed value matches."""
    item = colander.SchemaNode(StrictString(), name="item", validator=item_validator,
                               preparer=str.lower if lower else None)
    return colander.SchemaNode(StrictList(), item, name=name, missing=colander.drop,
                               validator=colander.Length(1, max_items), description=description)


def time_window_shape(node, value):
    """`from` and `to` come together and differ; a window names days, hours or both."""
    invalid = colander.Invalid(node)
    if ("from" in value) != ("to" in value):
        missing = "to" if "from" in value else "from"
        invalid[missing] = "is required together with " + ("from" if missing == "to" else "to")
    elif "from" in value and clock_minutes(value["from"]) == clock_minutes(value["to"]) % (24 * 60):
        invalid["to"] = "must differ from `from` (an empty or full-day window); leave both out for the whole day"
    elif "from" not in value and "days" not in value:
        invalid.msg = "must name days, a from/to window, or both"
    if invalid.msg is not None or invalid.children:
        raise invalid


def time_node():
    node = colander.SchemaNode(
        StrictObject(), name="time", missing=colander.drop, validator=time_window_shape,
        description="weekdays and/or a local time window [from, to) in an IANA zone; `to` before `from` "
                    "spans midnight (the part after midnight belongs to the day it started)")
    node.add(value_list("days", colander.OneOf(WEEKDAYS), "weekdays: " + ", ".join(WEEKDAYS), 7))
    node.add(colander.SchemaNode(StrictString(), name="from", missing=colander.drop,
                                 validator=clock_time(False), description="local start, HH:MM"))
    node.add(colander.SchemaNode(StrictString(), name="to", missing=colander.drop,
                                 validator=clock_time(True), description="local end, HH:MM (24:00 allowed)"))
    node.add(colander.SchemaNode(StrictString(), name="timezone", validator=iana_zone,
                                 description="IANA time zone, e.g. Europe/Berlin"))
    return node


def at_least_one_condition(node, value):
    if not value:
        raise colander.Invalid(node, "must hold at least one condition: " + ", ".join(CONDITIONS))


def when_node():
    node = colander.SchemaNode(StrictObject(), name="when", validator=at_least_one_condition,
                               description="all conditions must hold; within one, any listed value matches")
    node.add(value_list("device", colander.OneOf(DEVICES), "device classes: " + ", ".join(DEVICES), len(DEVICES)))
    node.add(value_list("os", colander.OneOf(OPERATING_SYSTEMS), "operating systems: " + ", ".join(OPERATING_SYSTEMS),
                        len(OPERATING_SYSTEMS)))
    node.add(value_list("country", country_code, "ISO 3166-1 alpha-2 countries, as scans record them", 300))
    node.add(value_list("language", language_subtag, "primary language subtags, matched against Accept-Language "
                        "in the visitor's order of preference", 50, lower=True))
    node.add(time_node())
    return node


def rule_node():
    node = colander.SchemaNode(StrictObject(), name="rule")
    node.add(when_node())
    node.add(colander.SchemaNode(StrictString(), name="destination", validator=http_url,
                                 description="where a scan matching `when` leads"))
    return node


def variant_name(node, value):
    if not value.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise colander.Invalid(node, "must be visible text without control characters")


def variant_node():
    node = colander.SchemaNode(StrictObject(), name="variant")
    node.add(colander.SchemaNode(StrictString(), name="name", validator=colander.All(
        colander.Length(1, MAX_VARIANT_NAME), variant_name), description="shown in analytics; unique per code"))
    node.add(colander.SchemaNode(StrictString(), name="destination", validator=http_url))
    node.add(colander.SchemaNode(StrictInteger(), name="weight", missing=1, validator=colander.Range(1, MAX_WEIGHT),
                                 description=f"share of the visitors no rule matched, 1-{MAX_WEIGHT} (default 1)"))
    return node


def unique_variant_names(node, value):
    invalid = colander.Invalid(node)
    seen = set()
    for position, variant in enumerate(value):
        if variant["name"] in seen:
            entry = colander.Invalid(node.children[0])
            entry["name"] = f"the name {variant['name']!r} is used by an earlier variant"
            invalid.add(entry, position)
        seen.add(variant["name"])
    if invalid.children:
        raise invalid


def rules_node():
    return colander.SchemaNode(
        StrictList(), rule_node(), name="rules", missing=colander.drop,
        validator=colander.Length(0, MAX_RULES),
        description=f"url codes only, at most {MAX_RULES}: the first rule whose `when` holds decides the "
                    "destination; PUT replaces the list, [] removes every rule")


def variants_node():
    return colander.SchemaNode(
        StrictList(), variant_node(), name="variants", missing=colander.drop,
        validator=colander.All(colander.Length(0, MAX_VARIANTS), unique_variant_names),
        description=f"url codes only, at most {MAX_VARIANTS}: when no rule matched, a weighted pick that is "
                    "sticky per visitor for the day; PUT replaces the list, [] removes; one variant declares a winner")


class RoutingFields(colander.MappingSchema):
    """`rules` and `variants`: mixed into the create, bulk-item and update bodies."""

    rules = rules_node()
    variants = variants_node()
