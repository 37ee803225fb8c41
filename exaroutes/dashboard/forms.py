"""HTML form fields generated from the API's colander schemas, and form values turned back into JSON.

The create form is built from `CreateCodeBody` (styling fields, as other work adds them) and from each
data type plugin's `schema` (its data fields), so a new field or a newly installed type shows up here
without a template change. Form text is converted to the JSON types the schema wants, then validated
by the very code the API uses, so a field error reads the same as the API's 422.
"""
from dataclasses import dataclass

import colander

from exaroutes.schemas.design import CreateCodeBody
from exaroutes.schemas.types import StrictBoolean, StrictInteger, StrictNumber
from exaroutes.storable import PROBLEM as UNSTORABLE, bad_text

#: body fields the create page shows in its own way (type tabs, format select, data fields, routing rows)
OWN_FIELDS = ("data", "dataType", "returnType", "rules", "variants")


@dataclass(frozen=True)
class FormField:
    name: str              # the API's name: `size`, `data`, `data.ssid`
    label: str
    kind: str              # text, textarea, number, checkbox, select, password (never echoed back)
    description: str
    required: bool
    choices: tuple = ()

    @property
    def html_id(self):
        return "field-" + self.name.replace(".", "-")


def choices_of(node):
    validators = node.validator if isinstance(node.validator, (list, tuple)) else [node.validator]
    for validator in validators:
        if isinstance(validator, colander.OneOf):
            return tuple(validator.choices)
    return ()


#: fields whose value is a secret: `type="password"`, and a re-shown form never fills them in
SECRET_FIELDS = ("password",)


def field_of(node, name, long_text=False):
    choices = choices_of(node)
    if name in SECRET_FIELDS:
        kind = "password"
    elif choices:
        kind = "select"
    elif isinstance(node.typ, StrictBoolean):
        kind = "checkbox"
    elif isinstance(node.typ, (StrictInteger, StrictNumber, colander.Integer, colander.Float)):
        kind = "number"
    else:
        kind = "textarea" if long_text else "text"
    label = name.split(".")[-1]
    return FormField(name=name, label=label, kind=kind, description=node.description or "",
                     required=node.required, choices=choices)


def style_fields():
    """Every styling field of the create body, in schema order."""
    return [field_of(node, node.name) for node in CreateCodeBody().children if node.name not in OWN_FIELDS]


def data_fields(datatype):
    """One field for a string `data`, one per child for an object `data` (`data.ssid`, ...)."""
    schema = datatype.schema
    if isinstance(schema.typ, colander.Mapping):
        return [field_of(child, f"data.{child.name}") for child in schema.children]
    return [field_of(schema, "data", long_text=datatype.name == "text")]


def convert(field, raw):
    """(value, error) of one form value in the JSON type the schema expects."""
    if field.kind == "checkbox":
        return raw in ("on", "true", "1"), None
    if field.kind == "number":
        try:
            return int(raw), None
        except ValueError:
            try:
                return float(raw), None
            except ValueError:
                return None, "must be a number"
    return raw, None


def form_body(form, fields, fixed):
    """(JSON body, {field: error}) from submitted form values; empty optional fields are left out."""
    body, errors = dict(fixed), {}
    for field in fields:
        raw = form.get(field.name, "")
        if field.kind not in ("textarea", "password"):    # a password is taken exactly as typed
            raw = raw.strip()
        # An unticked box sends nothing: leave an optional one out, so the API's default applies.
        if raw == "" and (field.kind != "checkbox" or not field.required):
            continue
        value, error = convert(field, raw)
        if bad_text(raw):   # PostgreSQL cannot store a NUL: a 422 naming the field, not a 500
            error = UNSTORABLE
        if error:
            errors[field.name] = error
            continue
        if field.name.startswith("data."):
            body.setdefault("data", {})[field.name[len("data."):]] = value
        else:
            body[field.name] = value
    return body, errors


def api_errors(errors):
    """The API's error entries as {field name: message}, the first message per field."""
    found = {}
    for error in errors:
        found.setdefault(error["name"], error["description"])
    return found
