"""Webhook deliveries to a real HTTP receiver: signed (checked with `standardwebhooks` and with our own
reading of the spec), at least once, retried on the schedule, `failed` after the last try."""
import pytest
from sqlalchemy import event, select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from exaroutes import clock
from exaroutes.models import QrCode, WebhookDelivery
from exaroutes.codes.rollups import write_scans
from exaroutes.webhooks import delivery, transport
from exaroutes.webhooks.outbox import add_scan_events
from tests.helpers.bulk import drain as drain_bulk
from tests.helpers.webhook_receiver import spec_verify, verified
from tests.helpers.webhooks import SCHEDULE, TIMEOUT_SECONDS, create_code, deliveries, drain, scan, subscribe


def test_a_scan_reaches_the_receiver_as_a_signed_scan_created(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url, events=["scan.created"])
    code = create_code(hooks, auth)          # qr.created: not subscribed, so nothing for it
    assert drain(hooks.registry["huey"]) == 0
    scan(hooks, code["id"])
    drain(hooks.registry["huey"], wait_for_one=True)
    (received,) = receiver.wait_for(1)
    envelope = verified(endpoint["secret"], received)
    assert envelope["type"] == "scan.created" and envelope["id"].startswith("evt_")
    assert received.headers["webhook-id"] == envelope["id"]
    assert received.headers["content-type"] == "application/json"
    data = envelope["data"]
    assert data["id"] == code["id"] and data["isUnique"] is True
    assert data["device"] == "mobile" and data["os"] == "iOS" and data["country"] == "unknown"
    assert set(data) == {"id", "scannedAt", "country", "device", "os", "browser", "referrer", "isUnique"}
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert log["eventId"] == envelope["id"] and log["type"] == "scan.created"
    assert (log["status"], log["attempts"], log["lastStatusCode"], log["lastError"]) == ("succeeded", 1, 204, None)


def test_a_second_scan_by_the_same_phone_is_not_unique(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url, events=["scan.created"])
    code = create_code(hooks, auth)
    scan(hooks, code["id"])
    scan(hooks, code["id"])
    drain(hooks.registry["huey"], wait_for_one=True)
    received = receiver.wait_for(2)
    envelopes = [verified(endpoint["secret"], r) for r in received]
    # no order is assumed: deliveries may arrive in any order
    assert sorted(e["data"]["isUnique"] for e in envelopes) == [False, True]
    assert len({e["id"] for e in envelopes}) == 2


def test_code_created_and_updated_carry_the_code_object(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url, events=["qr.created", "qr.updated"])
    code = create_code(hooks, auth)
    updated = hooks.put_json(f"/api/qr/codes/{code['id']}", {"destination": "https://example.com/summer"},
                             headers=auth).json
    drain(hooks.registry["huey"])
    received = receiver.wait_for(2)
    by_type = {e["type"]: e for e in (verified(endpoint["secret"], r) for r in received)}
    assert by_type["qr.created"]["data"] == code
    assert by_type["qr.updated"]["data"] == updated
    assert by_type["qr.updated"]["data"]["destination"] == "https://example.com/summer"


def test_a_bulk_job_emits_bulk_completed_and_no_per_code_events(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url)          # every event type
    accepted = hooks.post_json("/api/qr/codes/bulk", [{"data": f"https://example.com/{i}", "returnType": "svg"}
                                                      for i in range(3)], headers=auth, status=202).json
    drain_bulk(hooks.registry["huey"])      # runs the slices, then the webhook dispatch they queued
    (received,) = receiver.wait_for(1)
    envelope = verified(endpoint["secret"], received)
    assert envelope["type"] == "bulk.completed"
    status = hooks.get(f"/api/qr/codes/bulk/{accepted['bulkId']}", headers=auth).json
    assert envelope["data"] == status and status["succeeded"] == 3
    assert len(receiver.requests) == 1 and [d["type"] for d in deliveries(hooks, auth, endpoint["id"])] == [
        "bulk.completed"]


