"""The protections a code can carry (`secure` in the code object) and the 409 the API answers for them."""
from exaroutes.errors import ApiError, field_error

#: canonical order of `secure`
PROTECTIONS = ("password", "encrypt", "compliance")

WHY_LOCKED = {
    "password": "it is password-protected",
    "encrypt": "its data is encrypted at rest",
    "compliance": "it is under a compliance lock",
}


def with_protection(protections, name):
    """`protections` plus `name`, in canonical order (a new list: JSON columns track assignment only)."""
    wanted = set(protections or ()) | {name}
    return [p for p in PROTECTIONS if p in wanted]


def without_protection(protections, name):
    return [p for p in (protections or ()) if p != name]


def refuse_protected_update(code):
    """ApiError 409 naming every protection of `code`, if it has any; such codes change only in the dashboard."""
    if not code.protections:
        return
    reasons = [WHY_LOCKED.get(name, f"it is protected ({name})") for name in code.protections]
    raise ApiError(409, f"This code cannot be changed through the API because {' and '.join(reasons)}; "
                        "change it from the dashboard.",
                   [field_error("body", "secure", f"{name}: {WHY_LOCKED.get(name, 'protected')}")
                    for name in code.protections])
