"""Code changes between web processes over Redis publish/subscribe (DESIGN.md §9: within 100 ms).

Publisher: after a commit that changed codes (exaroutes.codes.changes), their short ids go to the
channel `exaroutes.changes.channel` in one PUBLISH (a fraction of a millisecond on a local Redis).

Subscriber: a thread in each web process, started with the server (exaroutes.server). For every
message it drops the named codes from the process's code cache, so the next scan reads the new row.
The cache's time-to-live is then only a safety net:

- while subscribed, cached codes live `exaroutes.changes.code_cache_seconds` (60 s): a message lost
  in some way nobody noticed is corrected within that time;
- while not subscribed (Redis unreachable, not yet connected), `exaroutes.scan.code_cache_seconds`
  (2 s), as without a feed. Each time the subscription is (re)established the whole cache is dropped:
  changes published while it was away were missed.

A publish that fails (Redis down) is logged, once a minute at most; the other processes are then
not subscribed either (their connection broke too) and fall back to the short time-to-live.
"""
import logging
import threading

import redis

from exaroutes.edge.redis_outage import RedisOutage

log = logging.getLogger(__name__)

#: Redis operations must never hold a request for long
SOCKET_TIMEOUT = 0.5
#: how often the subscriber pings Redis, so a silently dead connection is noticed
HEALTH_CHECK_SECONDS = 5
RECONNECT_SECONDS = 1.0


class ChangeFeed:
    def __init__(self, url, channel, cache, subscribed_ttl, fallback_ttl):
        self.redis = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
                                          health_check_interval=HEALTH_CHECK_SECONDS)
        self.channel = channel
        self.cache = cache
        self.subscribed_ttl, self.fallback_ttl = subscribed_ttl, fallback_ttl
        self.outage = RedisOutage("code-change feed")
        self.subscribed = threading.Event()
        self.stopped = threading.Event()
        self.thread = None

    def publish(self, short_ids):
        if not self.outage.available():
            return
        try:
            self.redis.publish(self.channel, " ".join(sorted(short_ids)))
        except Exception as exc:  # noqa: BLE001 - the change is committed; the others fall back to the TTL
            self.outage.failed(exc)

    def start(self):
        if self.thread is None:
            self.thread = threading.Thread(target=self.run, name="code-change-feed", daemon=True)
            self.thread.start()

    def stop(self):
        self.stopped.set()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.listen()
            except Exception as exc:  # noqa: BLE001 - Redis went away: short TTL until it is back
                self.unsubscribed()
                self.outage.failed(exc)
                self.stopped.wait(RECONNECT_SECONDS)

    def listen(self):
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            pubsub.subscribe(self.channel)
            while not self.stopped.is_set():
                message = pubsub.get_message(timeout=1.0)
                if not self.subscribed.is_set() and pubsub.subscribed:
                    self.cache.ttl = self.subscribed_ttl
                    self.cache.clear()          # whatever changed while we were away was not heard
                    self.subscribed.set()
                    log.info("code-change feed: subscribed to %s", self.channel)
                if message is not None and message.get("type") == "message":
                    for short_id in message["data"].decode().split():
                        self.cache.invalidate(short_id)
        finally:
            pubsub.close()

    def unsubscribed(self):
        if self.subscribed.is_set():
            self.subscribed.clear()
        self.cache.ttl = self.fallback_ttl
        self.cache.clear()
