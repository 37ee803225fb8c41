"""What a create body asks to protect or limit, checked before anything is stored, applied before the INSERT.

Applying before the INSERT matters for encryption: a plaintext row that is updated afterwards would
still sit in the database files (PostgreSQL keeps old row versions until VACUUM).
"""
from dataclasses import dataclass
import datetime

from exaroutes.errors import ApiError
from exaroutes.protections.encryption import can_encrypt, encrypt_code
from exaroutes.protections.names import PROTECTIONS
from exaroutes.protections.passwords import hash_password


@dataclass(frozen=True)
class CodeOptions:
    password_hash: str | None = None
    encrypt: bool = False
    expires_at: datetime.datetime | None = None
    max_scans: int | None = None


def create_options(settings, body, prefix=""):
    """The CodeOptions of a validated create body (or bulk item), or ApiError 422."""
    encrypt = body.get("encrypt", False)
    if encrypt and not can_encrypt(settings):
        raise ApiError.for_field(422, "body", f"{prefix}encrypt",
                                 "this server has no EXAROUTES_SECRET configured, so it cannot encrypt codes")
    password = body.get("password")
    return CodeOptions(password_hash=hash_password(password) if password is not None else None,
                       encrypt=encrypt, expires_at=body.get("expiresAt"), max_scans=body.get("maxScans"))


def apply_options(settings, code, options):
    """Set protections and limits on a code that is not stored yet."""
    protections = set(code.protections or ())
    if options.password_hash is not None:
        code.password_hash = options.password_hash
        protections.add("password")
    if options.encrypt:
        encrypt_code(settings, code)
        protections.add("encrypt")
    code.protections = [p for p in PROTECTIONS if p in protections]
    code.expires_at = options.expires_at
    code.max_scans = options.max_scans
    code.scan_count = 0
