"""Protected and limited codes: password, encryption at rest, compliance lock, expiry and scan caps.

The functions the API, the scan gate, the CLI and (later) the dashboard share are importable from here.
The scan side lives in `scan_gate` (one call from `exaroutes.scan`) and `password_form` (its own route),
imported by the scan package and by `includeme`, not here, so importing this package stays cheap.
"""
import secrets

from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.protections.encryption import (  # noqa: F401
    EncryptionUnavailable, code_data, code_destination, decrypt_text, encrypt_text, readable_code, store_content)
from exaroutes.protections.locks import CodeNotFound, lock_code, unlock_code  # noqa: F401
from exaroutes.protections.names import PROTECTIONS, refuse_protected_update  # noqa: F401
from exaroutes.protections.passwords import hash_password, verify_password  # noqa: F401
from exaroutes.protections.signing import SIGNING_KEY, derive_signing_key


def includeme(config):
    """The signing key of the password form, and the form's POST route."""
    settings = config.get_settings()
    # Without EXAROUTES_SECRET (a development setup), forms are signed with a key of this process only:
    # enough for one process; several processes need the shared secret (production sets it).
    config.registry[SIGNING_KEY] = derive_signing_key(settings) or secrets.token_bytes(32)
    config.add_route("scan_password", "/r/{short_id}/password")
    config.add_view("exaroutes.protections.password_form.password_post", route_name="scan_password",
                    permission=NO_PERMISSION_REQUIRED)
