"""Background jobs with huey: one Huey per process, built from settings (STYLE.md §2.9).

`exaroutes.jobs.url` picks the queue: `sqlite:///file` (the embedded default: nothing to install)
or `redis://…` (production, shared by every web and worker process). Tasks are bound to the
Pyramid registry, so a task sees the same plugins, settings and database as the app, and each has
an explicit name, so web and worker processes agree on it whatever the import path.
"""
import functools
import logging
import os

from huey import RedisHuey, SqliteHuey, crontab

from exaroutes.bulk import worker as bulk
from exaroutes.webhooks import delivery as webhook_delivery
from exaroutes.jobs.consumer import start_embedded_consumer

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
        return RedisHuey(name, url=url)
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


def includeme(config):
    settings = config.get_settings()
    register_tasks(make_huey(settings), config.registry)
    config.add_request_method(enqueue_after_commit)
    if settings["exaroutes.jobs.embedded_consumer"]:
        config.registry["huey_consumer"] = start_embedded_consumer(config.registry["huey"],
                                                                   settings["exaroutes.jobs.workers"])
