"""`/api/webhooks`: the endpoint object, paging, workspace isolation and bad input (DESIGN.md §6)."""
import re

import pytest
from sqlalchemy import select

from exaroutes.models import WebhookEndpoint
from exaroutes.protections.encryption import decrypt_text
from tests.helpers.webhooks import create_code, deliveries, drain, subscribe

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_create_shows_the_secret_once_and_stores_it_encrypted(hooks, auth, receiver, committed, caplog):
    response = hooks.post_json("/api/webhooks", {"url": receiver.url, "events": ["scan.created", "qr.created"],
                                                 "description": "CRM"}, headers=auth, status=201)
    created = response.json
    assert response.headers["Location"].endswith(f"/api/webhooks/{created['id']}")
    assert set(created) == {"id", "url", "events", "description", "status", "createdAt", "updatedAt", "secret"}
    assert created["id"].startswith("wh_") and created["secret"].startswith("whsec_")
    assert (created["url"], created["events"], created["description"], created["status"]) == (
        receiver.url, ["scan.created", "qr.created"], "CRM", "enabled")
    assert TIMESTAMP.match(created["createdAt"]) and created["createdAt"] == created["updatedAt"]
    shown = hooks.get(f"/api/webhooks/{created['id']}", headers=auth).json
    assert shown == {k: v for k, v in created.items() if k != "secret"}
    stored = committed(lambda db: db.scalar(select(WebhookEndpoint.secret)))
    assert created["secret"] not in stored and created["secret"][6:] not in stored
    assert decrypt_text(hooks.registry.settings, stored) == created["secret"]
    assert created["secret"] not in caplog.text


def test_absent_events_mean_all_and_duplicates_collapse(hooks, auth, receiver):
    assert subscribe(hooks, auth, receiver.url)["events"] == []
    assert subscribe(hooks, auth, receiver.url, events=["qr.updated", "qr.updated"])["events"] == ["qr.updated"]


def test_list_pages_newest_first_with_stable_cursors(hooks, auth, receiver):
    made = [subscribe(hooks, auth, f"{receiver.url}/{i}")["id"] for i in range(5)]
    seen, cursor = [], "0"
    while cursor is not None:
        page = hooks.get("/api/webhooks", {"limit": 2, "cursor": cursor}, headers=auth).json
        assert page["pagination"]["total"] == 5 and page["pagination"]["cursor"] == cursor
        assert all("secret" not in item for item in page["data"])
        seen += [item["id"] for item in page["data"]]
        cursor = page["pagination"]["nextCursor"]
    assert sorted(seen) == sorted(made) and len(seen) == 5


def test_update_changes_only_what_is_given(hooks, auth, receiver):
    endpoint = subscribe(hooks, auth, receiver.url, description="first")
    updated = hooks.put_json(f"/api/webhooks/{endpoint['id']}", {"events": ["bulk.completed"], "status": "disabled"},
                             headers=auth).json
    assert (updated["events"], updated["status"], updated["description"], updated["url"]) == (
        ["bulk.completed"], "disabled", "first", receiver.url)
    assert "secret" not in updated


def test_another_workspace_sees_nothing(hooks, auth, other_auth, receiver, count_rows):
    endpoint = subscribe(hooks, auth, receiver.url)
    hooks.post(f"/api/webhooks/{endpoint['id']}/test", headers=auth, status=202)
    drain(hooks.registry["huey"])
    (delivery,) = deliveries(hooks, auth, endpoint["id"])
    base = f"/api/webhooks/{endpoint['id']}"
    hooks.get(base, headers=other_auth, status=404)
    hooks.put_json(base, {"description": "mine now"}, headers=other_auth, status=404)
    hooks.post(f"{base}/rotate-secret", headers=other_auth, status=404)
    hooks.post(f"{base}/test", headers=other_auth, status=404)
    hooks.get(f"{base}/deliveries", headers=other_auth, status=404)
    hooks.post(f"{base}/deliveries/{delivery['id']}/retry", headers=other_auth, status=404)
    hooks.delete(base, headers=other_auth, status=404)
    assert hooks.get("/api/webhooks", headers=other_auth).json["pagination"]["total"] == 0
    # the other workspace's codes never reach this workspace's endpoint
    create_code(hooks, other_auth)
    assert drain(hooks.registry["huey"]) == 0
    assert len(receiver.requests) == 1 and len(deliveries(hooks, auth, endpoint["id"])) == 1
    assert hooks.get(base, headers=auth).json["description"] == ""


