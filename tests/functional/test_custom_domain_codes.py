"""Codes printed on a custom domain (DESIGN.md §8): the URL and image, bulk items, the redirect's
Host rule both ways, and a domain that cannot be deleted while codes use it. On every backend."""
import pytest
import webtest
from sqlalchemy import event

from exaroutes import main
from exaroutes.testing import REDIRECT_BASE
from tests.helpers.bulk import all_codes, check_archive, drain
from tests.helpers.domains import add_domain, add_verified_domain
from tests.helpers.http import assert_error_shape
from tests.helpers.qr_decode import decode_any

HOST = "qr.example.org"
BASE_HOST = REDIRECT_BASE.split("://")[1]          # qr.example.test
SCHEME = REDIRECT_BASE.split("://")[0]             # https


def create(testapp, auth, status=201, **body):
    body.setdefault("data", "https://example.com/spring")
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=status)


def scan(testapp, short_id, host, status):
    return testapp.get(f"/r/{short_id}", extra_environ={"HTTP_HOST": host}, status=status)


@pytest.fixture
def domain(testapp, auth, dns_server):
    return add_verified_domain(testapp, auth, dns_server, HOST)


def test_redirect_url_and_image_use_the_domain(testapp, auth, domain):
    for return_type, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        code = create(testapp, auth, domain="QR.Example.org", returnType=return_type).json
        assert code["redirectUrl"] == f"{SCHEME}://{HOST}/r/{code['id']}"
        assert code["domain"] == HOST
        image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
        assert decode_any(image.body, media_type) == [code["redirectUrl"]]
        assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code
    plain = create(testapp, auth).json
    assert plain["redirectUrl"] == f"{REDIRECT_BASE}/r/{plain['id']}" and plain["domain"] is None


def test_the_domain_never_changes(testapp, auth, domain):
    code = create(testapp, auth, domain=HOST).json
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    updated = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "https://example.com/autumn"},
                               headers=auth).json
    assert updated["redirectUrl"] == code["redirectUrl"] and updated["domain"] == HOST
    assert testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body == image
    body = assert_error_shape(testapp.put_json(f"/api/qr/codes/{code['id']}", {"domain": "x.example.org"},
                                               headers=auth, status=422))
    assert body["errors"][0]["name"] == "domain"


@pytest.mark.parametrize("value, reason", [
    ("pending.example.org", "not a verified domain"), ("unknown.example.org", "not a verified domain"),
    ("theirs.example.org", "not a verified domain"), ("https://qr.example.org", "scheme"),
    (7, "string"), ("", "empty"),
])
def test_domain_must_be_a_verified_domain_of_the_workspace(testapp, auth, other_auth, dns_server, count_rows,
                                                           domain, value, reason):
    add_domain(testapp, auth, "pending.example.org")
    add_verified_domain(testapp, other_auth, dns_server, "theirs.example.org")
    before = count_rows()
    body = assert_error_shape(create(testapp, auth, status=422, domain=value))
    assert body["errors"][0]["name"] == "domain" and body["errors"][0]["location"] == "body"
    assert reason in body["errors"][0]["description"]
    assert count_rows() == before


def test_a_custom_domain_serves_only_its_own_codes(testapp, auth, domain):
    mine = create(testapp, auth, domain=HOST).json["id"]
    plain = create(testapp, auth).json["id"]
    assert scan(testapp, mine, HOST, 302).location == "https://example.com/spring"
    assert scan(testapp, mine, "QR.example.ORG.:443", 302).location == "https://example.com/spring"
    for host in (BASE_HOST, "localhost", "other.example.org", ""):
        assert "Unknown QR code" in scan(testapp, mine, host, 404).text
    scan(testapp, plain, HOST, 404)                   # the customer's host serves no one else's codes
    assert scan(testapp, plain, BASE_HOST, 302).location == "https://example.com/spring"
    assert scan(testapp, plain, "localhost", 302).location == "https://example.com/spring"
    assert testapp.head(f"/r/{mine}", extra_environ={"HTTP_HOST": "localhost"}, status=404)


def test_scans_are_counted_only_where_the_code_answers(testapp, auth, domain):
    mine = create(testapp, auth, domain=HOST).json["id"]
    scan(testapp, mine, HOST, 302)
    scan(testapp, mine, BASE_HOST, 404)
    scan(testapp, mine, "localhost", 404)
    assert testapp.get(f"/api/qr/codes/{mine}/analytics", headers=auth).json["totalScans"] == 1


def test_a_host_that_becomes_verified_stops_serving_other_codes(testapp, auth, dns_server):
    plain = create(testapp, auth).json["id"]
    scan(testapp, plain, HOST, 302)                   # not anybody's domain yet: any host will do
    add_verified_domain(testapp, auth, dns_server, HOST)
    scan(testapp, plain, HOST, 404)                   # this process forgot its cached answer at once
    testapp.delete(f"/api/domains/{HOST}", headers=auth, status=204)
    scan(testapp, plain, HOST, 302)


def test_other_routes_under_r_follow_the_host_rule(testapp, auth, domain):
    card = create(testapp, auth, domain=HOST, dataType="vcard",
                  data={"firstName": "Ada", "lastName": "Lovelace"}).json["id"]
    page = scan(testapp, card, HOST, 200)
    assert "Ada" in page.text
    testapp.get(f"/r/{card}/contact.vcf", extra_environ={"HTTP_HOST": HOST}, status=200)
    testapp.get(f"/r/{card}/contact.vcf", extra_environ={"HTTP_HOST": BASE_HOST}, status=404)


