"""Tenant isolation: workspace B's key on every endpoint that names workspace A's code or job is a 404,
and A's data is unchanged. Keys: revoked is 401 at once; rotated works for the grace period only.

A's code has limits and a counted scan, and A's bulk job has finished, so every row would leak
something if the workspace check were missing; after each row A still reads the same code, image,
analytics, job, webhook and domains, and still gets its one-shot result. To cover a new endpoint, add a row to
FOREIGN_REQUESTS (method, path template, JSON body or None); a test checks that every documented
operation with an id has one.
"""
import datetime
import json

import pytest

import exaroutes.clock
from exaroutes.auth.keys import rotate_key
from tests.helpers.agents import IPHONE
from tests.helpers.bulk import all_codes, check_archive, drain, url_items
from tests.helpers.domains import add_verified_domain
from tests.helpers.http import assert_error_shape

FOREIGN_REQUESTS = [
    ("GET", "/api/qr/codes/{id}", None),
    ("HEAD", "/api/qr/codes/{id}", None),
    ("PUT", "/api/qr/codes/{id}", {"destination": "https://evil.example/"}),
    ("PUT", "/api/qr/codes/{id}", {"status": "inactive"}),
    ("PUT", "/api/qr/codes/{id}", {"data": "https://evil.example/"}),
    ("PUT", "/api/qr/codes/{id}", {"expiresAt": "2099-01-01T00:00:00Z", "maxScans": 1}),
    ("PUT", "/api/qr/codes/{id}", {"maxScans": None, "expiresAt": None}),
    ("GET", "/api/qr/codes/{id}/image", None),
    ("HEAD", "/api/qr/codes/{id}/image", None),
    ("GET", "/api/qr/codes/{id}/analytics", None),
    ("GET", "/api/qr/codes/{id}/analytics?days=90", None),
    ("HEAD", "/api/qr/codes/{id}/analytics", None),
    ("GET", "/api/qr/codes/bulk/{bulk_id}", None),
    ("HEAD", "/api/qr/codes/bulk/{bulk_id}", None),
    ("GET", "/api/qr/codes/bulk/{bulk_id}/result", None),
    ("HEAD", "/api/qr/codes/bulk/{bulk_id}/result", None),
    ("GET", "/api/webhooks/{webhook_id}", None),
    ("HEAD", "/api/webhooks/{webhook_id}", None),
    ("PUT", "/api/webhooks/{webhook_id}", {"url": "https://evil.example/"}),
    ("PUT", "/api/webhooks/{webhook_id}", {"status": "disabled"}),
    ("DELETE", "/api/webhooks/{webhook_id}", None),
    ("POST", "/api/webhooks/{webhook_id}/rotate-secret", None),
    ("POST", "/api/webhooks/{webhook_id}/test", None),
    ("GET", "/api/webhooks/{webhook_id}/deliveries", None),
    ("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", None),
    ("GET", "/api/domains/{hostname}", None),
    ("HEAD", "/api/domains/{hostname}", None),
    ("POST", "/api/domains/{hostname}/verify", None),
    ("DELETE", "/api/domains/{hostname}", None),
]
#: path parameters as the OpenAPI document names them -> as FOREIGN_REQUESTS does
PARAMETERS = {"{bulkId}": "{bulk_id}", "{deliveryId}": "{delivery_id}"}


@pytest.fixture
def code_of_a(testapp, auth):
    """A's code, with limits set and one counted scan, so analytics has something to leak."""
    code = testapp.post_json("/api/qr/codes", {"data": "https://a.example/", "returnType": "svg",
                                               "expiresAt": "2099-01-01T00:00:00Z", "maxScans": 100},
                             headers=auth).json
    testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, extra_environ={"REMOTE_ADDR": "8.8.8.8"},
                status=302)
    return code


@pytest.fixture
def bulk_id_of_a(testapp, auth, queue):
    """A's bulk job, run to completion: its one-shot result is waiting to be fetched."""
    bulk_id = testapp.post_json("/api/qr/codes/bulk", url_items(2), headers=auth, status=202).json["bulkId"]
    drain(queue)
    return bulk_id


@pytest.fixture
def webhook_of_a(app, testapp, auth, monkeypatch):
    """(endpoint id, delivery id) of A: an https endpoint on a public address, with one pending delivery."""
    monkeypatch.setattr(app.registry["webhooks.url_policy"], "resolve", lambda host, port: ["93.184.215.14"])
    endpoint = testapp.post_json("/api/webhooks", {"url": "https://hooks.a.example/in"}, headers=auth).json
    testapp.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    (delivery,) = testapp.get(f"/api/webhooks/{endpoint['id']}/deliveries", headers=auth).json["data"]
    return endpoint["id"], delivery["id"]


@pytest.fixture
def domain_of_a(testapp, auth, dns_server):
    """A's custom domain, verified against the suite's DNS server."""
    return add_verified_domain(testapp, auth, dns_server, "qr.a.example")["hostname"]


