"""development.ini's way: the huey consumer inside the web process delivers, from its first second on."""
import webtest

from exaroutes import jobs, main
from exaroutes.jobs import stop_embedded_consumer
from tests.helpers.webhook_receiver import Receiver, verified
from tests.helpers.webhooks import create_code, subscribe


def embedded(webhook_settings, tmp_path):
    return {**webhook_settings, "exaroutes.jobs.url": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "exaroutes.jobs.embedded_consumer": "true"}


def test_a_delivery_can_run_the_moment_the_consumer_starts(dbengine, webhook_settings, tmp_path, monkeypatch):
    """The embedded consumer starts while the app is still being configured, and its scheduler queues
    the periodic sweep at once: what a delivery needs must be registered before. Here the sweep runs
    exactly when the consumer would start."""
    registries, swept = [], []
    register = jobs.register_tasks
    monkeypatch.setattr(jobs, "register_tasks", lambda huey, registry: (register(huey, registry),
                                                                       registries.append(registry)))
    monkeypatch.setattr(jobs, "start_embedded_consumer", lambda huey, workers: swept.append(
        registries[0]["periodic_tasks"]["webhooks.sweep"].call_local()))
    app = main({}, dbengine=dbengine, **embedded(webhook_settings, tmp_path))
    app.registry["bulk_leases"].stop()          # the consumer here was never started; its lease thread was
    assert swept == [0]


def test_the_embedded_consumer_delivers_a_qr_created(dbengine, webhook_settings, auth, tmp_path):
    app = main({}, dbengine=dbengine, **embedded(webhook_settings, tmp_path))
    receiver = Receiver()
    try:
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        endpoint = subscribe(client, auth, receiver.url, events=["qr.created"])
        code = create_code(client, auth)
        (received,) = receiver.wait_for(1, timeout=60)
        assert verified(endpoint["secret"], received)["data"] == code
    finally:
        stop_embedded_consumer(app.registry)
        receiver.close()
