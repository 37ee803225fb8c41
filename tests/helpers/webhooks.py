"""What the webhook tests share: an app that may call 127.0.0.1, a receiver, a clock, the queue."""
import datetime
import time

import pytest
import webtest

from exaroutes import clock, main
from tests.helpers.queues import app_queue
from tests.helpers.webhook_receiver import Receiver

#: the retry schedule of the test app (seconds): short, and walked by moving the clock, never by waiting
SCHEDULE = (30, 300)
TIMEOUT_SECONDS = 2
SCAN_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture(scope="session")
def webhook_settings(app_settings, tmp_path_factory):
    """development.ini's webhook policy (http and loopback allowed) and a queue of its own."""
    return {**app_settings,
            "exaroutes.jobs.url": f"sqlite:///{tmp_path_factory.mktemp('webhook-jobs') / 'jobs.sqlite'}",
            "exaroutes.webhooks.allow_http": "true", "exaroutes.webhooks.allow_private": "true",
            "exaroutes.webhooks.retry_schedule": " ".join(map(str, SCHEDULE)),
            "exaroutes.webhooks.timeout_seconds": str(TIMEOUT_SECONDS)}


@pytest.fixture(scope="session")
def webhook_app(dbengine, webhook_settings):
    return main({}, dbengine=dbengine, **webhook_settings)


@pytest.fixture
def hooks(webhook_app, queue_backend, tmp_path):
    """TestApp of the webhook app, its queue on `queue_backend` (tests/helpers/queues.py), empty before and after."""
    with app_queue(webhook_app.registry, queue_backend, tmp_path):
        yield webhook_app_client(webhook_app)


def webhook_app_client(app):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    client.registry = app.registry
    return client


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


class Clock:
    """A clock the test moves by hand; every `utcnow()` of the app reads it."""

    def __init__(self):
        self.now = clock.system_time()

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)

    def __call__(self):
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch):
    fixed = Clock()
    monkeypatch.setattr(clock, "source", fixed)
    return fixed


def drain(huey, wait_for_one=False, timeout=30):
    """Run every queued task here (huey.dequeue + execute), as a consumer would; returns how many.

    `wait_for_one`: first wait until something is queued. The scan folder queues its wake-up just
    after it folded the scan, so a test that scanned waits for that condition (not a sleep).
    """
    if wait_for_one:
        deadline = time.monotonic() + timeout
        while huey.pending_count() == 0:
            assert time.monotonic() < deadline, "nothing was queued"
            time.sleep(0.01)
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def subscribe(client, auth, url, **fields):
    """POST /api/webhooks; returns the endpoint object with its secret."""
    return client.post_json("/api/webhooks", {"url": url, **fields}, headers=auth, status=201).json


def deliveries(client, auth, endpoint_id):
    return client.get(f"/api/webhooks/{endpoint_id}/deliveries", headers=auth).json["data"]


def create_code(client, auth, destination="https://example.com/spring"):
    return client.post_json("/api/qr/codes", {"data": destination, "returnType": "svg"}, headers=auth,
                            status=201).json


def scan(client, short_id):
    """One counted scan, then one fold (a server's folder thread does that in the background): the
    fold writes the scan.created outbox rows and wakes the webhook worker."""
    response = client.get(f"/r/{short_id}", headers={"User-Agent": SCAN_AGENT}, status=302)
    client.app.registry["scan_folder"].fold_once()
    return response
