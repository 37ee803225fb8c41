"""The job queue on both backends, as the database is: SqliteHuey (development.ini's embedded queue) and
RedisHuey (production's). A test that takes `queue` (or `hooks`, the webhook app's client) runs once per
`queue_backend`, so what the bulk and webhook suites show about enqueueing after commit, slices, retries,
schedules and sweeps holds for the queue production runs too. Without Redis the redis half skips, and
fails under CI=true, like PostgreSQL.
"""
import contextlib
import uuid

import pytest

from exaroutes.jobs import make_huey, register_tasks
from tests.helpers.services import redis_url

QUEUE_BACKENDS = ["sqlite", "redis"]
#: what register_tasks puts in a registry: put back as it was after a test on a queue of its own
QUEUE_WIRING = ("huey", "tasks", "periodic_tasks", "bulk_leases")


@pytest.fixture(params=QUEUE_BACKENDS)
def queue_backend(request):
    return request.param


def queue_settings(backend, tmp_path):
    """`exaroutes.jobs.*` settings of a queue of the caller's own on `backend`: an app made with them uses it."""
    if backend == "sqlite":
        return {"exaroutes.jobs.url": f"sqlite:///{tmp_path / 'jobs.sqlite'}"}
    # RedisHuey keeps every key under its name: a name per test, so two runs sharing a Redis database
    # never take each other's tasks
    return {"exaroutes.jobs.url": redis_url(), "exaroutes.jobs.name": f"exaroutes-test-{uuid.uuid4().hex[:12]}"}


@contextlib.contextmanager
def app_queue(registry, backend, tmp_path):
    """The queue of a (session-wide) app on `backend`, empty before and after; no consumer runs.

    sqlite: the app's own SqliteHuey. redis: a RedisHuey of this test's own, wired into the app as the
    app factory wires the queue its settings name (make_huey, register_tasks); the app's own queue is
    wired back afterwards.
    """
    if backend == "sqlite":
        huey = registry["huey"]
        huey.flush()
        try:
            yield huey
        finally:
            huey.flush()
        return
    wiring = {name: registry[name] for name in QUEUE_WIRING}
    huey = make_huey({**registry.settings, **queue_settings(backend, tmp_path)})
    # A consumer waits on an empty queue (a blocking pop, up to 1 s); a test's drain asks "anything
    # left?" and wants the answer at once, as SqliteHuey gives it.
    huey.storage.blocking = False
    register_tasks(huey, registry)
    try:
        yield huey
    finally:
        huey.flush()
        huey.storage.conn.connection_pool.disconnect()
        registry.update(wiring)


@pytest.fixture
def queue(app, queue_backend, tmp_path):
    """The app's job queue on `queue_backend`, empty; tests run its tasks themselves (bulk.drain)."""
    with app_queue(app.registry, queue_backend, tmp_path) as huey:
        yield huey
