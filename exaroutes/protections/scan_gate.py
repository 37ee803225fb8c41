"""The one call the scan view makes for protections: expiry, scan cap and password, in that order.

`protection_gate(request, code, counted)` returns a response when the scan must stop here (410 for an
expired or capped code, the password form for a locked one) and None to let the scan through; for a
counted scan of a capped code it has then already claimed (and committed) one scan of the cap.
"""
from exaroutes.clock import utcnow
# Modules, not names: the scan package imports this module while these may still be importing it.
from exaroutes.protections import encryption, limits, pages, password_form


def readable_code(settings, code):
    """What the data type's scan response reads: the plaintext of an encrypted code."""
    return encryption.readable_code(settings, code)


def limit_page(code):
    """410 for an expired or capped code (nothing is written), else None."""
    if limits.is_expired(code, utcnow()):
        return pages.expired_page()
    if limits.is_capped(code):
        return pages.capped_page()
    return None


def protection_gate(request, code, counted):
    blocked = limit_page(code)
    if blocked is not None:
        return blocked
    if code.password_hash and not password_form.spend_unlock(request, code):
        return password_form.form_response(request, code)
    if counted and code.max_scans is not None:
        claimed = limits.claim_scan(request.registry["dbengine"], code)
        # The redirect's cached copy of the code now has a stale count: let the next scan read the row.
        request.registry["code_cache"].invalidate(code.short_id)
        if not claimed:
            return pages.capped_page()
    return None
