"""The dashboard's domains page: add, read the TXT record, verify against the suite's DNS server, delete."""
from tests.helpers.dashboard import sign_in
from tests.helpers.domains import add_verified_domain
from tests.helpers.qr_decode import decode_any

HOST = "qr.example.org"


def domains_page(testapp):
    return testapp.get("/dashboard/domains")


def row_of(page, hostname):
    rows = page.html.select(f'tr.domain-row[data-hostname="{hostname}"]')
    assert len(rows) == 1
    return rows[0]


def test_add_verify_and_delete_through_the_page(testapp, api_key, dns_server):
    sign_in(testapp, api_key)
    form = domains_page(testapp).forms["add-domain"]
    form["hostname"] = "QR.example.org"
    page = form.submit().follow()
    assert "publish its TXT record" in page.html.select_one("#notice").text
    row = row_of(page, HOST)
    assert row.select_one(".status").text == "pending"
    name, value = row.select_one(".txt-name").text, row.select_one(".txt-value").text
    assert name == f"_exaroutes.{HOST}" and value.startswith("exaroutes-verify=")

    verify = page.forms[[i for i, f in page.forms.items() if f.action.endswith(f"/{HOST}/verify")][0]]
    refused = verify.submit(status=409)                                 # nothing published yet
    assert "does not exist" in refused.html.select_one("#error-action").text
    assert row_of(refused, HOST).select_one(".status").text == "pending"

    dns_server.publish(name, value)
    page = verify.submit().follow()
    assert row_of(page, HOST).select_one(".status").text == "verified"
    assert not [f for f in page.forms.values() if f.action.endswith("/verify")]

    delete = [f for f in page.forms.values() if f.action.endswith(f"/{HOST}/delete")][0]
    page = delete.submit().follow()
    assert page.html.select_one("#notice").text == "Domain deleted."
    assert not page.html.select("tr.domain-row")


def test_a_bad_hostname_is_shown_on_the_form(testapp, api_key, count_rows):
    sign_in(testapp, api_key)
    before = count_rows()
    form = domains_page(testapp).forms["add-domain"]
    form["hostname"] = "https://qr.example.org/x"
    page = form.submit(status=422)
    assert "without a scheme" in page.html.select_one("#error-hostname").text
    assert page.forms["add-domain"]["hostname"].value == "https://qr.example.org/x"
    assert count_rows() == before


def test_another_workspaces_domain_is_not_shown_or_touched(testapp, api_key, other_auth, dns_server):
    testapp.post_json("/api/domains", {"hostname": HOST}, headers=other_auth)
    sign_in(testapp, api_key)
    page = domains_page(testapp)
    assert not page.html.select("tr.domain-row")
    token = page.forms["add-domain"]["csrf_token"].value
    testapp.post(f"/dashboard/domains/{HOST}/delete", {"csrf_token": token}, status=404)
    testapp.post(f"/dashboard/domains/{HOST}/verify", {"csrf_token": token}, status=404)
    assert testapp.get(f"/api/domains/{HOST}", headers=other_auth).json["status"] == "pending"


def test_forms_need_the_csrf_token(testapp, api_key):
    sign_in(testapp, api_key)
    testapp.post("/dashboard/domains", {"hostname": HOST}, status=400)


def test_signed_out_visitors_are_sent_to_sign_in(testapp):
    assert testapp.get("/dashboard/domains", status=303).location.endswith("/dashboard/signin")


def test_a_code_created_in_the_dashboard_on_a_domain(testapp, api_key, auth, dns_server):
    add_verified_domain(testapp, auth, dns_server, HOST)
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "https://example.com/dash"
    form["domain"] = HOST
    page = form.submit("action", value="create").follow()
    short_id = page.request.path.rsplit("/", 1)[1]
    assert f"https://{HOST}/r/{short_id}" in page.text
    image = testapp.get(f"/api/qr/codes/{short_id}/image", headers=auth)
    assert decode_any(image.body, "image/png") == [f"https://{HOST}/r/{short_id}"]
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "https://example.com/dash"
    form["domain"] = "nope.example.org"
    refused = form.submit("action", value="create", status=422)
    assert "not a verified domain" in refused.html.select_one("#error-domain").text
