"""The redirect's one write: each scan is a single INSERT, committed by the request's own thread.

A request records its scan with `ScanRecorder.record()` and answers only once that INSERT has
committed, so a scan whose response was sent survives a SIGKILL of the web process. Nothing else
happens on the request thread: the rollups, the visitor counts and the webhook outbox are written
later by the folder (exaroutes/codes/fold.py), in batches, from the pending rows.

Why not a writer thread with group commit (waves 1-4 of BENCHMARKS.md "Redirect")? Handing a scan to
another thread and waking the request up again cost 13 points of a bare 302's throughput even when
the writer wrote nothing. A single-row INSERT through the raw DB-API cursor costs about as much CPU
as that hand-off alone, and the driver releases the GIL while the database works.

The statement is compiled by SQLAlchemy once per dialect (no SQL written per driver) and executed
on connections this class keeps for itself: no pool checkout with its liveness ping per scan.
- SQLite allows one writer at a time: one connection, taken under a lock (threads queue on the lock
  in Python instead of sleeping in SQLite's busy handler).
- PostgreSQL: one connection per concurrently recording thread, at most `max_connections`; with
  `synchronous_commit = off` (`exaroutes.scan.synchronous_commit`) the commit does not wait for the
  WAL flush. What each setting survives is written in docs/scan-durability.md.
"""
import logging
import queue
import threading
import weakref

from sqlalchemy import insert

from exaroutes.codes.rollups import SCAN_COLUMNS
from exaroutes.models import PendingScan

log = logging.getLogger(__name__)


class ScanNotRecorded(Exception):
    """The scan could not be committed; the caller must not answer as if it had been."""


def compiled_insert(engine):
    """(SQL text, row -> DB-API parameters) for one pending scan, in the engine's paramstyle."""
    statement = insert(PendingScan.__table__).values({c: None for c in SCAN_COLUMNS}).inline()  # no RETURNING
    compiled = statement.compile(dialect=engine.dialect)
    if compiled.positional:
        order = tuple(compiled.positiontup)
        return compiled.string, lambda row: tuple(row.get(name) for name in order)
    return compiled.string, lambda row: {name: row.get(name) for name in SCAN_COLUMNS}


class ScanRecorder:
    def __init__(self, engine, synchronous_commit=True, max_connections=8):
        self.engine = engine
        self.synchronous_commit = synchronous_commit
        self.sql, self.parameters = compiled_insert(engine)
        self.serialized = engine.dialect.name == "sqlite"
        self._idle = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(1 if self.serialized else max_connections)
        # An app dropped without close() (tests build many) must not leave open connections behind.
        self.close = weakref.finalize(self, close_idle, self._idle)

    def record(self, scan):
        """Commit `scan` (a dict of Scan columns) as a pending scan; raise ScanNotRecorded if it was not.

        A connection kept from before may have died with a database restart: then every idle one is
        dropped and the scan is tried once more on a new connection, so the first scan after an
        outage succeeds (a failure on a new connection is final).
        """
        if not self._slots.acquire(timeout=30):
            raise ScanNotRecorded("no connection to record the scan on")
        try:
            for fresh in (False, True):
                connection, reused = None, False
                try:
                    connection, reused = (self._connect(), False) if fresh else self._checkout()
                    self._insert(connection, scan)
                except Exception as exc:
                    self._discard(connection)
                    if reused:          # kept from before an outage: drop the others, once more on a new one
                        close_idle(self._idle)
                        continue
                    log.exception("could not record a scan")
                    raise ScanNotRecorded(str(exc)) from exc
                self._idle.put(connection)
                return
        finally:
            self._slots.release()

    def _insert(self, connection, scan):
        connection.cursor.execute(self.sql, self.parameters(scan))   # autocommit: committed when it returns

    def _checkout(self):
        """(connection, whether it was used before)."""
        try:
            return self._idle.get_nowait(), True
        except queue.Empty:
            return self._connect(), False

    def _connect(self):
        """A DB-API connection of our own, out of the engine's pool (its dialect's set-up applied)."""
        connection = self.engine.raw_connection()
        connection.detach()      # held for the life of the process: it must not count against the pool
        driver = connection.dbapi_connection
        if self.serialized:
            driver.isolation_level = None      # sqlite3: autocommit, each INSERT its own transaction
        else:
            driver.autocommit = True           # psycopg: one round trip per scan, no BEGIN/COMMIT
            if not self.synchronous_commit:
                driver.execute("SET synchronous_commit = off")
        return KeptConnection(connection)

    def _discard(self, connection):
        """After an error the connection may be broken: close it; the next scan opens a fresh one."""
        if connection is None:
            return
        try:
            connection.invalidate()
        except Exception:
            log.exception("could not discard a scan connection")



class KeptConnection:
    """A connection the recorder keeps, with the one cursor it uses (a new cursor per scan cost
    12 µs of CPU more on PostgreSQL: 35 against 23 µs per INSERT, measured in one thread)."""
    __slots__ = ("connection", "cursor")

    def __init__(self, connection):
        self.connection = connection
        self.cursor = connection.dbapi_connection.cursor()

    def invalidate(self):
        self.connection.invalidate()

    def close(self):
        self.connection.close()


def close_idle(idle):
    """Close the recorder's idle connections (at shutdown, after an outage, or when the recorder is dropped)."""
    while True:
        try:
            connection = idle.get_nowait()
        except queue.Empty:
            return
        try:
            connection.close()
        except Exception:
            log.debug("an idle scan connection did not close cleanly", exc_info=True)