def test_the_host_decision_costs_no_query(dbengine, app_settings, auth, dns_server):
    """The code cache holds the code's domain: warm scans decide the host without reading `domains`
    (an app whose caches outlive the test, so a slow machine cannot make it flaky)."""
    settings = {**app_settings, "exaroutes.scan.code_cache_seconds": "600"}
    testapp = webtest.TestApp(main({}, dbengine=dbengine, **settings),
                              extra_environ={"HTTP_HOST": "localhost"})
    add_verified_domain(testapp, auth, dns_server, HOST)
    mine = create(testapp, auth, domain=HOST).json["id"]
    plain = create(testapp, auth).json["id"]
    rounds = ((mine, HOST, 302), (mine, BASE_HOST, 404), (plain, BASE_HOST, 302), (plain, HOST, 404))
    for short_id, host, status in rounds:            # warm the caches
        scan(testapp, short_id, host, status)
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    fresh = create(testapp, auth, domain=HOST).json["id"]
    event.listen(dbengine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            for short_id, host, status in rounds:
                scan(testapp, short_id, host, status)
        assert not [s for s in statements if "domains" in s or "FROM qr_codes" in s]
        scan(testapp, fresh, HOST, 302)     # the control: a code not cached yet is read, and the listener sees it
        assert [s for s in statements if "FROM qr_codes" in s]
        assert not [s for s in statements if "domains" in s]
    finally:
        event.remove(dbengine, "before_cursor_execute", seen)


def test_cross_workspace_domains_never_mix(testapp, auth, other_auth, dns_server, domain):
    theirs_domain = add_verified_domain(testapp, other_auth, dns_server, "go.globex.example")["hostname"]
    theirs = create(testapp, other_auth, domain=theirs_domain).json
    mine = create(testapp, auth, domain=HOST).json
    scan(testapp, theirs["id"], HOST, 404)
    scan(testapp, mine["id"], theirs_domain, 404)
    scan(testapp, theirs["id"], theirs_domain, 302)
    testapp.get(f"/api/qr/codes/{theirs['id']}", headers=auth, status=404)
    testapp.delete(f"/api/domains/{theirs_domain}", headers=auth, status=404)


def test_a_domain_in_use_cannot_be_deleted(testapp, auth, domain, count_rows):
    code = create(testapp, auth, domain=HOST).json
    before = count_rows()
    body = assert_error_shape(testapp.delete(f"/api/domains/{HOST}", headers=auth, status=409))
    assert "1 code(s) are printed on qr.example.org" in body["error"]
    assert count_rows() == before
    assert testapp.get(f"/api/domains/{HOST}", headers=auth).json["status"] == "verified"
    scan(testapp, code["id"], HOST, 302)


def test_a_code_created_meanwhile_keeps_the_domain(testapp, auth, domain, monkeypatch, count_rows):
    """The count and the DELETE race with a new code: the foreign key refuses the delete all the same."""
    from exaroutes.domains import service

    create(testapp, auth, domain=HOST)
    monkeypatch.setattr(service, "codes_on", lambda *args: 0)      # as if counted before the code's commit
    before = count_rows()
    assert_error_shape(testapp.delete(f"/api/domains/{HOST}", headers=auth, status=409))
    assert count_rows() == before


def test_bulk_items_may_name_the_domain(testapp, auth, domain, queue):
    items = [{"data": "https://example.com/a", "domain": HOST}, {"data": "https://example.com/b"},
             {"data": "https://example.com/c", "domain": HOST, "returnType": "svg"}]
    bulk_id = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]
    assert drain(queue) == 1
    result = testapp.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth)
    codes = check_archive(result.body, [i["data"] for i in items], all_codes(testapp, auth))
    assert [c["redirectUrl"] for c in codes] == [f"{SCHEME}://{HOST}/r/{codes[0]['id']}",
                                                f"{REDIRECT_BASE}/r/{codes[1]['id']}",
                                                f"{SCHEME}://{HOST}/r/{codes[2]['id']}"]
    scan(testapp, codes[0]["id"], HOST, 302)
    scan(testapp, codes[1]["id"], HOST, 404)


def test_a_bulk_item_with_a_bad_domain_is_422_naming_it(testapp, auth, domain, queue, count_rows):
    add_domain(testapp, auth, "pending.example.org")
    items = [{"data": "https://example.com/a", "domain": HOST},
             {"data": "https://example.com/b", "domain": "pending.example.org"},
             {"data": "https://example.com/c", "domain": "nope.example.org"}]
    before = count_rows()
    body = assert_error_shape(testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=422))
    assert [e["name"] for e in body["errors"]] == ["[1].domain", "[2].domain"]
    assert count_rows() == before and queue.pending_count() == 0


def test_a_domain_deleted_while_a_job_waits_fails_those_items(testapp, auth, domain, queue):
    """The job was accepted with a verified domain; deleted before the worker ran, its items fail
    with a reason instead of the job crashing (codes are never made on a host nobody holds)."""
    items = [{"data": "https://example.com/a", "domain": HOST}, {"data": "https://example.com/b"}]
    bulk_id = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]
    testapp.delete(f"/api/domains/{HOST}", headers=auth, status=204)
    drain(queue)
    status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (status["status"], status["succeeded"], status["failed"]) == ("completed", 1, 1)