def test_a_500_is_retried_on_the_schedule_and_then_delivered(hooks, auth, receiver, frozen_clock):
    endpoint = subscribe(hooks, auth, receiver.url)
    receiver.respond_with(500)
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["attempts"], log["lastStatusCode"]) == ("pending", 1, 500)
    assert "500" in log["lastError"]
    dispatch = hooks.registry["tasks"]["webhooks.dispatch"].call_local
    frozen_clock.advance(SCHEDULE[0] - 1)
    assert dispatch() == 0                      # not due yet
    frozen_clock.advance(1)
    assert dispatch() == 1
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]      # the same event, again
    assert verified(endpoint["secret"], first) == verified(endpoint["secret"], second)
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["attempts"], log["lastStatusCode"], log["lastError"]) == ("succeeded", 2, 204, None)


def test_after_the_last_try_the_delivery_is_failed_and_can_be_retried(hooks, auth, receiver, frozen_clock):
    endpoint = subscribe(hooks, auth, receiver.url)
    receiver.respond_with(*[503] * (len(SCHEDULE) + 1))
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    dispatch = hooks.registry["tasks"]["webhooks.dispatch"].call_local
    for delay in SCHEDULE:
        frozen_clock.advance(delay)
        assert dispatch() == 1
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["attempts"], log["lastStatusCode"], log["nextAttemptAt"]) == ("failed", 3, 503, None)
    frozen_clock.advance(24 * 3600)
    assert dispatch() == 0                      # failed is final until someone retries
    hooks.post(f"/api/webhooks/{endpoint['id']}/deliveries/{log['id']}/retry", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["attempts"], log["lastStatusCode"]) == ("succeeded", 4, 204)
    assert len({r.headers["webhook-id"] for r in receiver.wait_for(4)}) == 1


def test_a_redirect_is_a_failure_and_is_not_followed(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url)
    receiver.respond_with(307, location=f"http://127.0.0.1:{receiver.port}/elsewhere")
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["lastStatusCode"]) == ("pending", 307) and "redirect" in log["lastError"]
    assert [r.path for r in receiver.requests] == ["/hook"]


def test_no_answer_within_the_timeout_is_a_failure(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url)
    held = receiver.hold()                      # the receiver takes the request and says nothing
    try:
        hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
        drain(hooks.registry["huey"])
    finally:
        held.set()
    (log,) = deliveries(hooks, auth, endpoint["id"])
    assert (log["status"], log["lastStatusCode"]) == ("pending", None)
    assert log["lastError"] == f"no answer within {TIMEOUT_SECONDS:g} s"


def test_the_old_secret_signs_too_for_24_hours_after_a_rotation(hooks, auth, receiver, frozen_clock):
    endpoint = subscribe(hooks, auth, receiver.url)
    old = endpoint["secret"]
    new = hooks.post(f"/api/webhooks/{endpoint['id']}/rotate-secret", headers=auth).json["secret"]
    assert new.startswith("whsec_") and new != old
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (during,) = receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(new, during) == verified(old, during)
    frozen_clock.advance(24 * 3600 + 1)
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    after = receiver.wait_for(2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verified(new, after)
    assert not spec_verify(old, after.headers, after.body)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_a_tampered_body_does_not_verify(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url)
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (received,) = receiver.wait_for(1)
    assert verified(endpoint["secret"], received)["type"] == "webhook.test"
    tampered = received.body.replace(b"webhook.test", b"webhook.tesT")
    assert not spec_verify(endpoint["secret"], received.headers, tampered)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(tampered, received.headers)


def test_a_disabled_endpoint_gets_nothing_and_a_deleted_one_drops_its_deliveries(hooks, auth, receiver, count_rows):
    endpoint = subscribe(hooks, auth, receiver.url, events=["qr.created"])
    hooks.put_json(f"/api/webhooks/{endpoint['id']}", {"status": "disabled"}, headers=auth)
    create_code(hooks, auth)
    assert deliveries(hooks, auth, endpoint["id"]) == []
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=409)
    hooks.put_json(f"/api/webhooks/{endpoint['id']}", {"status": "enabled"}, headers=auth)
    receiver.respond_with(500)
    create_code(hooks, auth)
    drain(hooks.registry["huey"])
    assert [d["status"] for d in deliveries(hooks, auth, endpoint["id"])] == ["pending"]
    hooks.delete(f"/api/webhooks/{endpoint['id']}", headers=auth, status=204)
    assert count_rows()["webhook_deliveries"] == 0 and count_rows()["webhook_endpoints"] == 0


