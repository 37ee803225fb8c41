"""Code passwords: only an argon2id hash is stored, never the password.

argon2-cffi's defaults are RFC 9106's low-memory profile (64 MiB, 3 passes): slow enough that a stolen
database does not give the passwords away, fast enough (tens of ms) for a person typing one in.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: immutable and thread-safe, so one per process is enough
HASHER = PasswordHasher()

#: longer inputs are refused before hashing, so nobody can make us hash megabytes
MAX_PASSWORD_LENGTH = 256


def hash_password(password):
    return HASHER.hash(password)


def verify_password(code, password):
    """True when `password` is the code's password; False for a wrong one or a code without a password."""
    if not code.password_hash or not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return HASHER.verify(code.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
