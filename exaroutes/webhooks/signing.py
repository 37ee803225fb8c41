"""Standard Webhooks signatures (https://www.standardwebhooks.com, spec v1.0.0, symmetric scheme).

A secret is `whsec_` + base64 of random bytes (the spec asks for 24 to 64; we use 32). The signed
content is `{webhook-id}.{webhook-timestamp}.{body}`, the signature `v1,` + base64 of its
HMAC-SHA256, and the `webhook-signature` header lists one signature per valid secret, separated by
spaces, so a receiver keeps verifying while a rotated-out secret is still honoured.
"""
import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret):
    """The raw HMAC key of a `whsec_…` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret, webhook_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`; `body` is the exact bytes sent."""
    content = b".".join((webhook_id.encode("ascii"), str(int(timestamp)).encode("ascii"), body))
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secrets_in_use, webhook_id, timestamp, body):
    """The three Standard Webhooks headers, signed with every secret in `secrets_in_use`."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": " ".join(signature(s, webhook_id, timestamp, body) for s in secrets_in_use),
    }
