"""The compliance lock: an operator freezes a code (`exaroutes-codes lock`); the API then answers 409."""
from exaroutes.clock import utcnow
from exaroutes.codes.lookup import find_code
from exaroutes.protections.names import with_protection, without_protection


class CodeNotFound(Exception):
    pass


def _find(dbsession, short_id):
    code = find_code(dbsession, short_id)
    if code is None:
        raise CodeNotFound(f"no QR code {short_id!r}")
    return code


def lock_code(dbsession, short_id, reason=None):
    """Add the compliance lock (again, with the new reason, if it is already locked)."""
    code = _find(dbsession, short_id)
    code.protections = with_protection(code.protections, "compliance")
    code.locked_at = utcnow()
    code.lock_reason = reason
    return code


def unlock_code(dbsession, short_id):
    code = _find(dbsession, short_id)
    code.protections = without_protection(code.protections, "compliance")
    code.locked_at = None
    code.lock_reason = None
    return code
