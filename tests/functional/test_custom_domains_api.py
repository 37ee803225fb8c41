"""`/api/domains` (DESIGN.md §8): add, verify against the suite's real DNS server, list, get, delete;
one verified owner per hostname across workspaces. On every backend."""
import re

import pytest

from tests.helpers.domains import add_domain, add_verified_domain, publish
from tests.helpers.http import assert_error_shape

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HOST = "qr.example.org"


def verify(testapp, auth, hostname, status=200):
    return testapp.post(f"/api/domains/{hostname}/verify", headers=auth, status=status)


def test_create_answers_pending_with_the_txt_record_to_publish(testapp, auth):
    response = add_domain(testapp, auth, "QR.Example.org")
    domain = response.json
    assert domain["hostname"] == HOST and domain["unicodeHostname"] == HOST
    assert domain["status"] == "pending" and domain["verifiedAt"] is None
    assert TIMESTAMP.match(domain["createdAt"])
    record = domain["verification"]
    assert record["type"] == "TXT" and record["name"] == f"_exaroutes.{HOST}"
    assert re.fullmatch(r"exaroutes-verify=[A-Za-z0-9_-]{32}", record["value"])
    assert response.headers["Location"] == f"http://localhost/api/domains/{HOST}"
    assert testapp.get(response.headers["Location"], headers=auth).json == domain


def test_tokens_differ_per_claim(testapp, auth, other_auth):
    first = add_domain(testapp, auth, HOST).json["verification"]["value"]
    second = add_domain(testapp, other_auth, HOST).json["verification"]["value"]
    third = add_domain(testapp, auth, "qr2.example.org").json["verification"]["value"]
    assert len({first, second, third}) == 3


def test_verify_with_the_right_record(testapp, auth, dns_server):
    domain = add_domain(testapp, auth, HOST).json
    publish(dns_server, domain)
    verified = verify(testapp, auth, HOST).json
    assert verified["status"] == "verified" and TIMESTAMP.match(verified["verifiedAt"])
    assert verified["verification"] == domain["verification"]
    assert testapp.get(f"/api/domains/{HOST}", headers=auth).json == verified
    # Verified stays verified: a second call answers 200 without asking DNS again.
    dns_server.withdraw(domain["verification"]["name"])
    asked = len(dns_server.resolver.queries)
    assert verify(testapp, auth, HOST).json == verified
    assert len(dns_server.resolver.queries) == asked


def test_verify_with_a_wrong_value_says_what_was_found(testapp, auth, dns_server):
    add_domain(testapp, auth, HOST)
    dns_server.publish(f"_exaroutes.{HOST}", "exaroutes-verify=not-mine")
    body = assert_error_shape(verify(testapp, auth, HOST, status=409))
    assert "does not match" in body["error"] and "'exaroutes-verify=not-mine'" in body["error"]
    assert testapp.get(f"/api/domains/{HOST}", headers=auth).json["status"] == "pending"


def test_verify_without_a_record_then_with_one_published_later(testapp, auth, dns_server):
    domain = add_domain(testapp, auth, HOST).json
    body = assert_error_shape(verify(testapp, auth, HOST, status=409))
    assert f"_exaroutes.{HOST} does not exist" in body["error"]
    assert testapp.get(f"/api/domains/{HOST}", headers=auth).json["status"] == "pending"
    publish(dns_server, domain)
    assert verify(testapp, auth, HOST).json["status"] == "verified"


def test_one_verified_owner_per_hostname(testapp, auth, other_auth, dns_server):
    mine = add_domain(testapp, auth, HOST).json
    theirs = add_domain(testapp, other_auth, HOST).json    # a pending claim proves nothing: allowed
    publish(dns_server, mine)
    publish(dns_server, theirs)                            # even with their own record published ...
    verify(testapp, auth, HOST)
    body = assert_error_shape(verify(testapp, other_auth, HOST, status=409))   # ... the first owner keeps it
    assert "verified by another workspace" in body["error"]
    assert testapp.get(f"/api/domains/{HOST}", headers=other_auth).json["status"] == "pending"
    body = assert_error_shape(add_domain(testapp, other_auth, HOST, status=409))
    assert "verified by another workspace" in body["error"]
    add_domain(testapp, other_auth, "other.example.org")   # other names stay open to them


