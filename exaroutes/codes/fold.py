"""Folding: pending scans move into `scans` and the daily rollups, in batches, off the request path.

The redirect writes one `pending_scans` row per answered scan (exaroutes/scan/writer.py). A folder
takes a batch of them and, in ONE transaction, deletes them from `pending_scans`, inserts them into
`scans`, updates the visitors and rollups (`write_scans`) and writes the `scan.created` webhook
outbox rows (exaroutes.webhooks.outbox). A crash before the commit leaves the
batch pending for the next fold; after it, the batch is folded exactly once. So every answered scan
is counted once, and the rollups always agree with the raw rows.

Who folds:
- a `ScanFolder` thread, in the web process on the embedded defaults (development.ini) and in
  every `exaroutes-worker` in production (`exaroutes.scan.fold_in_web = false` there);
  on PostgreSQL several folders share the work: each claims its batch with `FOR UPDATE SKIP LOCKED`;
- every reader of scan counts (analytics, the dashboard) first folds what is pending, waiting for
  batches another folder holds, so what it reads includes every scan answered before it asked.
"""
import logging
import os
import threading
import time

from sqlalchemy import delete, select
from zope.sqlalchemy import mark_changed

from exaroutes.clock import utcnow
from exaroutes.models import PendingScan, QrCode
from exaroutes.codes.rollups import REFERRER_HOSTS_STORED, SCAN_COLUMNS, prune_visitors, write_scans
from exaroutes.webhooks.outbox import add_scan_events, wake_after_commit

log = logging.getLogger(__name__)

BATCH = 1000


class Folded(int):
    """How many scans a fold moved (an int), and how many webhook deliveries it wrote (`.events`)."""
    events = 0


def fold_pending(connection, limit=BATCH, wait=False, referrer_limit=REFERRER_HOSTS_STORED):
    """Fold up to `limit` pending scans in `connection`'s transaction; how many were folded.

    `wait=False` (folders) skips rows another transaction is folding; `wait=True` (readers) waits
    for them, so once it returns nothing answered earlier is still on its way.
    """
    pending = PendingScan.__table__
    batch = select(pending.c.id).order_by(pending.c.id).limit(limit).with_for_update(skip_locked=not wait)
    rows = connection.execute(
        delete(pending).where(pending.c.id.in_(batch.scalar_subquery()))
        .returning(pending.c.id, *(pending.c[name] for name in SCAN_COLUMNS))).all()
    folded = Folded(len(rows))
    if rows:
        rows.sort(key=lambda row: row.id)  # DELETE ... RETURNING promises no order; scans keep theirs
        codes = {code.id: code for code in connection.execute(
            select(QrCode.id, QrCode.workspace_id, QrCode.short_id).where(QrCode.id.in_({r.code_id for r in rows})))}
        scans = [{name: getattr(row, name) for name in SCAN_COLUMNS} for row in rows]
        for scan in scans:          # what the webhook event names, not stored with the scan
            scan["workspace_id"], scan["short_id"] = codes[scan["code_id"]][1:]
        write_scans(connection, scans, referrer_limit)
        folded.events = add_scan_events(connection, scans)   # webhooks: outbox rows, same commit
    return folded


def catch_up(session):
    """Before reading scans or rollups in `session`: fold everything pending (readers call this)."""
    connection = session.connection()
    request = session.info.get("request")
    limit = (request.registry.settings["exaroutes.analytics.referrer_hosts_stored"] if request is not None
             else REFERRER_HOSTS_STORED)
    folded = batch = fold_pending(connection, wait=True, referrer_limit=limit)
    events = batch.events
    while batch == BATCH:
        batch = fold_pending(connection, wait=True, referrer_limit=limit)
        folded += batch
        events += batch.events
    if events:
        wake_after_commit(session)      # the scan.created events this fold wrote, once it commits
    manager = session.info.get("transaction_manager")
    if folded and manager is not None:
        mark_changed(session, manager)    # statements, not ORM changes: tell zope.sqlalchemy to commit them


class ScanFolder:
    """A daemon thread that folds pending scans every `interval` seconds, at once while there are many."""

    def __init__(self, engine, interval=0.5, prune_interval=3600.0, referrer_limit=REFERRER_HOSTS_STORED,
                 on_events=lambda: None):
        self.engine = engine
        self.referrer_limit = referrer_limit
        self.on_events = on_events
        self.interval = interval
        self.prune_interval = prune_interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self._pid = None
        self._last_prune = 0.0

    def ensure_running(self):
        """Start the thread on first use, and again in a forked child (threads do not survive fork).

        Called by every recorded scan in a process that folds: one comparison once it runs.
        """
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="scan-folder", daemon=True)
                self._thread.start()
                self._pid = os.getpid()

    def stop(self, timeout=10.0):
        """Stop after the current batch and fold what is left once more (graceful shutdown)."""
        self._stop.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = self._pid = None

    def fold_once(self):
        """One batch in its own transaction; how many scans it folded (None on an error, which is logged)."""
        try:
            with self.engine.begin() as connection:
                folded = fold_pending(connection, referrer_limit=self.referrer_limit)
        except Exception:
            log.exception("could not fold pending scans")
            return None
        if folded.events:
            self.on_events()      # after the commit: wake a webhook worker
        return folded

    def _run(self):
        failures = 0
        while True:
            folded = self.fold_once()
            failures = failures + 1 if folded is None else 0
            self._maybe_prune()
            if self._stop.is_set():
                if not folded:
                    return
                continue
            if failures:     # the database is away: try again, less often (at most every 30 s)
                self._stop.wait(min(30.0, self.interval * 2 ** failures))
            elif folded < BATCH:
                self._stop.wait(self.interval)

    def _maybe_prune(self):
        if time.monotonic() - self._last_prune < self.prune_interval:
            return
        self._last_prune = time.monotonic()
        try:
            with self.engine.begin() as connection:
                prune_visitors(connection, utcnow().date())
        except Exception:
            log.exception("could not prune old visitor hashes")
