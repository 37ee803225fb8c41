"""A code's rules and variants as rows of plain form fields, and submitted rows back as the API's JSON.

No script and no hand-written JSON: each rule is a row (destination, device/OS/weekday boxes,
countries and languages as comma-separated text, a from/to window and a time zone), each variant a
row (name, destination, weight). Blank rows are ignored, so a form can offer a few spare rows, and
"more rows" buttons add more. The rows are validated by the API's own schemas
(`exaroutes.schemas.routing`), so a problem reads the same as the API's 422; it is shown on the row
it belongs to (`rules[1].when.country[0]` -> row 2, "when.country[0]").
"""
import re

from exaroutes.routing.conditions import DEVICES, OPERATING_SYSTEMS, WEEKDAYS
from exaroutes.schemas.routing import MAX_RULES, MAX_VARIANTS
from exaroutes.routing.windows import known_zones

SPARE_ROWS = 1
FIRST_ROWS = 2
RULE_TEXT = ("destination", "country", "language", "from", "to", "timezone")
RULE_BOXES = {"device": DEVICES, "os": OPERATING_SYSTEMS, "days": WEEKDAYS}
VARIANT_TEXT = ("name", "destination", "weight")
ERROR_NAME = re.compile(r"^(rules|variants)\[(\d+)\]\.?(.*)$")


def field_name(section, row, name):
    return f"{section}-{row}-{name}"


def split_list(text):
    """`DE, AT CH` -> ["DE", "AT", "CH"]: commas or spaces separate."""
    return [item for item in re.split(r"[\s,]+", text.strip()) if item]


class RoutingRows:
    """What the template shows: how many rows, each field's value, and each row's errors."""

    def __init__(self, values, rule_rows, variant_rows, errors=None, row_of=None):
        self.values = values                   # {field name: str or [str]}
        self.rule_rows = min(rule_rows, MAX_RULES)
        self.variant_rows = min(variant_rows, MAX_VARIANTS)
        self.choices = RULE_BOXES
        self.zones = sorted(known_zones())
        self.section_errors, self.row_errors = {}, {}
        for name, message in (errors or {}).items():
            match = ERROR_NAME.match(name)
            if match:
                section, position, rest = match.group(1), int(match.group(2)), match.group(3)
                row = (row_of or {}).get((section, position), position)
                self.row_errors.setdefault((section, row), []).append(f"{rest}: {message}" if rest else message)
            elif name in ("rules", "variants"):
                self.section_errors[name] = message

    def text(self, section, row, name):
        value = self.values.get(field_name(section, row, name), "")
        return value[0] if isinstance(value, list) else value

    def checked(self, section, row, name, choice):
        value = self.values.get(field_name(section, row, name), [])
        return choice in (value if isinstance(value, list) else [value])

    def errors(self, section, row):
        return self.row_errors.get((section, row), [])


def rows_of_code(code):
    """RoutingRows showing a code's stored rules and variants, plus spare rows."""
    values = {}
    for row, rule in enumerate(code.rules or ()):
        when = rule["when"]
        values[field_name("rules", row, "destination")] = rule["destination"]
        values[field_name("rules", row, "country")] = ", ".join(when.get("country", ()))
        values[field_name("rules", row, "language")] = ", ".join(when.get("language", ()))
        for name in ("device", "os"):
            values[field_name("rules", row, name)] = list(when.get(name, ()))
        time = when.get("time", {})
        values[field_name("rules", row, "days")] = list(time.get("days", ()))
        for name in ("from", "to", "timezone"):
            values[field_name("rules", row, name)] = time.get(name, "")
    for row, variant in enumerate(code.variants or ()):
        for name in VARIANT_TEXT:
            values[field_name("variants", row, name)] = str(variant.get(name, ""))
    return RoutingRows(values, len(code.rules or ()) + SPARE_ROWS, len(code.variants or ()) + SPARE_ROWS)


def blank_rows():
    return RoutingRows({}, FIRST_ROWS, FIRST_ROWS)


def row_count(form, name, default):
    raw = form.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() else default


def submitted_rows(form, errors=None, row_of=None):
    """RoutingRows redisplaying a submitted form; the "more rows" buttons add a row."""
    action = form.get("action")
    rule_rows = row_count(form, "rule_rows", FIRST_ROWS) + (1 if action == "more-rules" else 0)
    variant_rows = row_count(form, "variant_rows", FIRST_ROWS) + (1 if action == "more-variants" else 0)
    values = {key: form.getall(key) if key.rsplit("-", 1)[-1] in RULE_BOXES else form.get(key)
              for key in form.keys() if key.startswith(("rules-", "variants-"))}
    return RoutingRows(values, rule_rows, variant_rows, errors, row_of)


def rule_from_row(form, row):
    """The rule JSON of one row, or None for a blank row. Text stays text: the schema judges it."""
    text = {name: form.get(field_name("rules", row, name), "").strip() for name in RULE_TEXT}
    boxes = {name: form.getall(field_name("rules", row, name)) for name in RULE_BOXES}
    when = {name: boxes[name] for name in ("device", "os") if boxes[name]}
    if text["country"]:
        when["country"] = [country.upper() for country in split_list(text["country"])]
    if text["language"]:
        when["language"] = split_list(text["language"])
    time = {name: text[name] for name in ("from", "to", "timezone") if text[name]}
    if boxes["days"]:
        time["days"] = boxes["days"]
    if time:                                   # a window without a zone is named by the schema
        when["time"] = {"timezone": "", **time}
    if not when and not text["destination"]:
        return None
    return {"when": when, "destination": text["destination"]}


def variant_from_row(form, row):
    text = {name: form.get(field_name("variants", row, name), "").strip() for name in VARIANT_TEXT}
    if not any(text.values()):
        return None
    variant = {"name": text["name"], "destination": text["destination"]}
    if text["weight"]:
        variant["weight"] = int(text["weight"]) if text["weight"].isascii() and text["weight"].isdigit() \
            else text["weight"]                # not a whole number: the schema names it
    return variant


def routing_from_form(form):
    """({"rules": [...], "variants": [...]}, {(section, position): row}) from the submitted rows.

    The second value maps a position in the lists back to the row it came from (blank rows are
    skipped), so an error about `rules[1]` is shown on the right row.
    """
    body, row_of = {"rules": [], "variants": []}, {}
    for section, count, parse in (("rules", MAX_RULES, rule_from_row), ("variants", MAX_VARIANTS, variant_from_row)):
        rows = min(row_count(form, "rule_rows" if section == "rules" else "variant_rows", FIRST_ROWS), count)
        for row in range(rows):
            entry = parse(form, row)
            if entry is not None:
                row_of[(section, len(body[section]))] = row
                body[section].append(entry)
    return body, row_of
