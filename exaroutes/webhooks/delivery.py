"""Delivering the outbox: huey tasks claim due deliveries, sign them, POST them, record the outcome.

- `webhooks.dispatch` (queued after every commit that wrote deliveries, and scheduled for the
  next retry) and `webhooks.sweep` (every minute, the safety net for a lost wake-up or a dead
  worker) both run `dispatch`: claim up to `CLAIM_BATCH` due rows, send them one by one on one
  kept-alive connection per endpoint URL, record all their outcomes in one commit, repeat until
  nothing is due.
- A claim is one conditional UPDATE that sets a lease (`leased_until`, `lease_token`); of several
  workers exactly one gets a row. A worker killed mid-delivery never records an outcome, its lease
  runs out and the next dispatch sends the row again: delivery is at least once, and receivers
  deduplicate on `webhook-id` (the event id), as the Standard Webhooks spec recommends. An attempt
  is only started while it surely ends before the lease does; rows left over are released.
- Only a 2xx answer counts as delivered. After a failure the next attempt follows the retry
  schedule (`exaroutes.webhooks.retry_schedule`, default 30 s, 5 min, 30 min, 2 h, 6 h); once
  it is used up the delivery is `failed`.
- The URL is checked again (exaroutes.webhooks.ssrf, resolving the name) before every connection a
  dispatch run opens, and the connection goes to the address that was checked; a kept connection
  is never moved to another address (exaroutes.webhooks.transport).
"""
import contextlib
import datetime
import logging
import os
import secrets
import threading
import time

from sqlalchemy import and_, bindparam, delete, insert, or_, select, update

from exaroutes.clock import utcnow
from exaroutes.protections.encryption import decrypt_text
from exaroutes.webhooks import signing, transport
from exaroutes.webhooks.outbox import DISPATCH_TASK, SCAN_BATCH, scan_deliveries
from exaroutes.webhooks.models import ENABLED, FAILED, PENDING, SUCCEEDED, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

CLAIM_BATCH = 100
#: an attempt starts only if it ends (timeout) at least this long before the claim's lease
LEASE_MARGIN_SECONDS = 5
DELIVERIES = WebhookDelivery.__table__


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


ENDPOINTS = WebhookEndpoint.__table__
_NOW = bindparam("now")
# Pending rows whose attempt is due and that no live worker holds.
DUE = and_(DELIVERIES.c.status == PENDING, DELIVERIES.c.next_attempt_at <= _NOW,
           or_(DELIVERIES.c.leased_until.is_(None), DELIVERIES.c.leased_until < _NOW))
# Built once (a claim per CLAIM_BATCH deliveries is the dispatcher's most frequent statement): lease
# the oldest due rows of enabled endpoints. One statement: the write lock (SQLite) or row locks
# (PostgreSQL, which re-checks `DUE` on rows another worker just claimed) are taken before anything
# is read.
_OLDEST_DUE = (select(DELIVERIES.c.id).join(ENDPOINTS).where(DUE, ENDPOINTS.c.status == ENABLED)
               .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id).limit(bindparam("limit"))
               .correlate(None).scalar_subquery())
_LEASE = {"leased_until": bindparam("until"), "lease_token": bindparam("token")}
CLAIM = update(DELIVERIES).where(DELIVERIES.c.id.in_(_OLDEST_DUE), DUE).values(_LEASE).returning(DELIVERIES.c.id)
# SQLite runs the statement under its one write lock, so the rows cannot change between the choice
# and the update: no re-check. With it, SQLite walked every due row (the status index) instead of
# the chosen ids, which made each claim cost as much as the whole backlog.
CLAIM_SQLITE = update(DELIVERIES).where(DELIVERIES.c.id.in_(_OLDEST_DUE)).values(_LEASE).returning(DELIVERIES.c.id)
# The claimed rows, by id (the primary key; `lease_token` has no index, and a scan of the table per
# claim cost more than the deliveries themselves on a grown table).
CLAIMED = (select(DELIVERIES.c.id, DELIVERIES.c.endpoint_id, DELIVERIES.c.type, DELIVERIES.c.event_id,
                  DELIVERIES.c.body, DELIVERIES.c.attempts, DELIVERIES.c.tries_left, DELIVERIES.c.lease_token,
                  ENDPOINTS.c.url, ENDPOINTS.c.secret, ENDPOINTS.c.previous_secret, ENDPOINTS.c.previous_secret_until)
           .join(ENDPOINTS).where(DELIVERIES.c.id.in_(bindparam("ids", expanding=True)),
                                  DELIVERIES.c.lease_token == bindparam("token"))
           .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id))


def claim(engine, config, limit=CLAIM_BATCH):
    """Lease up to `limit` due deliveries to this worker; returns them with their endpoints' data."""
    now = utcnow()
    token = secrets.token_hex(16)
    with bookkeeping(engine) as connection:
        statement = CLAIM_SQLITE if connection.dialect.name == "sqlite" else CLAIM
        claimed = connection.execute(statement, {"now": now, "limit": limit, "until": now + config.lease,
                                                 "token": token}).scalars().all()
        if not claimed:
            return []
        return connection.execute(CLAIMED, {"ids": claimed, "token": token}).all()


