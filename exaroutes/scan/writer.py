"""Group commit for scans: many request threads, one writer thread, one commit per batch.

A request hands its scan to `ScanWriter.record()` and waits until the transaction holding it has
committed; only then does the redirect go out. So a scan whose response was sent is on disk, even
if the process is killed right after, while concurrent scans share one commit (and one fsync)
instead of paying for one each. While the writer commits a batch, the next one gathers: the batch
size follows the load by itself, with no timer adding latency when traffic is light.
"""
import logging
import os
import queue
import threading
import time

from exaroutes.clock import utcnow
from exaroutes.scan.rollups import REFERRER_HOSTS_STORED, prune_visitors, write_scans
from exaroutes.webhooks.outbox import add_scan_events

log = logging.getLogger(__name__)


class ScanNotRecorded(Exception):
    """The scan could not be committed; the caller must not answer as if it had been."""


class _Pending:
    """One scan waiting for its commit. `done` is a bare lock, held until the writer releases it:
    cheaper than an Event (no Condition, no Python-level notify), which the profile showed mattered."""
    __slots__ = ("scan", "done", "error")

    def __init__(self, scan):
        self.scan = scan
        self.done = threading.Lock()
        self.done.acquire()
        self.error = None


class ScanWriter:
    def __init__(self, engine, max_batch=500, timeout=30.0, prune_interval=3600.0,
                 referrer_limit=REFERRER_HOSTS_STORED, on_events=lambda: None):
        self.engine = engine
        self.referrer_limit = referrer_limit
        self.on_events = on_events
        self.max_batch = max_batch
        self.timeout = timeout
        self.prune_interval = prune_interval
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread = None
        self._pid = None
        self._last_prune = 0.0
        self._conn = None

    def record(self, scan):
        """Block until `scan` is committed; raise ScanNotRecorded if it was not."""
        pending = _Pending(scan)
        self._ensure_thread()
        self._queue.put(pending)
        if not pending.done.acquire(timeout=self.timeout):
            raise ScanNotRecorded("the scan writer did not answer in time")
        if pending.error is not None:
            raise ScanNotRecorded(str(pending.error)) from pending.error

    def flush(self, timeout=10.0):
        """Wait until every scan handed in so far is committed (at shutdown). True if it was in time.

        A marker without a scan goes through the queue: batches are taken in order, so once the
        marker's batch is done, so is every scan queued before it.
        """
        if self._thread is None or self._pid != os.getpid():
            return True
        marker = _Pending(None)
        self._queue.put(marker)
        return marker.done.acquire(timeout=timeout)

    def _ensure_thread(self):
        """Start the writer on first use, and again in a forked child (threads do not survive fork)."""
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="scan-writer", daemon=True)
                self._thread.start()

    def _next_batch(self):
        batch = [self._queue.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self):
        while True:
            batch = self._next_batch()
            try:
                connection = self._connection()
                with connection.begin():
                    scans = [pending.scan for pending in batch if pending.scan is not None]
                    write_scans(connection, scans, self.referrer_limit)
                    events = add_scan_events(connection, scans)   # webhooks: outbox rows, same commit
            except Exception as exc:  # every waiting request must hear of it, whatever it was
                log.exception("could not record %d scans", len(batch))
                for pending in batch:
                    pending.error = exc
                self._drop_connection()
                events = 0
            for pending in batch:
                pending.done.release()
            if events:
                self.on_events()    # after the answers went out: wake a webhook worker
            self._maybe_prune()

    def _connection(self):
        """The writer keeps one connection: no pool checkout (and liveness ping) per batch."""
        if self._conn is None:
            self._conn = self.engine.connect()
        return self._conn

    def _drop_connection(self):
        """After an error the connection may be broken: the next batch starts on a fresh one."""
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:
                log.exception("could not discard the scan writer's connection")
            self._conn = None

    def _maybe_prune(self):
        if time.monotonic() - self._last_prune < self.prune_interval:
            return
        self._last_prune = time.monotonic()
        try:
            connection = self._connection()
            with connection.begin():
                prune_visitors(connection, utcnow().date())
        except Exception:
            log.exception("could not prune old visitor hashes")
            self._drop_connection()
