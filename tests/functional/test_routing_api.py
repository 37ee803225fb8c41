"""`rules` and `variants` through the API (DESIGN.md §7): create, bulk items, PUT, the code object,
the OpenAPI document, strict 422s naming the place, 404 across workspaces and 409 for protected codes."""
import pytest

from exaroutes.protections.locks import lock_code
from tests.helpers.bulk import all_codes, drain
from tests.helpers.routing_examples import RULES, VARIANTS

pytestmark = pytest.mark.usefixtures("quick_password_hashes")


def create(testapp, auth, status=201, **body):
    body.setdefault("data", "https://example.com/spring")
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=status)


def error_names(response):
    return [error["name"] for error in response.json["errors"]]


def test_the_design_example_is_stored_and_echoed(testapp, auth):
    created = create(testapp, auth, rules=RULES, variants=VARIANTS).json
    assert created["rules"] == RULES and created["variants"] == VARIANTS
    assert testapp.get(f"/api/qr/codes/{created['id']}", headers=auth).json["rules"] == RULES
    listed = testapp.get("/api/qr/codes", headers=auth).json["data"][0]
    assert listed["rules"] == RULES and listed["variants"] == VARIANTS


def test_codes_without_routing_echo_empty_lists(testapp, auth):
    plain = create(testapp, auth).json
    assert plain["rules"] == [] and plain["variants"] == []
    text = create(testapp, auth, data="hello", dataType="text").json
    assert text["rules"] == [] and text["variants"] == []


def test_put_replaces_and_empty_lists_remove(testapp, auth):
    code = create(testapp, auth, rules=RULES, variants=VARIANTS).json
    path = f"/api/qr/codes/{code['id']}"
    only_ios = [RULES[0]]
    updated = testapp.put_json(path, {"rules": only_ios}, headers=auth).json
    assert updated["rules"] == only_ios and updated["variants"] == VARIANTS    # variants untouched
    winner = testapp.put_json(path, {"variants": [{"name": "B", "destination": "https://example.com/b"}]},
                              headers=auth).json
    assert winner["variants"] == [{"name": "B", "destination": "https://example.com/b", "weight": 1}]
    cleared = testapp.put_json(path, {"rules": [], "variants": []}, headers=auth).json
    assert cleared["rules"] == [] and cleared["variants"] == []
    assert testapp.get(path, headers=auth).json == cleared
    assert cleared["destination"] == "https://example.com/spring"


@pytest.mark.parametrize("body, name", [
    ({"rules": [RULES[0], {"when": {"country": ["DE", "Deutschland"]}, "destination": "https://x.test/"}]},
     "rules[1].when.country[1]"),
    ({"rules": [{"when": {"country": ["de"]}, "destination": "https://x.test/"}]}, "rules[0].when.country[0]"),
    ({"rules": [{"when": {"os": "iOS"}, "destination": "https://x.test/"}]}, "rules[0].when.os"),
    ({"rules": [{"when": {"time": {"from": "25:00", "to": "02:00", "timezone": "UTC"}},
                 "destination": "https://x.test/"}]}, "rules[0].when.time.from"),
    ({"rules": [{"when": {"time": {"days": ["fri"], "timezone": "Europe/Bärlin"}},
                 "destination": "https://x.test/"}]}, "rules[0].when.time.timezone"),
    ({"rules": [{"when": {}, "destination": "https://x.test/"}]}, "rules[0].when"),
    ({"rules": [{"when": {"os": ["iOS"]}, "destination": "javascript:alert(1)"}]}, "rules[0].destination"),
    ({"rules": [RULES[0]] * 21}, "rules"),
    ({"variants": [{"name": f"V{i}", "destination": "https://x.test/"} for i in range(11)]}, "variants"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": 1.5}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": 1001}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/"}, {"name": "A", "destination": "https://y.test/"}]},
     "variants[1].name"),
    ({"variants": {"A": "https://x.test/"}}, "variants"),
])
def test_bad_shapes_are_422_naming_the_place_and_store_nothing(testapp, auth, count_rows, body, name):
    before = count_rows()
    response = create(testapp, auth, status=422, **body)
    assert name in error_names(response)
    assert count_rows() == before
    code = create(testapp, auth).json
    response = testapp.put_json(f"/api/qr/codes/{code['id']}", body, headers=auth, status=422)
    assert name in error_names(response)
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code