def state_of_a(testapp, auth, code_id, bulk_id, webhook_id):
    """Everything A can read about its code, job and webhook (the image as bytes)."""
    code_path = f"/api/qr/codes/{code_id}"
    return {"code": testapp.get(code_path, headers=auth).json,
            "image": testapp.get(f"{code_path}/image", headers=auth).body,
            "analytics": testapp.get(f"{code_path}/analytics?days=90", headers=auth).json,
            "job": testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json,
            "webhook": testapp.get(f"/api/webhooks/{webhook_id}", headers=auth).json,
            "deliveries": testapp.get(f"/api/webhooks/{webhook_id}/deliveries", headers=auth).json,
            "domains": testapp.get("/api/domains", headers=auth).json}


@pytest.mark.parametrize("method,template,body", FOREIGN_REQUESTS)
def test_workspace_b_sees_nothing_of_workspace_a(testapp, auth, other_auth, code_of_a, bulk_id_of_a, webhook_of_a,
                                                 domain_of_a, count_rows, method, template, body):
    webhook_id, delivery_id = webhook_of_a
    # state_of_a reads the analytics, which fold pending scans: count the rows after it
    a_before = state_of_a(testapp, auth, code_of_a["id"], bulk_id_of_a, webhook_id)
    before = count_rows()
    assert a_before["analytics"]["totalScans"] == 1 and a_before["job"]["resultAvailable"] is True
    path = template.format(id=code_of_a["id"], bulk_id=bulk_id_of_a, webhook_id=webhook_id, delivery_id=delivery_id,
                           hostname=domain_of_a)
    response = testapp.request(path, method=method, headers={**other_auth, "Content-Type": "application/json"},
                               body=b"" if body is None else json.dumps(body).encode(),
                               expect_errors=True)
    assert response.status_int == 404
    if method != "HEAD":
        assert_error_shape(response)
    assert count_rows() == before
    assert state_of_a(testapp, auth, code_of_a["id"], bulk_id_of_a, webhook_id) == a_before
    result = testapp.get(f"/api/qr/codes/bulk/{bulk_id_of_a}/result", headers=auth, status=200)
    check_archive(result.body, [item["data"] for item in url_items(2)], all_codes(testapp, auth))


def test_the_matrix_names_every_operation_that_takes_an_id(testapp):
    """A new endpoint with an id in its path must get its rows here."""
    def ours(path):
        for name, ours_name in PARAMETERS.items():
            path = path.replace(name, ours_name)
        return path.replace("{id}", "{webhook_id}") if path.startswith("/api/webhooks/") else path

    documented = {(method.upper(), ours(path))
                  for path, item in testapp.get("/api/openapi.json").json["paths"].items()
                  for method in item if "{" in path}
    assert documented <= {(method, template.split("?")[0]) for method, template, _ in FOREIGN_REQUESTS}


def test_a_code_of_a_reads_to_b_like_a_code_that_does_not_exist(testapp, other_auth, code_of_a):
    """B's 404 for A's code is, word for word, the 404 for an id nobody has: it does not tell B the id is taken."""
    missing = testapp.get("/api/qr/codes/ZZZZZZZZ", headers=other_auth, status=404).json
    foreign = testapp.get(f"/api/qr/codes/{code_of_a['id']}", headers=other_auth, status=404).json
    assert foreign["error"].replace(code_of_a["id"], "ZZZZZZZZ") == missing["error"]


def test_workspace_b_lists_none_of_a_codes(testapp, other_auth, code_of_a):
    listing = testapp.get("/api/qr/codes", headers=other_auth).json
    assert listing["data"] == [] and listing["pagination"]["total"] == 0


def test_a_scan_of_a_code_still_works_for_anyone(testapp, code_of_a):
    assert testapp.get(f"/r/{code_of_a['id']}", status=302).headers["Location"] == "https://a.example/"


def test_a_rotated_key_works_for_the_grace_period_then_401(testapp, api_key, committed, monkeypatch):
    start = datetime.datetime(2026, 5, 21, 12, 0, 0)
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start)
    new_key, _ = committed(lambda db: rotate_key(db, api_key[:17], grace=datetime.timedelta(hours=24)))
    old, new = {"Authorization": f"Bearer {api_key}"}, {"Authorization": f"Bearer {new_key}"}
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start + datetime.timedelta(hours=23, minutes=59))
    testapp.get("/api/qr/codes", headers=old, status=200)
    testapp.get("/api/qr/codes", headers=new, status=200)
    monkeypatch.setattr(exaroutes.clock, "source", lambda: start + datetime.timedelta(hours=24))
    response = testapp.get("/api/qr/codes", headers=old, status=401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="exaroutes"'
    testapp.get("/api/qr/codes", headers=new, status=200)
