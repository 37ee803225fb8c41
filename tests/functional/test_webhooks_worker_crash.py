"""At least once: an `exaroutes-worker` process killed (SIGKILL) while a receiver holds its delivery
unanswered leaves the delivery pending under its lease; once the lease runs out the delivery is sent
again, with the same webhook-id, and recorded. RedisHuey, as in production; SQLite and PostgreSQL."""
import datetime
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import webtest
from sqlalchemy import select

from exaroutes import clock, main
from exaroutes.models import WebhookDelivery
from tests.helpers.services import redis_url
from tests.helpers.webhook_receiver import Receiver, verified
from tests.helpers.webhooks import Clock, deliveries, subscribe

WORKER = str(Path(sys.executable).parent / "exaroutes-worker")
WORKER_TIMEOUT = 120      # the killed worker waits this long for an answer; it is killed long before


@pytest.fixture
def production_like(app_settings, tmp_path):
    """(web settings, worker ini) on one RedisHuey queue of its own, loopback receivers allowed."""
    settings = {**app_settings, "exaroutes.jobs.url": redis_url(),
                "exaroutes.jobs.name": f"exaroutes-test-{uuid.uuid4().hex[:8]}", "exaroutes.jobs.workers": "1",
                "exaroutes.webhooks.allow_http": "true", "exaroutes.webhooks.allow_private": "true",
                "exaroutes.webhooks.timeout_seconds": str(WORKER_TIMEOUT)}
    ini = tmp_path / "worker.ini"
    lines = [f"{key} = {value}" for key, value in settings.items()]
    ini.write_text("[app:main]\nuse = egg:exaroutes\n" + "\n".join(lines).replace("%", "%%") + "\n")
    return settings, str(ini)


def test_a_worker_killed_mid_delivery_means_the_event_is_delivered_again(
        dbengine, production_like, auth, tmp_path, monkeypatch, committed):
    settings, ini = production_like
    client = webtest.TestApp(main({}, dbengine=dbengine, **settings), extra_environ={"HTTP_HOST": "localhost"})
    registry = client.app.registry
    receiver = Receiver()
    worker = None
    try:
        endpoint = subscribe(client, auth, receiver.url)
        held = receiver.hold()
        with open(tmp_path / "worker.log", "wb") as log:
            worker = subprocess.Popen([WORKER, ini], stdout=log, stderr=subprocess.STDOUT)
        client.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
        (first,) = receiver.wait_for(1, timeout=120)      # the worker is now waiting for our answer
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
        held.set()

        (log,) = deliveries(client, auth, endpoint["id"])
        assert (log["status"], log["attempts"]) == ("pending", 0)     # the killed attempt recorded nothing
        leased_until = committed(lambda db: db.scalar(select(WebhookDelivery.leased_until)))
        dispatch = registry["tasks"]["webhooks.dispatch"].call_local
        assert dispatch() == 0                  # the dead worker's lease still holds
        later = Clock()
        later.now = leased_until + datetime.timedelta(seconds=1)
        monkeypatch.setattr(clock, "source", later)
        assert dispatch() == 1
        second = receiver.wait_for(2)[1]
        assert second.headers["webhook-id"] == first.headers["webhook-id"]
        assert verified(endpoint["secret"], first) == verified(endpoint["secret"], second)
        (log,) = deliveries(client, auth, endpoint["id"])
        assert (log["status"], log["attempts"], log["lastStatusCode"]) == ("succeeded", 1, 204)
    finally:
        if worker is not None and worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(30)
        receiver.close()
        registry["huey"].flush()
