"""Encryption at rest: an encrypted code's `data` and `destination` are Fernet tokens in the database.

The key is derived from EXAROUTES_SECRET by `keys.derive_key` (its own `info` label, so the same
secret can sign forms without the two uses ever sharing a key). Fernet is AES-128-CBC + HMAC-SHA256
from `cryptography`: authenticated, so a tampered row fails to decrypt instead of yielding garbage.
Everything that shows or follows a code reads it through `code_destination` / `code_data`.

Copies count too: a stored replay of a response (`idempotency_keys.body`), a queued bulk item
(`bulk_jobs.items`) and a stored bulk archive whose manifest names encrypted codes are sealed with
the same key (`seal` / `encrypt_bytes`), so "encrypted at rest" holds for every table.
"""
import base64
import functools
import json

from cryptography.fernet import Fernet, InvalidToken

from exaroutes.protections.keys import ENCRYPTION_INFO, derive_key


class EncryptionUnavailable(Exception):
    """No EXAROUTES_SECRET is configured, so nothing can be encrypted or decrypted."""


class UndecryptableCode(Exception):
    """A stored token does not decrypt with the configured secret (wrong secret, or a tampered row)."""


def _fernet(settings):
    secret = settings.get("exaroutes.secret") or ""
    if not secret:
        raise EncryptionUnavailable("EXAROUTES_SECRET is not set, so codes cannot be encrypted")
    return fernet_for(secret)


@functools.lru_cache(maxsize=4)
def fernet_for(secret):
    """The Fernet of `secret`, derived once: every encrypted read and write asks for it, and HKDF plus
    Fernet's set-up cost more than decrypting a short destination. Keyed by the secret itself (a process
    has one; tests switch between a few), so a changed secret never meets a stale key; never logged."""
    return Fernet(base64.urlsafe_b64encode(derive_key(secret, ENCRYPTION_INFO)))


def can_encrypt(settings):
    return bool(settings.get("exaroutes.secret"))


def encrypt_text(settings, text):
    return _fernet(settings).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(settings, token):
    try:
        return _fernet(settings).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise UndecryptableCode("stored data does not decrypt with the configured secret") from None


#: the one key of a sealed JSON value: {"sealed": "<Fernet token of the value's JSON>"}
SEALED = "sealed"


def seal(settings, value):
    """A JSON value stored as a Fernet token, for copies of what an encrypted code holds."""
    return {SEALED: encrypt_text(settings, json.dumps(value))}


def is_sealed(value):
    return isinstance(value, dict) and set(value) == {SEALED}


def unseal(settings, value):
    """The value `seal` stored; anything that was never sealed is returned as it is."""
    return json.loads(decrypt_text(settings, value[SEALED])) if is_sealed(value) else value


def encrypt_bytes(settings, data):
    return _fernet(settings).encrypt(data)


def decrypt_bytes(settings, token):
    try:
        return _fernet(settings).decrypt(token)
    except InvalidToken:
        raise UndecryptableCode("stored data does not decrypt with the configured secret") from None


def encrypt_code(settings, code):
    """Replace the plaintext `data`/`destination` of a code that is not yet stored with tokens."""
    code.destination = encrypt_text(settings, code.destination)
    code.data = encrypt_text(settings, json.dumps(code.data))
    code.encrypted = True


def store_content(settings, code, destination, data):
    """Write new plaintext `destination`/`data` into a stored code, encrypted if the code is."""
    if code.encrypted:
        code.destination = encrypt_text(settings, destination)
        code.data = encrypt_text(settings, json.dumps(data))
    else:
        code.destination, code.data = destination, data


def code_destination(settings, code):
    """The plaintext destination, whether or not the code is encrypted."""
    return decrypt_text(settings, code.destination) if code.encrypted else code.destination


def code_data(settings, code):
    """The plaintext `data` (a string or an object), whether or not the code is encrypted."""
    return json.loads(decrypt_text(settings, code.data)) if code.encrypted else code.data


class ReadableCode:
    """A read-only stand-in for an encrypted code, carrying its plaintext for data-type plugins.

    It is not an ORM object, so the plaintext can never be flushed back into the row.
    """

    def __init__(self, code, destination, data):
        self._code = code
        self.destination = destination
        self.data = data

    def __getattr__(self, name):
        return getattr(self._code, name)


def readable_code(settings, code):
    """`code` itself when it is not encrypted (the hot path pays nothing), else a ReadableCode."""
    if not code.encrypted:
        return code
    return ReadableCode(code, code_destination(settings, code), code_data(settings, code))