def test_only_url_codes_route(testapp, auth, count_rows):
    before = count_rows()
    response = create(testapp, auth, status=422, data="+4930123456", dataType="phone", rules=RULES)
    assert error_names(response) == ["rules"]
    response = create(testapp, auth, status=422, data="hello", dataType="text", variants=VARIANTS)
    assert error_names(response) == ["variants"]
    assert count_rows() == before
    text = create(testapp, auth, data="hello", dataType="text").json
    response = testapp.put_json(f"/api/qr/codes/{text['id']}", {"rules": RULES}, headers=auth, status=422)
    assert error_names(response) == ["rules"]
    assert testapp.put_json(f"/api/qr/codes/{text['id']}", {"rules": []}, headers=auth).json["rules"] == []


def test_encrypted_codes_cannot_route(testapp, auth, count_rows):
    before = count_rows()
    response = create(testapp, auth, status=422, encrypt=True, variants=VARIANTS)
    assert error_names(response) == ["variants"]
    assert count_rows() == before


@pytest.mark.parametrize("protect", [{"password": "pass-word"}, {"encrypt": True}, {}])
def test_protected_codes_answer_409_to_routing_changes(testapp, auth, committed, protect):
    code = create(testapp, auth, **protect).json
    if not protect:
        committed(lambda db: lock_code(db, code["id"], "regulator request"))
        code = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    for body in ({"rules": RULES}, {"variants": VARIANTS}, {"rules": []}):
        error = testapp.put_json(f"/api/qr/codes/{code['id']}", body, headers=auth, status=409).json
        assert error["errors"][0]["name"] == "secure"
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code


def test_a_password_protected_code_may_be_created_with_rules(testapp, auth):
    code = create(testapp, auth, password="pass-word", rules=RULES).json
    assert code["secure"] == ["password"] and code["rules"] == RULES


def test_other_workspaces_get_404(testapp, auth, other_auth):
    code = create(testapp, auth, rules=RULES).json
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"rules": []}, headers=other_auth, status=404)
    testapp.get(f"/api/qr/codes/{code['id']}/analytics", headers=other_auth, status=404)
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["rules"] == RULES


def test_bulk_items_carry_rules_and_variants(testapp, auth, queue):
    items = [{"data": "https://example.com/one", "rules": RULES},
             {"data": "https://example.com/two", "variants": VARIANTS},
             {"data": "https://example.com/three"}]
    testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202)
    assert drain(queue) == 1
    codes = {c["destination"]: c for c in all_codes(testapp, auth).values()}
    assert codes["https://example.com/one"]["rules"] == RULES
    assert codes["https://example.com/one"]["variants"] == []
    assert codes["https://example.com/two"]["variants"] == VARIANTS
    assert codes["https://example.com/three"]["rules"] == []


def test_bad_bulk_items_are_named_with_their_position(testapp, auth, queue, count_rows):
    before = count_rows()
    items = [{"data": "https://example.com/one"},
             {"data": "https://example.com/two", "rules": [{"when": {"device": ["fridge"]}, "destination": "https://x/"}]},
             {"data": "hello", "dataType": "text", "variants": VARIANTS}]
    names = error_names(testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=422))
    assert "[1].rules[0].when.device[0]" in names and "[2].variants" in names
    assert count_rows() == before


def test_the_openapi_document_describes_rules_and_variants(testapp):
    document = testapp.get("/api/openapi.json").json
    create_body = document["paths"]["/api/qr/codes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    rules = create_body["properties"]["rules"]
    assert rules["type"] == "array" and rules["maxItems"] == 20
    when = rules["items"]["properties"]["when"]["properties"]
    assert set(when) == {"device", "os", "country", "language", "time"}
    assert when["os"]["items"]["enum"] == ["iOS", "Android", "Windows", "macOS", "Linux", "other"]
    assert set(when["time"]["properties"]) == {"days", "from", "to", "timezone"}
    variant = create_body["properties"]["variants"]["items"]["properties"]
    assert variant["weight"]["minimum"] == 1 and variant["weight"]["maximum"] == 1000
    put_body = document["paths"]["/api/qr/codes/{id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"rules", "variants"} <= set(put_body["properties"])
    code_schema = document["paths"]["/api/qr/codes/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "rules" in str(code_schema)
