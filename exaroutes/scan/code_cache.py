"""A short-lived, per-process cache of the codes the redirect looks up.

Scans of one printed code come in bursts; reading its row once per few seconds instead of once per
scan takes a database round trip and a transaction off the hot path. A change of a code drops its
entry in every process (exaroutes.codes.changes, exaroutes.scan.change_feed); `ttl` is the safety net
(`exaroutes.scan.code_cache_seconds`, 0 turns the cache off; longer while the change feed is up).

Cached codes are detached from any session and shared between threads: treat them as read-only
(a counter must be changed with an SQL UPDATE by id, never by assigning to the cached object).
"""
import threading
import time

from exaroutes.codes.lookup import find_code


class CodeCache:
    def __init__(self, session_factory, ttl, max_entries=100_000):
        self.session_factory = session_factory
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries = {}
        self._generation = 0
        self._lock = threading.Lock()

    def load(self, short_id):
        """The code from the database, in a session of its own (the result outlives it)."""
        with self.session_factory() as session:    # closing (not rolling back) keeps the attributes loaded
            return find_code(session, short_id)

    def get(self, short_id):
        """The code with this short id, or None; at most `ttl` seconds old."""
        if self.ttl <= 0:
            return self.load(short_id)
        entry = self._entries.get(short_id)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        code = self.load(short_id)
        if code is not None:
            with self._lock:
                if generation == self._generation:     # no change committed while we read: keep it
                    if len(self._entries) >= self.max_entries:
                        self._entries.clear()
                    self._entries[short_id] = (now + self.ttl, code)
        return code

    def invalidate(self, short_id):
        with self._lock:
            self._generation += 1
            self._entries.pop(short_id, None)

    def clear(self):
        """Forget everything (the change feed reconnected: changes may have been missed meanwhile)."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