def test_a_scan_batch_is_one_outbox_row_and_then_one_delivery_per_event(hooks, auth, receiver, dbengine):
    """The fold's commit carries one `scan.batch` row; the dispatcher expands it (not shown in
    the log meanwhile) into one delivery, one event id and one signed request per scan."""
    endpoint = subscribe(hooks, auth, receiver.url, events=["scan.created"])
    code = create_code(hooks, auth)
    with dbengine.connect() as connection:
        pk, workspace_id = connection.execute(select(QrCode.id, QrCode.workspace_id)
                                              .where(QrCode.short_id == code["id"])).one()
    now = clock.utcnow()
    scans = [{"code_id": pk, "workspace_id": workspace_id, "short_id": code["id"], "scanned_at": now,
              "country": country, "device": "mobile", "os": "iOS", "browser": "Mobile Safari", "referrer": None,
              "visitor": f"visitor-{country}", "variant": "B" if country == "DE" else None}
             for country in ("DE", "FR", "IT")]
    with dbengine.begin() as connection:
        write_scans(connection, scans)
        assert add_scan_events(connection, scans) == 3
    with dbengine.connect() as connection:
        assert connection.execute(select(WebhookDelivery.type)).scalars().all() == ["scan.batch"]
    assert deliveries(hooks, auth, endpoint["id"]) == []
    assert hooks.registry["tasks"]["webhooks.dispatch"].call_local() == 3
    envelopes = [verified(endpoint["secret"], r) for r in receiver.wait_for(3)]
    assert len({e["id"] for e in envelopes}) == 3
    by_country = {e["data"]["country"]: e["data"] for e in envelopes}
    assert by_country["DE"]["variant"] == "B" and "variant" not in by_country["FR"]
    assert all(e["type"] == "scan.created" and e["data"]["id"] == code["id"] for e in envelopes)
    assert sorted(d["status"] for d in deliveries(hooks, auth, endpoint["id"])) == ["succeeded"] * 3


def test_a_claim_goes_on_one_connection_and_its_outcomes_are_one_statement(hooks, auth, receiver, dbengine):
    endpoint = subscribe(hooks, auth, receiver.url)
    for _ in range(5):
        hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    hooks.registry["huey"].flush()              # the wake-ups: we dispatch by hand
    outcome_writes = []

    def watch(connection, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE webhook_deliveries") and "last_status_code" in statement:
            outcome_writes.append(len(parameters) if executemany else 1)

    event.listen(dbengine, "before_cursor_execute", watch)
    try:
        assert hooks.registry["tasks"]["webhooks.dispatch"].call_local() == 5
    finally:
        event.remove(dbengine, "before_cursor_execute", watch)
    assert outcome_writes == [5]
    received = receiver.wait_for(5)
    assert len({r.connection for r in received}) == 1
    assert [(d["status"], d["attempts"]) for d in deliveries(hooks, auth, endpoint["id"])] == [("succeeded", 1)] * 5


def test_rows_whose_attempt_could_outlast_the_lease_are_released_unsent(hooks, auth, receiver):
    """A claim is sent in order; once an attempt might end after the claim's lease, the rest are
    released for the next claim rather than kept (another worker would take them over and send them
    while we still do). Time is a counter the sender moves, not a wait."""
    endpoint = subscribe(hooks, auth, receiver.url)
    for _ in range(3):
        hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    registry = hooks.registry
    config, engine = registry["webhooks.settings"], registry["dbengine"]
    budget = config.lease.total_seconds() - config.timeout - delivery.LEASE_MARGIN_SECONDS
    now = [0.0]

    class SlowSender(transport.Sender):
        def post(self, *args):
            now[0] += budget / 2 + 1
            return super().post(*args)

    sender = SlowSender(registry["webhooks.url_policy"], config.timeout, config.max_response_bytes)
    rows = delivery.claim(engine, config)
    try:
        attempted, untried = delivery.send_claimed(sender, delivery.SigningSecrets(registry.settings), config, rows,
                                                   monotonic=lambda: now[0])
    finally:
        sender.close()
    assert (len(attempted), untried) == (2, rows[2:])
    delivery.record(engine, config, attempted, untried)
    assert len(receiver.wait_for(2)) == 2
    log = deliveries(hooks, auth, endpoint["id"])
    assert sorted((d["status"], d["attempts"]) for d in log) == [("pending", 0), ("succeeded", 1), ("succeeded", 1)]
    assert registry["tasks"]["webhooks.dispatch"].call_local() == 1       # released: the next claim takes it
    assert len(receiver.wait_for(3)) == 3
