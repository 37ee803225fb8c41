"""Keys derived from EXAROUTES_SECRET: one HKDF, one label per use.

Encryption at rest (`encryption`) and the scan forms' signatures (`signing`) both key off the one
configured secret; each passes its own `info` label, so the two keys are independent and neither use
can be turned against the other. A new use adds a label here, never a second derivation.
"""
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: the label of each use; changing one makes everything keyed with it unreadable
ENCRYPTION_INFO = b"exaroutes code encryption v1"
SIGNING_INFO = b"exaroutes scan forms v1"


def derive_key(secret, info):
    """32 bytes for the use named by `info`, from `secret` (text) with HKDF-SHA256, no salt."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode("utf-8"))
