"""Standard Webhooks signatures: our signer against the `standardwebhooks` library and the spec's rules."""
import base64
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from exaroutes.webhooks import signing
from tests.helpers.webhook_receiver import spec_verify


def test_secrets_are_whsec_and_32_random_bytes():
    secrets = {signing.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret[6:], validate=True)) == 32      # the spec: 24 to 64 bytes


def test_the_library_signs_exactly_as_we_do():
    secret = signing.new_secret()
    body = '{"id":"evt_1","type":"webhook.test","data":{"é":"ü"}}'.encode()
    now = time.time()
    ours = signing.signature(secret, "evt_1", now, body)
    from datetime import datetime, timezone
    theirs = Webhook(secret).sign("evt_1", datetime.fromtimestamp(int(now), timezone.utc), body.decode())
    assert ours == theirs and ours.startswith("v1,")


def test_headers_carry_one_signature_per_secret_and_verify_with_either():
    old, new = signing.new_secret(), signing.new_secret()
    body = b'{"type":"webhook.test"}'
    headers = signing.signed_headers([new, old], "evt_abc", time.time(), body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-timestamp"].isdigit() and len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "webhook.test"}
        assert spec_verify(secret, headers, body)
    stranger = signing.new_secret()
    assert not spec_verify(stranger, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(body, headers)


def test_a_stale_timestamp_is_refused_by_receivers():
    secret = signing.new_secret()
    body = b"{}"
    headers = signing.signed_headers([secret], "evt_old", time.time() - 3600, body)
    assert not spec_verify(secret, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
