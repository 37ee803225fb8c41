"""One HKDF for every key derived from EXAROUTES_SECRET (exaroutes.protections.keys), and the Fernet of
encryption at rest built once per secret."""
from exaroutes.protections import encryption
from exaroutes.protections.keys import ENCRYPTION_INFO, SIGNING_INFO, derive_key
from exaroutes.protections.signing import derive_signing_key

SETTINGS = {"exaroutes.secret": "unit-test-secret"}
#: encrypted before the derivation moved into protections/keys.py: stored rows must keep decrypting
STORED_TOKEN = ("gAAAAABrFbS-ZxaKHfXO2TZEEcud4AEZ3yH6Xh2BI22Fc3F_jpXtWpVNH0zU0D4RdwBAeye5E5MLuX5FJknkuEWXcjnu"
                "CfS9nNhmv7HRrigc56yPOBxg95Y=")


def test_keys_derived_before_still_open_and_sign():
    assert encryption.decrypt_text(SETTINGS, STORED_TOKEN) == "https://example.com/kept"
    assert derive_signing_key(SETTINGS).hex() == "c8000e8fdc4eb6da67750480f9825ce54a9bc4bce87b809c7383880fad834a09"
    assert derive_signing_key({"exaroutes.secret": ""}) is None


def test_each_use_gets_its_own_key_from_the_one_secret():
    assert derive_key("s", ENCRYPTION_INFO) != derive_key("s", SIGNING_INFO)
    assert derive_key("s", SIGNING_INFO) != derive_key("t", SIGNING_INFO)
    assert len(derive_key("s", SIGNING_INFO)) == 32


def test_the_fernet_is_built_once_per_secret():
    first = encryption._fernet(SETTINGS)
    assert encryption._fernet({"exaroutes.secret": "unit-test-secret"}) is first
    other = encryption._fernet({"exaroutes.secret": "another secret"})
    assert other is not first
    token = encryption.encrypt_text({"exaroutes.secret": "another secret"}, "x")
    assert encryption.decrypt_text({"exaroutes.secret": "another secret"}, token) == "x"
