"""Delivering the outbox: huey tasks claim due deliveries, sign them, POST them, record the outcome.

- `webhooks.dispatch` (queued after every commit that wrote deliveries, and scheduled for the
  next retry) and `webhooks.sweep` (every minute, the safety net for a lost wake-up or a dead
  worker) both run `dispatch`: claim up to `CLAIM_BATCH` due rows, send them one by one, repeat
  until nothing is due.
- A claim is one conditional UPDATE that sets a lease (`leased_until`, `lease_token`); of several
  workers exactly one gets a row. A worker killed mid-delivery never records an outcome, its lease
  runs out and the next dispatch sends the row again: delivery is at least once, and receivers
  deduplicate on `webhook-id` (the event id), as the Standard Webhooks spec recommends.
- Only a 2xx answer counts as delivered. After a failure the next attempt follows the retry
  schedule (`exaroutes.webhooks.retry_schedule`, default 30 s, 5 min, 30 min, 2 h, 6 h); once
  it is used up the delivery is `failed`.
- The URL is checked again before every attempt (exaroutes.webhooks.ssrf) and the connection goes
  to the address that was checked.
"""
import contextlib
import datetime
import logging
import os
import secrets
import threading
import time

from sqlalchemy import and_, delete, insert, or_, select, update

from exaroutes.clock import utcnow
from exaroutes.protections.encryption import decrypt_text
from exaroutes.webhooks import signing, transport
from exaroutes.webhooks.outbox import DISPATCH_TASK, SCAN_BATCH, scan_deliveries
from exaroutes.webhooks.models import ENABLED, FAILED, PENDING, SUCCEEDED, WebhookDelivery, WebhookEndpoint
from exaroutes.webhooks.ssrf import UnsafeUrl

log = logging.getLogger(__name__)

CLAIM_BATCH = 20


class WebhookSettings:
    """The delivery settings, read once (exaroutes.settings holds their defaults)."""

    def __init__(self, settings):
        self.schedule = tuple(settings["exaroutes.webhooks.retry_schedule"])
        self.timeout = settings["exaroutes.webhooks.timeout_seconds"]
        self.max_response_bytes = settings["exaroutes.webhooks.max_response_bytes"]
        # A claim outlives the longest possible attempt, so a live worker never loses its row.
        self.lease = datetime.timedelta(seconds=self.timeout * 2 + 30)

    @property
    def tries(self):
        """The first attempt and one per entry of the schedule."""
        return len(self.schedule) + 1

    def delay_after(self, attempts):
        """Seconds before the next try, after `attempts` failed ones."""
        return self.schedule[min(attempts, len(self.schedule)) - 1]


@contextlib.contextmanager
def bookkeeping(engine):
    """A transaction for the dispatcher's own updates, on PostgreSQL without waiting for the WAL flush.

    A claim or an outcome lost in a crash only means the delivery is sent again, which at least
    once allows; waiting for an fsync per delivery made PostgreSQL deliver several times slower
    (BENCHMARKS.md "Webhooks"). The outbox rows themselves are written with their cause's full commit.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        yield connection


def due(now):
    """Pending rows whose attempt is due and that no live worker holds, of enabled endpoints."""
    return and_(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now))


def claim(engine, config, limit=CLAIM_BATCH):
    """Lease up to `limit` due deliveries to this worker; returns them with their endpoints' data."""
    now = utcnow()
    token = secrets.token_hex(16)
    candidates = (select(WebhookDelivery.id).join(WebhookEndpoint)
                  .where(due(now), WebhookEndpoint.status == ENABLED)
                  .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    with bookkeeping(engine) as connection:
        # One statement: the write lock (SQLite) or row locks (PostgreSQL, which re-checks `due`
        # on rows another worker just claimed) are taken before anything is read.
        claimed = connection.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(candidates.correlate(None).scalar_subquery()), due(now))
            .values(leased_until=now + config.lease, lease_token=token)).rowcount
        if not claimed:
            return []
        return connection.execute(
            select(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.type, WebhookDelivery.event_id,
                   WebhookDelivery.body, WebhookDelivery.attempts,
                   WebhookDelivery.tries_left, WebhookDelivery.lease_token, WebhookEndpoint.url,
                   WebhookEndpoint.secret, WebhookEndpoint.previous_secret, WebhookEndpoint.previous_secret_until)
            .join(WebhookEndpoint).where(WebhookDelivery.lease_token == token)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)).all()


