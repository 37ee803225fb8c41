"""A code as the API shows it (DESIGN.md §1.2); an encrypted code's destination decrypted for its owner."""
from exaroutes.clock import isoformat
from exaroutes.codes.ids import redirect_url
from exaroutes.protections.encryption import code_destination


def code_json(code, settings):
    """The QR code object of DESIGN.md §1.2."""
    return {
        "id": code.short_id,
        "type": code.type,
        "dataType": code.data_type,
        "destination": code_destination(settings, code),
        "redirectUrl": redirect_url(settings, code.short_id),
        "status": code.status,
        "encrypted": code.encrypted,
        "secure": list(code.protections or []),
        "createdAt": isoformat(code.created_at),
        "updatedAt": isoformat(code.updated_at),
        "format": code.format,
        "style": dict(code.style or {}),
        "expiresAt": isoformat(code.expires_at),
        "maxScans": code.max_scans,
    }