def test_the_same_hostname_twice_in_a_workspace_is_409(testapp, auth, count_rows):
    add_domain(testapp, auth, HOST)
    before = count_rows()
    assert_error_shape(add_domain(testapp, auth, "qr.EXAMPLE.org.", status=409))
    assert count_rows() == before


def test_another_workspaces_domain_is_404(testapp, auth, other_auth, dns_server):
    add_verified_domain(testapp, auth, dns_server, HOST)
    for method, path in (("get", f"/api/domains/{HOST}"), ("post", f"/api/domains/{HOST}/verify"),
                         ("delete", f"/api/domains/{HOST}")):
        body = assert_error_shape(getattr(testapp, method)(path, headers=other_auth, status=404))
        assert body["errors"][0]["name"] == "hostname"
    assert testapp.get("/api/domains", headers=other_auth).json["data"] == []
    assert testapp.get(f"/api/domains/{HOST}", headers=auth).json["status"] == "verified"


def test_unicode_hostnames_are_one_domain_in_either_form(testapp, auth):
    domain = add_domain(testapp, auth, "Bücher.example").json
    assert domain["hostname"] == "xn--bcher-kva.example" and domain["unicodeHostname"] == "bücher.example"
    assert testapp.get("/api/domains/b%C3%BCcher.example", headers=auth).json == domain
    assert testapp.get("/api/domains/xn--bcher-kva.example", headers=auth).json == domain
    add_domain(testapp, auth, "xn--bcher-kva.example", status=409)


@pytest.mark.parametrize("hostname", [
    "https://qr.example.org", "qr.example.org:443", "qr.example.org/r", "192.0.2.7", "::1", "localhost",
    "a_b.example.org", "", "x" * 400, "qr.example.test", "s.qr.example.test",   # the redirect base's host
])
def test_bad_hostnames_are_422_naming_hostname(testapp, auth, count_rows, hostname):
    before = count_rows()
    body = assert_error_shape(add_domain(testapp, auth, hostname, status=422))
    assert [e["name"] for e in body["errors"]] == ["hostname"] and body["errors"][0]["location"] == "body"
    assert count_rows() == before


@pytest.mark.parametrize("body, name", [({}, "hostname"), ({"hostname": 7}, "hostname"),
                                        ({"hostname": None}, "hostname"),
                                        ({"hostname": HOST, "hostnme": HOST}, "hostnme")])
def test_bad_bodies_are_422_naming_the_field(testapp, auth, body, name):
    response = testapp.post_json("/api/domains", body, headers=auth, status=422)
    assert name in [e["name"] for e in assert_error_shape(response)["errors"]]


def test_body_must_be_a_json_object(testapp, auth):
    assert_error_shape(testapp.post("/api/domains", "[1]", headers={**auth, "Content-Type": "application/json"},
                                    status=400))
    assert_error_shape(testapp.post("/api/domains", "hostname=x", headers=auth, status=415))


def test_keys_are_required(testapp):
    assert testapp.get("/api/domains", status=401).headers["WWW-Authenticate"] == 'Bearer realm="exaroutes"'
    testapp.post_json("/api/domains", {"hostname": HOST}, status=401)
    testapp.post(f"/api/domains/{HOST}/verify", status=401)