def expand(engine, row):
    """Replace a claimed `scan.batch` outbox row by one pending delivery per event; returns how many.

    One transaction, with a full commit: the batch row goes exactly when its deliveries exist, so a
    crash can neither lose the events nor (by expanding twice) give one scan two event ids.
    """
    with engine.begin() as connection:
        mine = connection.execute(delete(WebhookDelivery).where(
            WebhookDelivery.id == row.id, WebhookDelivery.lease_token == row.lease_token)).rowcount
        if not mine:
            return 0
        rows = scan_deliveries(row.body, row.endpoint_id, utcnow())
        connection.execute(insert(WebhookDelivery), rows)
    return len(rows)


def signing_secrets(settings, row, now):
    """The current secret, and the previous one while its 24 hours after a rotation last."""
    current = [decrypt_text(settings, row.secret)]
    if row.previous_secret and row.previous_secret_until and row.previous_secret_until > now:
        current.append(decrypt_text(settings, row.previous_secret))
    return current


def attempt(registry, config, row, wall_clock=time.time):
    """Send one claimed delivery. `wall_clock` dates the signature (receivers check it against theirs)."""
    body = row.body.encode("utf-8")
    try:
        target = registry["webhooks.url_policy"].check(row.url)
    except UnsafeUrl as exc:
        return transport.Outcome(None, f"refused: {exc}")
    headers = signing.signed_headers(signing_secrets(registry.settings, row, utcnow()), row.event_id,
                                     wall_clock(), body)
    return transport.post(target, target.addresses[0], headers, body, config.timeout, config.max_response_bytes)


def record(engine, config, row, outcome):
    """Write the outcome of an attempt; returns the seconds until the next try, or None."""
    now = utcnow()
    attempts = row.attempts + 1
    tries_left = (config.tries if row.tries_left is None else row.tries_left) - 1
    values = {"attempts": attempts, "tries_left": tries_left, "last_status_code": outcome.status,
              "last_error": outcome.error, "leased_until": None, "lease_token": None, "updated_at": now}
    delay = None
    if outcome.succeeded:
        values["status"] = SUCCEEDED
    elif tries_left <= 0:
        values["status"] = FAILED
    else:
        delay = config.delay_after(attempts)
        values["next_attempt_at"] = now + datetime.timedelta(seconds=delay)
    with bookkeeping(engine) as connection:
        # Only while our lease holds: a retry ordered meanwhile (API) starts afresh, untouched by us.
        connection.execute(update(WebhookDelivery).where(WebhookDelivery.id == row.id,
                                                         WebhookDelivery.lease_token == row.lease_token)
                           .values(**values))
    return delay


def dispatch(registry, config=None):
    """Task `webhooks.dispatch`: deliver everything due; returns how many attempts were made."""
    config = config or registry["webhooks.settings"]
    engine = registry["dbengine"]
    made = 0
    retry_in = set()
    while rows := claim(engine, config):
        for row in rows:
            if row.type == SCAN_BATCH:          # its deliveries are due at once: the next claim takes them
                expand(engine, row)
                continue
            outcome = attempt(registry, config, row)
            if not outcome.succeeded:
                log.info("webhook delivery %s to endpoint failed: %s", row.id, outcome.error)
            delay = record(engine, config, row, outcome)
            if delay is not None:
                retry_in.add(delay)
            made += 1
    for delay in sorted(retry_in):           # wake a worker when the next retries fall due
        wake(registry, delay)
    return made


def sweep(registry):
    """Periodic task `webhooks.sweep`: whatever is due and was not woken for (lost wake-up, dead worker)."""
    return dispatch(registry)


class Waker:
    """Queues a dispatch from a thread of its own: callable from the scan folder at no cost to it.

    An enqueue costs a write to the queue (milliseconds on SqliteHuey); the scan folder must not wait
    for it between two batches. A lone call is queued at once; calls that come within `interval`
    after an enqueue are folded into one at its end. That is enough: a dispatch delivers everything
    due until nothing is, and under a burst a new wake every `interval` brings in another worker.
    """

    def __init__(self, registry, interval=0.2):
        self.registry = registry
        self.interval = interval
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._pid = None

    def __call__(self):
        if self._thread is None or self._pid != os.getpid():      # threads do not survive a fork
            with self._lock:
                if self._thread is None or self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._thread = threading.Thread(target=self._run, name="webhook-waker", daemon=True)
                    self._thread.start()
        self._wanted.set()

    def _run(self):
        while True:
            self._wanted.wait()
            self._wanted.clear()
            wake(self.registry)
            time.sleep(self.interval)      # this thread's pace only: nobody waits for it


def wake(registry, delay=None):
    """Queue a dispatch (now, or in `delay` seconds). If the queue is down the sweep finds the rows later."""
    task = registry["tasks"][DISPATCH_TASK]
    try:
        if delay:
            task.schedule(delay=delay)
        else:
            task()
    except Exception:
        log.exception("could not queue %s; the periodic sweep will deliver", DISPATCH_TASK)
