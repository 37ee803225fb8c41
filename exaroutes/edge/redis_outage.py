"""While a Redis is unreachable: fail fast, and say so once a minute, not once per request.

The rate limits and the code-change feed both go on without Redis (limits off, changes seen after the
cache's short time-to-live). After a failure the Redis is left alone for `retry_seconds`, so requests
do not each wait for a connection timeout, and the log gets one warning a minute with the number of
operations skipped since the last one (the production review counted 906 warning lines for about 900
requests). /readyz reports the outage (exaroutes.edge.health).
"""
import logging
import threading
import time

log = logging.getLogger(__name__)


class RedisOutage:
    def __init__(self, what, retry_seconds=5.0, warn_every_seconds=60.0):
        self.what = what
        self.retry_seconds = retry_seconds
        self.warn_every_seconds = warn_every_seconds
        self.down_until = 0.0
        self.last_warning = None
        self.skipped = 0
        self.lock = threading.Lock()

    def available(self):
        """False while the last failure is recent: the caller skips Redis (and counts as skipped)."""
        if time.monotonic() >= self.down_until:
            return True
        self.skipped += 1
        return False

    def failed(self, exc):
        now = time.monotonic()
        with self.lock:
            self.down_until = now + self.retry_seconds
            if self.last_warning is not None and now - self.last_warning < self.warn_every_seconds:
                return
            self.last_warning, skipped, self.skipped = now, self.skipped, 0
        log.warning("%s: Redis unavailable (%s); %d operation(s) skipped since the last warning; "
                    "next warning in %.0f s at most", self.what, type(exc).__name__, skipped,
                    self.warn_every_seconds)
