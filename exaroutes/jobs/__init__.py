"""Background jobs with huey: one Huey per process, built from settings (STYLE.md §2.9).

`exaroutes.jobs.url` picks the queue: `sqlite:///file` (the embedded default: nothing to install)
or `redis://…` (production, shared by every web and worker process). Tasks are bound to the
Pyramid registry, so a task sees the same plugins, settings and database as the app, and each has
an explicit name, so web and worker processes agree on it whatever the import path.
"""
import functools
import logging
import os

import redis
from huey import RedisHuey, SqliteHuey, crontab

from exaroutes.bulk import worker as bulk
from exaroutes.errors import ApiError
from exaroutes.webhooks import delivery as webhook_delivery
from exaroutes.jobs.consumer import ConsumerProcess, start_embedded_consumer
from exaroutes.bulk.leases import LeaseKeeper
from exaroutes.jobs.watchdog import queue_ping

log = logging.getLogger(__name__)

# name -> function(registry, *args); names are part of the queue's wire format: never rename one.
TASKS = {
    "bulk.slice": bulk.run_slice,
    "webhooks.dispatch": webhook_delivery.dispatch,
}
# Every minute: re-queue silent jobs (lost enqueue, crashed worker) and drop expired archives;
# deliver webhooks that are due but were not woken for (lost wake-up, killed worker).
PERIODIC_TASKS = {
    "bulk.sweep": bulk.sweep,
    "webhooks.sweep": webhook_delivery.sweep,
}
TASK_RETRIES = 3
TASK_RETRY_DELAY_SECONDS = 5


def make_huey(settings):
    """The queue named by `exaroutes.jobs.url`."""
    url = settings["exaroutes.jobs.url"]
    name = settings["exaroutes.jobs.name"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        # Bounded waits: a Redis that does not answer must fail a request (503), not hang it.
        # The read timeout stays above huey's 1 s blocking pop.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisHuey(name, connection_pool=pool)
    if url.startswith("sqlite:///"):
        filename = url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
        return SqliteHuey(name, filename=filename)
    raise ValueError(f"exaroutes.jobs.url must be sqlite:///FILE or redis://…, not {url!r}")


def bind(func, registry):
    """`func(registry, *args)` as a task taking `*args`: queued messages carry ids only."""

    @functools.wraps(func)
    def task(*args):
        return func(registry, *args)

    return task


def require_queue(request):
    """Refuse (503, nothing stored) work that would have to be queued while the queue cannot be reached.

    Called before anything is written: a job whose tasks cannot be queued would wait for the sweeper
    (the production review measured 100 s), and the client would not know. If the queue fails in
    the moment between this check and the enqueue after commit, the job's slice rows are queued
    again by the workers' lease check (exaroutes.bulk.leases) after `stale_seconds`.
    """
    ping = queue_ping(request.registry["huey"])
    if ping is None:
        return
    try:
        ping()
    except Exception as exc:  # noqa: BLE001 - unreachable, for whatever reason
        log.warning("job queue unreachable (%s): answering 503", type(exc).__name__)
        retry_after = request.registry.settings["exaroutes.unavailable.retry_after_seconds"]
        raise ApiError(503, "The job queue is unavailable just now; nothing was stored. Retry after the number "
                       "of seconds in Retry-After.", headers={"Retry-After": str(retry_after)}) from exc


def enqueue_after_commit(request, task_name, *args):
    """Queue `task_name(*args)` only once this request's transaction has committed.

    A job queued before the commit could run before its rows are visible, or for a request that
    then rolls back. If the enqueue itself fails (the queue is down), the request has already
    succeeded: the job row stays `queued` and the sweeper queues it again later.
    """
    task = request.registry["tasks"][task_name]

    def enqueue(committed):
        if not committed:
            return
        try:
            task(*args)
        except Exception:
            log.exception("could not queue %s%r; the sweeper will queue it again", task_name, args)

    request.tm.get().addAfterCommitHook(enqueue)


def register_tasks(huey, registry):
    registry["huey"] = huey
    registry["tasks"] = {
        name: huey.task(name=name, retries=TASK_RETRIES, retry_delay=TASK_RETRY_DELAY_SECONDS)(bind(func, registry))
        for name, func in TASKS.items()}
    registry["periodic_tasks"] = {
        name: huey.periodic_task(crontab(minute="*"), name=name)(bind(func, registry))
        for name, func in PERIODIC_TASKS.items()}
    settings = registry.settings
    # Started only where a consumer runs (exaroutes-worker, the embedded consumer).
    registry["bulk_leases"] = LeaseKeeper(registry["dbengine"], registry["tasks"]["bulk.slice"],
                                          settings["exaroutes.jobs.lease_seconds"],
                                          settings["exaroutes.jobs.lease_check_seconds"],
                                          settings["exaroutes.jobs.stale_seconds"])


def stop_embedded_consumer(registry):
    """Stop the in-thread consumer and the lease thread that `includeme` started with it."""
    registry["huey_consumer"].stop(graceful=True)
    registry["bulk_leases"].stop()


def includeme(config):
    settings = config.get_settings()
    register_tasks(make_huey(settings), config.registry)
    config.add_request_method(enqueue_after_commit)
    config.add_request_method(require_queue)
    if not settings["exaroutes.jobs.embedded_consumer"]:
        return
    config_file = config.registry.get("config_file")
    if settings["exaroutes.jobs.consumer_process"] and config_file:
        # a child process of the server, started when it serves (not when a tool builds the app)
        consumer = config.registry["consumer_process"] = ConsumerProcess(config_file,
                                                                         settings["exaroutes.jobs.shutdown_seconds"])
        config.registry.setdefault("on_serve", []).append(consumer.start)
        config.registry.setdefault("on_shutdown", []).append(consumer.stop)
        return
    config.registry["huey_consumer"] = start_embedded_consumer(config.registry["huey"],
                                                               settings["exaroutes.jobs.workers"])
    config.registry["bulk_leases"].start()
