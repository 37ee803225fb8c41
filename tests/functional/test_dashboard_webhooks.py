"""The dashboard's Webhooks page: add (secret shown once), events, status, the delivery log, retry, test."""
from bs4 import BeautifulSoup

from tests.helpers.dashboard import sign_in
from tests.helpers.webhook_receiver import verified
from tests.helpers.webhooks import drain


def add(client, url, events=(), description=""):
    form = client.get("/dashboard/webhooks").forms["add-webhook"]
    form["url"] = url
    form["description"] = description
    for box in form.fields["events"]:
        box.checked = box._value in events
    return form.submit(expect_errors=True)


def test_add_shows_the_secret_once_and_the_log_shows_a_verified_test(hooks, api_key, auth, receiver):
    sign_in(hooks, api_key)
    page = add(hooks, receiver.url, events=["webhook.test", "qr.created"], description="CRM")
    assert page.status_int == 200
    secret = page.html.find(id="secret-value").text.strip()
    assert secret.startswith("whsec_")
    endpoint_id = page.html.find("h1").find(class_="mono").text
    (listed,) = hooks.get("/api/webhooks", headers=auth).json["data"]
    assert listed["id"] == endpoint_id and listed["events"] == ["qr.created", "webhook.test"]   # form order
    detail = hooks.get(f"/dashboard/webhooks/{endpoint_id}")
    assert secret not in detail.text and detail.html.find(id="webhook-secret") is None
    assert "qr.created, webhook.test" in detail.html.find(id="webhook-events").text

    detail.forms["webhook-test"].submit().follow()
    drain(hooks.registry["huey"])
    (received,) = receiver.wait_for(1)
    assert verified(secret, received)["type"] == "webhook.test"
    row = hooks.get(f"/dashboard/webhooks/{endpoint_id}").html.select_one("tr.delivery-row")
    assert row["data-status"] == "succeeded" and "webhook.test" in row.text


def test_retry_toggle_rotate_and_delete(hooks, api_key, auth, receiver):
    sign_in(hooks, api_key)
    page = add(hooks, receiver.url)
    endpoint_id = page.html.find("h1").find(class_="mono").text
    receiver.respond_with(500)
    detail = hooks.get(f"/dashboard/webhooks/{endpoint_id}")
    detail.forms["webhook-test"].submit()
    drain(hooks.registry["huey"])
    detail = hooks.get(f"/dashboard/webhooks/{endpoint_id}")
    row = detail.html.select_one("tr.delivery-row")
    assert row["data-status"] == "pending" and "500" in row.text
    retry = [f for f in detail.forms.values() if f.action.endswith("/retry")][0]
    retry.submit().follow()
    drain(hooks.registry["huey"])
    assert hooks.get(f"/dashboard/webhooks/{endpoint_id}").html.select_one("tr.delivery-row")["data-status"] == (
        "succeeded")

    detail = hooks.get(f"/dashboard/webhooks/{endpoint_id}").forms["webhook-toggle"].submit().follow()
    assert detail.html.find(id="webhook-status").text == "disabled" and "webhook-test" not in detail.forms
    rotated = detail.forms["webhook-rotate"].submit()
    assert rotated.html.find(id="secret-value").text.startswith("whsec_")
    rotated.forms["webhook-delete"].submit().follow()
    assert hooks.get("/api/webhooks", headers=auth).json["data"] == []


def test_a_bad_url_is_shown_with_its_error_and_nothing_is_stored(hooks, api_key, auth, count_rows):
    sign_in(hooks, api_key)
    before = count_rows()
    page = add(hooks, "ftp://example.com/in")
    assert page.status_int == 422 and "http://" in page.html.find(id="error-url").text
    assert page.forms["add-webhook"]["url"].value == "ftp://example.com/in"
    assert count_rows() == before


def test_another_workspace_cannot_see_an_endpoint(hooks, api_key, other_api_key, receiver):
    sign_in(hooks, api_key)
    endpoint_id = add(hooks, receiver.url).html.find("h1").find(class_="mono").text
    other = hooks.__class__(hooks.app, extra_environ={"HTTP_HOST": "localhost"})
    sign_in(other, other_api_key)
    other.get(f"/dashboard/webhooks/{endpoint_id}", status=404)
    assert "webhook-row" not in other.get("/dashboard/webhooks").text
    assert BeautifulSoup(hooks.get("/dashboard/webhooks").text, "html.parser").select("tr.webhook-row")
