"""SSRF: with production settings (the defaults; production.ini sets them too) a webhook may only go to
https URLs whose host resolves to public addresses, checked when saved and again at every delivery."""
import configparser
import pathlib

import pytest

from exaroutes.settings import load_settings
from exaroutes.webhooks.delivery import dispatch
from exaroutes.webhooks.ssrf import UrlPolicy, system_resolve
from tests.helpers.webhook_receiver import Receiver
from tests.helpers.webhooks import deliveries

ROOT = pathlib.Path(__file__).resolve().parents[2]
PUBLIC = "93.184.215.14"     # any global unicast address; nothing connects to it in these tests


@pytest.fixture
def dns(app, monkeypatch):
    """Names the test controls: {host: [addresses]}; any other name resolves as usual."""
    names = {}
    policy = app.registry["webhooks.url_policy"]
    monkeypatch.setattr(policy, "resolve", lambda host, port: names.get(host) or system_resolve(host, port))
    return names


def read_ini(name):
    ini = configparser.ConfigParser(interpolation=None)
    assert ini.read(ROOT / name)
    return ini


def test_the_production_ini_and_the_defaults_are_the_strict_policy():
    ini = read_ini("production.ini")
    assert ini["app:main"]["exaroutes.webhooks.allow_http"] == "false"
    assert ini["app:main"]["exaroutes.webhooks.allow_private"] == "false"
    defaults = UrlPolicy.from_settings(load_settings({}, environ={}))
    assert (defaults.allow_http, defaults.allow_private) == (False, False)
    development = read_ini("development.ini")
    assert development["app:main"]["exaroutes.webhooks.allow_http"] == "true"
    assert development["app:main"]["exaroutes.webhooks.allow_private"] == "true"


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1/hook", "https://"),
    ("http://169.254.169.254/latest/meta-data/", "https://"),
    ("http://[::1]/hook", "https://"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:10.0.0.1]/hook", "private"),
    ("https://10.20.30.40/hook", "private"),
    ("https://224.0.0.251/hook", "multicast"),
    ("https://240.0.0.1/hook", "reserved"),
    ("https://private.example.test/hook", "10.1.2.3, a private address"),
    ("https://metadata.example.test/hook", "metadata"),
    ("https://partly.example.test/hook", "loopback"),
    ("https://nowhere.invalid/hook", "does not resolve"),
])
def test_production_refuses_internal_targets_at_save(testapp, auth, dns, count_rows, url, reason):
    dns.update({"private.example.test": ["10.1.2.3"], "metadata.example.test": ["169.254.169.254"],
                "partly.example.test": [PUBLIC, "127.0.0.1"]})
    before = count_rows()
    error = testapp.post_json("/api/webhooks", {"url": url}, headers=auth, status=422).json
    assert [e["name"] for e in error["errors"]] == ["url"]
    assert reason in error["errors"][0]["description"]
    assert count_rows() == before


def test_production_accepts_https_to_a_public_address(testapp, auth, dns):
    dns["hooks.example.test"] = [PUBLIC]
    created = testapp.post_json("/api/webhooks", {"url": "https://hooks.example.test/in"}, headers=auth,
                                status=201).json
    assert created["url"] == "https://hooks.example.test/in"
    testapp.put_json(f"/api/webhooks/{created['id']}", {"url": "https://10.0.0.1/"}, headers=auth, status=422)


def test_a_name_that_turns_private_after_the_save_is_refused_at_delivery(app, testapp, auth, dns):
    """DNS rebinding: public when saved, loopback at delivery; the check runs again and nothing is sent."""
    receiver = Receiver()
    try:
        dns["rebind.example.test"] = [PUBLIC]
        endpoint = testapp.post_json("/api/webhooks", {"url": f"https://rebind.example.test:{receiver.port}/hook"},
                                     headers=auth, status=201).json
        dns["rebind.example.test"] = ["127.0.0.1"]
        testapp.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
        assert dispatch(app.registry) == 1
        (log,) = deliveries(testapp, auth, endpoint["id"])
        assert log["status"] == "pending" and log["lastStatusCode"] is None
        assert log["lastError"].startswith("refused: ") and "loopback" in log["lastError"]
        assert receiver.requests == []
    finally:
        receiver.close()