def test_list_pages_newest_first_like_codes(testapp, auth, other_auth, dns_server):
    names = [f"n{i}.example.org" for i in range(5)]
    for name in names:
        add_domain(testapp, auth, name)
    add_domain(testapp, other_auth, "theirs.example.org")
    add_verified_domain(testapp, auth, dns_server, "v.example.org")
    seen, cursor = [], "0"
    while True:
        page = testapp.get("/api/domains", {"limit": 2, "cursor": cursor}, headers=auth).json
        assert page["pagination"]["total"] == 6 and page["pagination"]["limit"] == 2
        assert page["pagination"]["cursor"] == cursor
        seen += [d["hostname"] for d in page["data"]]
        cursor = page["pagination"]["nextCursor"]
        if cursor is None:
            break
    assert seen == ["v.example.org", *reversed(names)]
    verified = testapp.get("/api/domains", {"status": "verified"}, headers=auth).json
    assert [d["hostname"] for d in verified["data"]] == ["v.example.org"] and verified["pagination"]["total"] == 1
    pending = testapp.get("/api/domains", {"status": "pending"}, headers=auth).json
    assert pending["pagination"]["total"] == 5


@pytest.mark.parametrize("query, name", [({"limit": 0}, "limit"), ({"limit": "x"}, "limit"),
                                         ({"cursor": "garbage!"}, "cursor"), ({"status": "gone"}, "status"),
                                         ({"type": "url"}, "type")])
def test_bad_list_queries_are_422(testapp, auth, query, name):
    body = assert_error_shape(testapp.get("/api/domains", query, headers=auth, status=422))
    assert body["errors"][0]["name"] == name


def test_delete_an_unused_domain(testapp, auth, dns_server):
    add_domain(testapp, auth, "pending.example.org")
    add_verified_domain(testapp, auth, dns_server, HOST)
    for name in ("pending.example.org", HOST):
        response = testapp.delete(f"/api/domains/{name}", headers=auth, status=204)
        assert response.body == b""
        testapp.get(f"/api/domains/{name}", headers=auth, status=404)
    testapp.delete(f"/api/domains/{HOST}", headers=auth, status=404)


def test_a_deleted_verified_domain_can_be_verified_by_another_workspace(testapp, auth, other_auth, dns_server):
    add_verified_domain(testapp, auth, dns_server, HOST)
    testapp.delete(f"/api/domains/{HOST}", headers=auth, status=204)
    dns_server.clear()
    assert add_verified_domain(testapp, other_auth, dns_server, HOST)["status"] == "verified"


def test_allowed_answers_the_tls_proxy_without_a_key(testapp, auth, dns_server):
    domain = add_domain(testapp, auth, HOST).json
    assert_error_shape(testapp.get("/internal/domains/allowed", {"domain": HOST}, status=404))
    publish(dns_server, domain)
    verify(testapp, auth, HOST)
    response = testapp.get("/internal/domains/allowed", {"domain": HOST})
    assert response.json == {"domain": HOST, "allowed": True}
    assert testapp.get("/internal/domains/allowed", {"domain": "QR.example.org."}).status_code == 200
    for name in ("other.example.org", "qr.example.test", "not a host", "192.0.2.1"):
        testapp.get("/internal/domains/allowed", {"domain": name}, status=404)
    body = assert_error_shape(testapp.get("/internal/domains/allowed", status=422))
    assert body["errors"][0]["name"] == "domain"
    body = assert_error_shape(testapp.get("/internal/domains/allowed", {"domain": HOST, "x": "1"}, status=422))
    assert body["errors"][0]["name"] == "x"
    testapp.delete(f"/api/domains/{HOST}", headers=auth, status=204)
    testapp.get("/internal/domains/allowed", {"domain": HOST}, status=404)   # forgotten at once in-process


def test_a_verification_race_is_decided_by_the_database(testapp, auth, other_auth, dns_server, monkeypatch):
    """Two workspaces verifying at once both pass the read check; the partial unique index lets one win."""
    from exaroutes.domains import service

    mine = add_domain(testapp, auth, HOST).json
    theirs = add_domain(testapp, other_auth, HOST).json
    publish(dns_server, mine)
    publish(dns_server, theirs)
    verify(testapp, auth, HOST)
    monkeypatch.setattr(service, "verified_elsewhere", lambda *args: False)    # as if read before our commit
    body = assert_error_shape(verify(testapp, other_auth, HOST, status=409))
    assert "verified by another workspace" in body["error"]
    assert testapp.get(f"/api/domains/{HOST}", headers=other_auth).json["status"] == "pending"
