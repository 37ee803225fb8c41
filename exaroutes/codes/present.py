"""A code as the API shows it (DESIGN.md §1.2); an encrypted code's destination decrypted for its owner."""
from exaroutes.clock import isoformat
from exaroutes.codes.ids import redirect_url
from exaroutes.imaging.render import print_guide
from exaroutes.protections.encryption import code_destination


def code_json(code, settings):
    """The QR code object of DESIGN.md §1.2, with `print` (§1.4) for the image its redirect URL makes."""
    short_url = redirect_url(settings, code.short_id, code.domain)
    return {
        "id": code.short_id,
        "type": code.type,
        "dataType": code.data_type,
        "destination": code_destination(settings, code),
        "redirectUrl": short_url,
        "domain": code.domain,
        "status": code.status,
        "encrypted": code.encrypted,
        "secure": list(code.protections or []),
        "createdAt": isoformat(code.created_at),
        "updatedAt": isoformat(code.updated_at),
        "format": code.format,
        "style": dict(code.style or {}),
        "print": print_guide(short_url, code.style or {}),
        "expiresAt": isoformat(code.expires_at),
        "maxScans": code.max_scans,
        "rules": list(code.rules or []),
        "variants": list(code.variants or []),
    }
