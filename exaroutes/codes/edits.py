"""Edits of codes from the dashboard, protected ones included, and their audit log.

The API refuses to change a code whose `protections` are not empty (409). Here each protection has
its own condition:
- "compliance": a written reason is required;
- "password": the code's password must be re-entered; it is checked by the scan form's guess limiter
  (`exaroutes.protections.attempts.verify_limited`), counted per signed-in key, so the dashboard is
  no way around the limit;
- "encrypt": the destination is shown decrypted to the signed-in workspace and written back
  encrypted; the audit log never holds its plaintext.
Every dashboard edit of a protected code adds an AuditEntry in the same transaction.
"""
import colander
from sqlalchemy import select

from exaroutes.schemas.design import STATUSES
from exaroutes.codes.service import mark_updated
from exaroutes.errors import ApiError
from exaroutes.models import AuditEntry
from exaroutes.protections.encryption import code_destination, store_content
from exaroutes.protections.attempts import verify_limited
from exaroutes.protections.signing import SIGNING_KEY, sign
from exaroutes.routing.service import apply_routing, routing_of
from exaroutes.schemas.routing import RoutingFields
from exaroutes.validation import deserialize

MAX_REASON_LENGTH = 2000
#: what the audit log records instead of an encrypted code's destination
ENCRYPTED_PLACEHOLDER = "(encrypted)"
ROUTING_SCHEMA = RoutingFields()


class EditRefused(Exception):
    """The form is not acceptable; `errors` maps each form field to its message."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def key_client(request, user):
    """Who is guessing, for the attempt limiter: the signed-in key, as a keyed hash."""
    return sign(request.registry[SIGNING_KEY], "dashboard key", user.key_id)[:32]


def password_errors(request, user, code, password):
    """The code's password, re-entered (TooManyAttempts once the key has used its attempts)."""
    if not password:
        return {"password": "re-enter this code's password to edit it"}
    if not verify_limited(request.registry, code, password, key_client(request, user)):
        return {"password": "wrong password"}
    return {}


def requested_changes(request, code, form, current_destination, routing=None):
    """{field: (old, new)} of what the form asks, or EditRefused naming each bad field.
    `routing`: the `rules`/`variants` the form's rows hold, when the page showed them."""
    changes, errors = {}, {}
    destination = form.get("destination", "").strip()
    if destination and destination != current_destination:
        datatype = request.registry["datatypes"].get(code.data_type)
        if datatype is None:
            errors["destination"] = f"the data type {code.data_type!r} is not installed"
        else:
            try:
                data = new_data_from_destination(datatype, destination)
                changes["destination"] = (current_destination, datatype.destination(data), data)
            except ApiError as exc:
                errors["destination"] = exc.errors[0]["description"]
    elif not destination:
        errors["destination"] = "Required"
    status = form.get("status", code.status)
    if status not in STATUSES:
        errors["status"] = f'"{status}" is not one of {", ".join(STATUSES)}'
    elif status != code.status:
        changes["status"] = (code.status, status, None)
    if routing is not None:
        routing_changes(code, routing, changes, errors)
    if errors:
        raise EditRefused(errors)
    if not changes:
        raise EditRefused({"destination": "nothing to update: change the destination, the status, the rules "
                                          "or the variants"})
    return changes


def routing_changes(code, body, changes, errors):
    """Add the `rules`/`variants` of `body` that differ from the code's to `changes`, or their problems
    to `errors`, named as the API names them (`rules[1].when.country[0]`)."""
    value, schema_errors = deserialize(ROUTING_SCHEMA, body, "body")
    for error in schema_errors:
        errors.setdefault(error["name"], error["description"])
    if schema_errors:
        return
    try:
        routing = routing_of(value, code.data_type, code.encrypted)
    except ApiError as exc:
        errors.update({error["name"]: error["description"] for error in exc.errors})
        return
    for name, new in routing.items():
        old = list(getattr(code, name) or [])
        if new != old:
            changes[name] = (old, new, None)


def protection_errors(request, user, code, form):
    """What each of the code's protections still asks for."""
    errors = {}
    protections = set(code.protections or [])
    if "compliance" in protections:
        reason = form.get("reason", "").strip()
        if not reason:
            errors["reason"] = "a written reason is required to edit a compliance-locked code"
        elif len(reason) > MAX_REASON_LENGTH:
            errors["reason"] = f"at most {MAX_REASON_LENGTH} characters"
    if "password" in protections:
        errors.update(password_errors(request, user, code, form.get("password", "")))
    return errors


def edit_code(request, user, code, form, routing=None):
    """Apply the form's destination/status (and `routing`: its rules/variants) to `code`; audit it if the
    code is protected."""
    current = code_destination(request.registry.settings, code)
    changes = requested_changes(request, code, form, current, routing)
    errors = protection_errors(request, user, code, form)
    if errors:
        raise EditRefused(errors)
    if "destination" in changes:
        _, destination, data = changes["destination"]
        store_content(request.registry.settings, code, destination, data)
    if "status" in changes:
        code.status = changes["status"][1]
    apply_routing(code, {name: changes[name][1] for name in ("rules", "variants") if name in changes})
    mark_updated(request.dbsession, request.registry.settings, code)
    if code.protections:
        request.dbsession.add(AuditEntry(
            workspace_id=user.workspace_id, code_id=code.id, key_prefix=user.key_prefix, at=code.updated_at,
            changes=audited_changes(code, changes),
            protections=list(code.protections), reason=form.get("reason", "").strip() or None))
    return changes


def audited_changes(code, changes):
    """{field: {"from", "to"}} for the audit log; an encrypted destination stays out of it."""
    audited = {name: {"from": old, "to": new} for name, (old, new, _) in changes.items()}
    if code.encrypted and "destination" in audited:
        audited["destination"] = {"from": ENCRYPTED_PLACEHOLDER, "to": ENCRYPTED_PLACEHOLDER}
    return audited


def audit_entries(dbsession, code):
    """The code's audit log, newest first."""
    return dbsession.scalars(select(AuditEntry).where(AuditEntry.code_id == code.id)
                             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())).all()


def new_data_from_destination(datatype, destination):
    """A destination in the type's canonical form, parsed back into data (422 naming `destination`)."""
    if not isinstance(destination, str):
        raise ApiError.for_field(422, "body", "destination", "must be a string")
    try:
        return datatype.from_destination(destination)
    except colander.Invalid as invalid:
        reasons = "; ".join(invalid.asdict().values())
        raise ApiError.for_field(422, "body", "destination", reasons)
