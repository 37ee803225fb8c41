"""Writing events into the outbox, in the transaction of whatever caused them.

An event becomes one `webhook_deliveries` row per enabled endpoint of its workspace that subscribes
to its type, written with the same connection and transaction as its cause: the scan fold's
commit for `scan.created` (`add_scan_events`, called by exaroutes.codes.fold), the request's for
`qr.created`/`qr.updated` (`add_event`). If the cause rolls back, so does the event; if it
commits, the event is on disk before anyone could miss it. Nothing is written when nobody listens.

The row holds the envelope (`{"id": "evt_…", "type", "createdAt", "data"}`) serialized once, so
every attempt sends, and signs, exactly the same bytes.
"""
import json
import secrets

from sqlalchemy import insert, select

from exaroutes.clock import isoformat, utcnow
from exaroutes.webhooks.models import ENABLED, PENDING, WebhookDelivery, WebhookEndpoint

SCAN_CREATED, QR_CREATED, QR_UPDATED = "scan.created", "qr.created", "qr.updated"
BULK_COMPLETED, WEBHOOK_TEST = "bulk.completed", "webhook.test"
EVENT_TYPES = (SCAN_CREATED, QR_CREATED, QR_UPDATED, BULK_COMPLETED, WEBHOOK_TEST)
#: an outbox row holding the scan.created events of one scan batch for one endpoint (internal: never
#: shown in the delivery log; the dispatcher expands it into one delivery per event)
SCAN_BATCH = "scan.batch"
#: the huey task that delivers the outbox (exaroutes.webhooks.delivery.dispatch)
DISPATCH_TASK = "webhooks.dispatch"
#: scan fields a routing rule or A/B test adds; passed on when the scan carries them (DESIGN.md §6)
OPTIONAL_SCAN_FIELDS = ("variant", "rule")


def new_id(prefix):
    """`prefix` + 22 random URL-safe characters (128 bits): unguessable, no `.` (the spec forbids it)."""
    return prefix + secrets.token_urlsafe(16)


def is_public_id(text, prefix):
    """Could `text` be an id `new_id(prefix)` made? Anything else (NUL bytes, which PostgreSQL refuses,
    or 10 kB) never reaches the database."""
    body = text[len(prefix):]
    return (text.startswith(prefix) and 0 < len(body) <= 40 and body.isascii()
            and body.replace("-", "").replace("_", "").isalnum())


def subscribes(events, event_type):
    """An endpoint with no event list takes every event."""
    return not events or event_type in events


def envelope(event_id, event_type, created_at, data):
    """The body of every delivery of an event: compact JSON, serialized once. `created_at` is the
    API's timestamp text (exaroutes.clock.isoformat)."""
    return json.dumps({"id": event_id, "type": event_type, "createdAt": created_at, "data": data},
                      separators=(",", ":"), ensure_ascii=False)


def delivery_row(endpoint_id, event_id, event_type, body, now):
    return {"public_id": new_id("dlv_"), "endpoint_id": endpoint_id, "event_id": event_id, "type": event_type,
            "body": body, "status": PENDING, "attempts": 0, "tries_left": None, "next_attempt_at": now,
            "created_at": now, "updated_at": now}


def add_event(dbsession, workspace_id, event_type, data, endpoint=None):
    """Queue `event_type` for the workspace's subscribed endpoints (or only `endpoint`, for a test).

    Returns the number of deliveries written; the caller wakes the dispatcher after its commit.
    """
    if endpoint is not None:
        endpoint_ids = [endpoint.id]
    else:
        rows = dbsession.execute(select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.workspace_id == workspace_id, WebhookEndpoint.status == ENABLED)).all()
        endpoint_ids = [row.id for row in rows if subscribes(row.events, event_type)]
    if not endpoint_ids:
        return 0
    now = utcnow()
    event_id = new_id("evt_")
    body = envelope(event_id, event_type, isoformat(now), data)
    dbsession.execute(insert(WebhookDelivery), [delivery_row(e, event_id, event_type, body, now)
                                                for e in sorted(endpoint_ids)])
    return len(endpoint_ids)


def emit(dbsession, workspace_id, event_type, data, endpoint=None):
    """`add_event`, and wake a worker once the request's transaction commits (if it does).

    Without a request (a worker's own transaction) the caller wakes the dispatcher after its commit.
    """
    written = add_event(dbsession, workspace_id, event_type, data, endpoint)
    if written:
        wake_after_commit(dbsession)
    return written


def wake_after_commit(dbsession):
    """Queue a dispatch once the transaction of `dbsession` (a request's) has committed."""
    request = dbsession.info.get("request")
    if request is not None:
        request.enqueue_after_commit(DISPATCH_TASK)


def scan_data(scan):
    """The `data` of a scan.created event, from a scan as the scan folder holds it."""
    data = {"id": scan["short_id"], "scannedAt": isoformat(scan["scanned_at"]), "country": scan.get("country"),
            "device": scan.get("device"), "os": scan.get("os"), "browser": scan.get("browser"),
            "referrer": scan.get("referrer"), "isUnique": scan.get("is_unique", True)}
    data.update((name, scan[name]) for name in OPTIONAL_SCAN_FIELDS if scan.get(name) is not None)
    return data


def add_scan_events(connection, scans):
    """`scan.created` for a batch of scans, in the scan fold's transaction; returns the events queued.

    The work here is kept to the least, as it delays the fold: one indexed query per batch, and per
    listening endpoint one outbox row (`scan.batch`) holding every event's data as a
    JSON list. A worker turns it into one delivery per event (exaroutes.webhooks.delivery.expand)
    before sending anything: the envelope stays one per event, only the writing is batched. Scans
    carry `workspace_id` and `short_id` (exaroutes.codes.fold adds them).
    """
    workspaces = {scan["workspace_id"] for scan in scans if scan.get("workspace_id") is not None}
    if not workspaces:
        return 0
    listeners = {}
    for row in connection.execute(select(WebhookEndpoint.id, WebhookEndpoint.workspace_id, WebhookEndpoint.events)
                                  .where(WebhookEndpoint.status == ENABLED,
                                         WebhookEndpoint.workspace_id.in_(sorted(workspaces)))):
        if subscribes(row.events, SCAN_CREATED):
            listeners.setdefault(row.workspace_id, []).append(row.id)
    if not listeners:
        return 0
    events = {}
    for scan in scans:
        if scan.get("workspace_id") in listeners:
            events.setdefault(scan["workspace_id"], []).append(scan_data(scan))
    now = utcnow()
    rows = []
    for workspace_id, data in events.items():
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        rows.extend(delivery_row(e, new_id("bat_"), SCAN_BATCH, body, now) for e in listeners[workspace_id])
    connection.execute(insert(WebhookDelivery), rows)
    return sum(len(data) * len(listeners[workspace_id]) for workspace_id, data in events.items())


def scan_deliveries(batch_body, endpoint_id, now):
    """The delivery rows of a `scan.batch` outbox row: one event, with its own id, per scan."""
    rows = []
    for data in json.loads(batch_body):
        event_id = new_id("evt_")
        rows.append(delivery_row(endpoint_id, event_id, SCAN_CREATED,
                                 envelope(event_id, SCAN_CREATED, data["scannedAt"], data), now))
    return rows
