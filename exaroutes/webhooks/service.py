"""Webhook endpoints and their delivery log, always within one workspace (DESIGN.md §6).

The API and the dashboard both call these; another workspace's endpoint or delivery is
indistinguishable from a missing one (404). Signing secrets are stored only encrypted
(exaroutes.protections.encryption) and shown in plain once: when created and when rotated.
"""
import datetime

from sqlalchemy import delete, update

from exaroutes.clock import isoformat, utcnow
from exaroutes.codes.cursors import keyset_page
from exaroutes.codes.lookup import workspace_object
from exaroutes.errors import ApiError, field_error
from exaroutes.protections.encryption import EncryptionUnavailable, encrypt_text
from exaroutes.webhooks import signing
from exaroutes.webhooks.models import DISABLED, ENABLED, PENDING, WebhookDelivery, WebhookEndpoint
from exaroutes.webhooks.outbox import (EVENT_TYPES, SCAN_BATCH, WEBHOOK_TEST, emit, is_public_id, new_id,
                                       wake_after_commit)
from exaroutes.webhooks.ssrf import UnsafeUrl

#: how long the old secret keeps signing after a rotation (DESIGN.md §6)
ROTATION_GRACE = datetime.timedelta(hours=24)
STATUSES = (ENABLED, DISABLED)


def event_errors(events, location="body"):
    """Field errors for an `events` value: a list of known event types (`events[1]` names the bad one)."""
    if not isinstance(events, list):
        return [field_error(location, "events", "must be a list of event types")]
    return [field_error(location, f"events[{i}]", "unknown event type; one of " + ", ".join(EVENT_TYPES))
            for i, event in enumerate(events) if event not in EVENT_TYPES]


def checked_url(policy, url):
    """The URL if the policy lets us call it (resolving its host now), else 422 naming `url`."""
    try:
        policy.check(url)
    except UnsafeUrl as exc:
        raise ApiError.for_field(422, "body", "url", str(exc)) from None
    return url


def encrypted_secret(settings, secret):
    try:
        return encrypt_text(settings, secret)
    except EncryptionUnavailable:
        raise ApiError(503, "Webhooks need EXAROUTES_SECRET (exaroutes.secret) to store signing secrets "
                       "encrypted; the operator has not set it.") from None


def create_endpoint(dbsession, settings, policy, workspace_id, url, events=(), description=""):
    """(endpoint, secret): the plain secret exists only in this return value."""
    checked_url(policy, url)
    secret = signing.new_secret()
    now = utcnow()
    endpoint = WebhookEndpoint(public_id=new_id("wh_"), workspace_id=workspace_id, url=url,
                               events=list(dict.fromkeys(events)), description=description, status=ENABLED,
                               secret=encrypted_secret(settings, secret), created_at=now, updated_at=now)
    dbsession.add(endpoint)
    dbsession.flush()
    return endpoint, secret


def endpoint_json(endpoint):
    return {"id": endpoint.public_id, "url": endpoint.url, "events": list(endpoint.events or []),
            "description": endpoint.description or "", "status": endpoint.status,
            "createdAt": isoformat(endpoint.created_at), "updatedAt": isoformat(endpoint.updated_at)}


def get_endpoint(dbsession, workspace_id, public_id):
    """The workspace's endpoint, or 404."""
    return workspace_object(dbsession, WebhookEndpoint.public_id, public_id, workspace_id,
                            lambda text: is_public_id(text, "wh_"), "id", "webhook endpoint")


def list_endpoints(dbsession, workspace_id, limit, cursor="0"):
    return keyset_page(dbsession, WebhookEndpoint, WebhookEndpoint.public_id,
                       [WebhookEndpoint.workspace_id == workspace_id], limit, cursor)


def update_endpoint(dbsession, policy, endpoint, changes):
    """Apply `changes` (url, events, description, status), checking a new URL like a new endpoint's."""
    if "url" in changes:
        endpoint.url = checked_url(policy, changes["url"])
    if "events" in changes:
        endpoint.events = list(dict.fromkeys(changes["events"]))
    if "description" in changes:
        endpoint.description = changes["description"]
    if "status" in changes:
        endpoint.status = changes["status"]
    endpoint.updated_at = utcnow()
    return endpoint


def delete_endpoint(dbsession, endpoint):
    """The endpoint and its deliveries, pending ones included (they are dropped, DESIGN.md §6)."""
    dbsession.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                      .execution_options(synchronize_session=False))
    dbsession.delete(endpoint)
    dbsession.flush()


def rotate_secret(dbsession, settings, endpoint):
    """A new secret; the current one keeps signing (a second signature) for ROTATION_GRACE."""
    secret = signing.new_secret()
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_GRACE
    endpoint.secret = encrypted_secret(settings, secret)
    endpoint.updated_at = now
    return secret


def send_test(dbsession, endpoint):
    """Queue a `webhook.test` event to this endpoint only."""
    if endpoint.status != ENABLED:
        raise ApiError(409, f"Webhook endpoint {endpoint.public_id} is disabled; enable it to send a test event.")
    emit(dbsession, endpoint.workspace_id, WEBHOOK_TEST,
         {"message": "A test event from ExaRoutes.", "endpointId": endpoint.public_id}, endpoint=endpoint)


def shown_deliveries(endpoint):
    """The endpoint's deliveries, without scan batches not yet expanded into them (seconds at most)."""
    return [WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.type != SCAN_BATCH]


def list_deliveries(dbsession, endpoint, limit, cursor="0"):
    return keyset_page(dbsession, WebhookDelivery, WebhookDelivery.public_id, shown_deliveries(endpoint), limit,
                       cursor)


def delivery_json(delivery):
    return {"id": delivery.public_id, "eventId": delivery.event_id, "type": delivery.type,
            "status": delivery.status, "attempts": delivery.attempts, "lastStatusCode": delivery.last_status_code,
            "lastError": delivery.last_error,
            "nextAttemptAt": isoformat(delivery.next_attempt_at) if delivery.status == PENDING else None,
            "createdAt": isoformat(delivery.created_at)}


def retry_delivery(dbsession, endpoint, delivery_id):
    """One more attempt, now, whatever the delivery's state (a failed one, or a replay of a success)."""
    now = utcnow()
    found = is_public_id(delivery_id, "dlv_") and dbsession.execute(
        update(WebhookDelivery).where(WebhookDelivery.public_id == delivery_id, *shown_deliveries(endpoint))
        .values(status=PENDING, tries_left=1, next_attempt_at=now, leased_until=None, lease_token=None,
                updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not found:
        raise ApiError.for_field(404, "path", "deliveryId", f"no delivery {delivery_id!r} of this endpoint")
    wake_after_commit(dbsession)