def expand(engine, rows):
    """Replace claimed `scan.batch` outbox rows by one pending delivery per event; returns how many.

    One transaction, with a full commit, and one multi-row INSERT: a batch row goes exactly when its
    deliveries exist, so a crash can neither lose the events nor (by expanding twice) give one scan
    two event ids.
    """
    deliveries = []
    with engine.begin() as connection:
        for row in rows:
            mine = connection.execute(delete(DELIVERIES).where(
                DELIVERIES.c.id == row.id, DELIVERIES.c.lease_token == row.lease_token)).rowcount
            if mine:
                deliveries += scan_deliveries(row.body, row.endpoint_id, utcnow())
        if deliveries:
            connection.execute(insert(DELIVERIES), deliveries)
    return len(deliveries)


class SigningSecrets:
    """The plaintext secrets of the endpoints met in one dispatch run, each decrypted once."""

    def __init__(self, settings):
        self.settings = settings
        self._plain = {}

    def _decrypt(self, stored):
        if stored not in self._plain:
            self._plain[stored] = decrypt_text(self.settings, stored)
        return self._plain[stored]

    def of(self, row, now):
        """The current secret, and the previous one while its 24 hours after a rotation last."""
        current = [self._decrypt(row.secret)]
        if row.previous_secret and row.previous_secret_until and row.previous_secret_until > now:
            current.append(self._decrypt(row.previous_secret))
        return current


def attempt(sender, signing_secrets, row, now, wall_clock=time.time):
    """Send one claimed delivery. `wall_clock` dates the signature (receivers check it against theirs).

    The sender checks the URL (exaroutes.webhooks.ssrf) before each connection it opens.
    """
    body = row.body.encode("utf-8")
    headers = signing.signed_headers(signing_secrets.of(row, now), row.event_id, wall_clock(), body)
    return sender.post(row.url, headers, body)


def outcome_values(config, row, outcome, now):
    """The new state of an attempted delivery; `next_attempt_at` only matters while it is pending."""
    attempts = row.attempts + 1
    tries_left = (config.tries if row.tries_left is None else row.tries_left) - 1
    status, next_attempt_at = PENDING, now
    if outcome.succeeded:
        status = SUCCEEDED
    elif tries_left <= 0:
        status = FAILED
    else:
        next_attempt_at = now + datetime.timedelta(seconds=config.delay_after(attempts))
    return {"b_id": row.id, "b_token": row.lease_token, "attempts": attempts, "tries_left": tries_left,
            "status": status, "next_attempt_at": next_attempt_at, "last_status_code": outcome.status,
            "last_error": outcome.error, "leased_until": None, "lease_token": None, "updated_at": now}


# Only while our lease holds: a retry ordered meanwhile (API) starts afresh, untouched by us.
_OURS = and_(DELIVERIES.c.id == bindparam("b_id"), DELIVERIES.c.lease_token == bindparam("b_token"))
RECORD = update(DELIVERIES).where(_OURS)
RELEASE = update(DELIVERIES).where(_OURS).values(leased_until=None, lease_token=None)


def record(engine, config, attempted, released=()):
    """Write the outcomes of a claim's attempts in one statement and commit; release rows not tried.

    `attempted` is [(row, Outcome)]. Returns the set of seconds until the retries it scheduled.
    """
    now = utcnow()
    values = [outcome_values(config, row, outcome, now) for row, outcome in attempted]
    with bookkeeping(engine) as connection:
        if values:
            connection.execute(RECORD, values)
        if released:
            connection.execute(RELEASE, [{"b_id": row.id, "b_token": row.lease_token} for row in released])
    return {config.delay_after(v["attempts"]) for v in values if v["status"] == PENDING}


def send_claimed(sender, signing_secrets, config, rows, monotonic=time.monotonic):
    """Attempt claimed deliveries in order while their lease surely outlasts the attempt.

    Returns ([(row, Outcome)], rows not attempted): a slow receiver must not keep rows past their
    lease, or another worker would send them again while we still hold them.
    """
    stop_after = monotonic() + config.lease.total_seconds() - config.timeout - LEASE_MARGIN_SECONDS
    attempted = []
    for index, row in enumerate(rows):
        if monotonic() > stop_after:
            return attempted, rows[index:]
        outcome = attempt(sender, signing_secrets, row, utcnow())
        if not outcome.succeeded:
            log.info("webhook delivery %s to endpoint failed: %s", row.id, outcome.error)
        attempted.append((row, outcome))
    return attempted, []


def dispatch(registry, config=None):
    """Task `webhooks.dispatch`: deliver everything due; returns how many attempts were made.

    Claim up to CLAIM_BATCH due rows, expand the scan batches among them (their deliveries are due
    at once: the next claim takes them), send the rest on kept-alive connections, record every
    outcome of the claim in one commit; repeat until nothing is due.
    """
    config = config or registry["webhooks.settings"]
    engine = registry["dbengine"]
    sender = transport.Sender(registry["webhooks.url_policy"], config.timeout, config.max_response_bytes)
    signing_secrets = SigningSecrets(registry.settings)
    made = 0
    retry_in = set()
    try:
        while rows := claim(engine, config):
            batches = [row for row in rows if row.type == SCAN_BATCH]
            if batches:
                expand(engine, batches)
            attempted, untried = send_claimed(sender, signing_secrets, config,
                                              [row for row in rows if row.type != SCAN_BATCH])
            retry_in |= record(engine, config, attempted, untried)
            made += len(attempted)
    finally:
        sender.close()
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
