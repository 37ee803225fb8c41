"""The building blocks of protected codes: encryption at rest, password hashes, timestamps, protection names."""
import base64
import datetime
from types import SimpleNamespace

import colander
import pytest

from exaroutes.schemas.limits import Timestamp
from exaroutes.errors import ApiError
from exaroutes.protections.encryption import (
    EncryptionUnavailable, UndecryptableCode, code_data, code_destination, decrypt_text, encrypt_code, encrypt_text,
    readable_code)
from exaroutes.protections.names import refuse_protected_update
from exaroutes.protections.passwords import hash_password, verify_password
from exaroutes.protections.names import with_protection, without_protection

SETTINGS = {"exaroutes.secret": "unit-test-secret"}


def test_encryption_round_trip_is_randomized_and_bound_to_the_secret():
    first, second = encrypt_text(SETTINGS, "Grüße 🎉"), encrypt_text(SETTINGS, "Grüße 🎉")
    assert first != second
    # the plaintext's bytes are nowhere in the token (a 2-letter check on the base64 text failed by chance)
    assert "Grüße 🎉".encode() not in base64.urlsafe_b64decode(first)
    assert decrypt_text(SETTINGS, first) == decrypt_text(SETTINGS, second) == "Grüße 🎉"
    with pytest.raises(UndecryptableCode):
        decrypt_text({"exaroutes.secret": "another secret"}, first)
    with pytest.raises(UndecryptableCode):
        decrypt_text(SETTINGS, first[:-6] + ("AAAAAA" if not first.endswith("AAAAAA") else "BBBBBB"))
    with pytest.raises(EncryptionUnavailable):
        encrypt_text({"exaroutes.secret": ""}, "x")


def test_encrypted_code_reads_back_as_plaintext_and_plain_codes_pass_through():
    data = {"ssid": "Cafe", "password": "hunter2"}
    code = SimpleNamespace(destination="WIFI:S:Cafe;P:hunter2;;", data=data, encrypted=False, short_id="a")
    assert readable_code(SETTINGS, code) is code
    encrypt_code(SETTINGS, code)
    assert code.encrypted and "hunter2" not in code.destination + code.data
    assert code_destination(SETTINGS, code) == "WIFI:S:Cafe;P:hunter2;;" and code_data(SETTINGS, code) == data
    view = readable_code(SETTINGS, code)
    assert view.destination == "WIFI:S:Cafe;P:hunter2;;" and view.data == data and view.short_id == "a"


def test_password_hash_verifies_only_the_password():
    code = SimpleNamespace(password_hash=hash_password("s3cret pass"))
    # RFC 9106's second recommended profile (argon2-cffi's default): 64 MiB, 3 passes, 4 lanes
    assert code.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and "s3cret" not in code.password_hash
    assert verify_password(code, "s3cret pass")
    assert not verify_password(code, "s3cret pas") and not verify_password(code, "x" * 300)
    assert not verify_password(SimpleNamespace(password_hash=None), "")
    assert not verify_password(SimpleNamespace(password_hash="not a hash"), "s3cret pass")


@pytest.mark.parametrize("value, expected", [
    ("2030-01-02T03:04:05Z", datetime.datetime(2030, 1, 2, 3, 4, 5)),
    ("2030-01-02T03:04:05.123456-01:30", datetime.datetime(2030, 1, 2, 4, 34, 5, 123000)),
])
def test_timestamps_become_naive_utc_milliseconds(value, expected):
    assert colander.SchemaNode(Timestamp()).deserialize(value) == expected


@pytest.mark.parametrize("value", ["2030-01-02T03:04:05", "2030-01-02", "soon", 1893456000, None, True])
def test_timestamps_need_a_string_with_a_timezone(value):
    with pytest.raises(colander.Invalid):
        colander.SchemaNode(Timestamp()).deserialize(value)


def test_protection_lists_keep_canonical_order_and_the_409_names_each():
    assert with_protection(["compliance"], "password") == ["password", "compliance"]
    assert without_protection(["password", "compliance"], "compliance") == ["password"]
    refuse_protected_update(SimpleNamespace(protections=[]))
    with pytest.raises(ApiError) as caught:
        refuse_protected_update(SimpleNamespace(protections=["password", "compliance"]))
    assert caught.value.status == 409
    assert "password-protected" in caught.value.message and "compliance lock" in caught.value.message
    assert [e["description"].split(":")[0] for e in caught.value.errors] == ["password", "compliance"]


@pytest.mark.parametrize("module", ["exaroutes.scan.pages", "exaroutes.scan.password", "exaroutes.scan.gate"])
def test_scan_and_protection_modules_import_in_any_order(module):
    """The scan package, its gate, password form and pages import in any order (no import cycle)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"import {module}; import exaroutes.scan"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