def test_a_delivery_of_another_endpoint_is_404(hooks, auth, receiver):
    first, second = subscribe(hooks, auth, receiver.url), subscribe(hooks, auth, receiver.url)
    hooks.post(f"/api/webhooks/{first['id']}/test", headers=auth, status=202)
    (delivery,) = deliveries(hooks, auth, first["id"])
    error = hooks.post(f"/api/webhooks/{second['id']}/deliveries/{delivery['id']}/retry", headers=auth,
                       status=404).json
    assert error["errors"][0]["name"] == "deliveryId"



@pytest.mark.parametrize("bad_id", ["wh_%00x", "wh_%E2%80%AEx", "x" * 5000])
def test_an_id_that_cannot_be_one_is_404_naming_it_on_every_database(hooks, auth, receiver, bad_id):
    """A NUL byte in an endpoint or delivery id was a 500 on PostgreSQL (it refuses NUL in text)."""
    error = hooks.get(f"/api/webhooks/{bad_id}", headers=auth, status=404).json
    assert error["errors"][0]["name"] == "id"
    endpoint = subscribe(hooks, auth, receiver.url)
    error = hooks.post(f"/api/webhooks/{endpoint['id']}/deliveries/dlv_{bad_id}/retry", headers=auth,
                       status=404).json
    assert error["errors"][0]["name"] == "deliveryId"

@pytest.mark.parametrize("body, field", [
    ({}, "url"),
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": 7}, "url"),
    ({"url": "http://user:pw@127.0.0.1/hook"}, "url"),
    ({"url": "http://127.0.0.1/hook", "events": ["scan.created", "scan.deleted"]}, "events[1]"),
    ({"url": "http://127.0.0.1/hook", "events": "scan.created"}, "events"),
    ({"url": "http://127.0.0.1/hook", "description": 12}, "description"),
    ({"url": "http://127.0.0.1/hook", "description": "x" * 501}, "description"),
    ({"url": "http://127.0.0.1/hook", "secret": "whsec_mine"}, "secret"),
])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(hooks, auth, count_rows, body, field):
    before = count_rows()
    error = hooks.post_json("/api/webhooks", body, headers=auth, status=422).json
    assert field in [e["name"] for e in error["errors"]] and error["error"]
    assert count_rows() == before


@pytest.mark.parametrize("body, field", [
    ({"status": "paused"}, "status"),
    ({"events": ["nope"]}, "events[0]"),
    ({"url": "gopher://127.0.0.1/"}, "url"),
    ({"colour": "red"}, "colour"),
])
def test_bad_update_is_422_and_changes_nothing(hooks, auth, receiver, body, field):
    endpoint = subscribe(hooks, auth, receiver.url)
    error = hooks.put_json(f"/api/webhooks/{endpoint['id']}", body, headers=auth, status=422).json
    assert [e["name"] for e in error["errors"]] == [field]
    assert hooks.get(f"/api/webhooks/{endpoint['id']}", headers=auth).json == {
        k: v for k, v in endpoint.items() if k != "secret"}


def test_not_json_is_415_and_bad_json_400(hooks, auth):
    hooks.post("/api/webhooks", "url=x", headers=auth, content_type="application/x-www-form-urlencoded", status=415)
    hooks.post("/api/webhooks", "{", headers=auth, content_type="application/json", status=400)
    hooks.get("/api/webhooks", {"limit": 0}, headers=auth, status=422)
    hooks.get("/api/webhooks", headers={"Authorization": "Bearer exr_live_nope"}, status=401)


def test_every_webhook_route_is_in_the_openapi_document(hooks):
    paths = hooks.get("/api/openapi.json").json["paths"]
    assert {path: sorted(methods) for path, methods in paths.items() if path.startswith("/api/webhooks")} == {
        "/api/webhooks": ["get", "post"],
        "/api/webhooks/{id}": ["delete", "get", "put"],
        "/api/webhooks/{id}/rotate-secret": ["post"],
        "/api/webhooks/{id}/test": ["post"],
        "/api/webhooks/{id}/deliveries": ["get"],
        "/api/webhooks/{id}/deliveries/{deliveryId}/retry": ["post"],
    }
    create = paths["/api/webhooks"]["post"]
    assert "secret" in create["responses"]["201"]["content"]["application/json"]["schema"]["properties"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["required"] == ["url"]
    assert "422" in create["responses"] and create["security"] == [{"bearer": []}]
