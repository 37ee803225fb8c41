"""The `rules`/`variants` nodes: what they accept, and every bad shape named where it is."""
import colander
import pytest

from exaroutes.validation import deserialize
from exaroutes.schemas.routing import MAX_RULES, MAX_VARIANTS, RoutingFields
from tests.helpers.routing_examples import RULES, VARIANTS

SCHEMA = RoutingFields()

DESIGN_EXAMPLE = {"rules": RULES, "variants": VARIANTS}


def check(body):
    return deserialize(SCHEMA, body, "body")


def names(body):
    value, errors = check(body)
    assert value is None and errors, "expected errors"
    return {e["name"]: e["description"] for e in errors}


def test_the_design_example_is_accepted_as_written():
    value, errors = check(DESIGN_EXAMPLE)
    assert errors == []
    assert value == DESIGN_EXAMPLE


def test_defaults_and_normalisation():
    value, errors = check({"rules": [{"when": {"language": ["DE", "en"]}, "destination": "https://x.test/"}],
                           "variants": [{"name": "only", "destination": "https://x.test/o"}]})
    assert errors == []
    assert value["rules"][0]["when"]["language"] == ["de", "en"]
    assert value["variants"][0]["weight"] == 1
    assert check({"rules": [], "variants": []}) == ({"rules": [], "variants": []}, [])
    assert check({}) == ({}, [])


def rules_with(when, position=1):
    rules = [{"when": {"os": ["iOS"]}, "destination": "https://x.test/ios"}] * position
    return {"rules": rules + [{"when": when, "destination": "https://x.test/"}]}


@pytest.mark.parametrize("body, name", [
    (rules_with({"country": ["DE", "germany"]}), "rules[1].when.country[1]"),
    (rules_with({"country": ["de"]}), "rules[1].when.country[0]"),
    (rules_with({"country": "DE"}), "rules[1].when.country"),
    (rules_with({"country": []}), "rules[1].when.country"),
    (rules_with({"country": [7]}), "rules[1].when.country[0]"),
    (rules_with({"device": ["phone"]}, 0), "rules[0].when.device[0]"),
    (rules_with({"os": ["ios"]}), "rules[1].when.os[0]"),
    (rules_with({"language": ["de-AT"]}), "rules[1].when.language[0]"),
    (rules_with({"contry": ["DE"]}), "rules[1].when.contry"),
    (rules_with({}), "rules[1].when"),
    (rules_with(["os"]), "rules[1].when"),
    (rules_with({"time": {"days": ["sat"]}}), "rules[1].when.time.timezone"),
    (rules_with({"time": {"days": ["saturday"], "timezone": "UTC"}}), "rules[1].when.time.days[0]"),
    (rules_with({"time": {"from": "09:00", "timezone": "UTC"}}), "rules[1].when.time.to"),
    (rules_with({"time": {"to": "09:00", "timezone": "UTC"}}), "rules[1].when.time.from"),
    (rules_with({"time": {"from": "9:00", "to": "17:00", "timezone": "UTC"}}), "rules[1].when.time.from"),
    (rules_with({"time": {"from": "24:00", "to": "17:00", "timezone": "UTC"}}), "rules[1].when.time.from"),
    (rules_with({"time": {"from": "09:00", "to": "09:00", "timezone": "UTC"}}), "rules[1].when.time.to"),
    (rules_with({"time": {"from": "00:00", "to": "24:00", "timezone": "UTC"}}), "rules[1].when.time.to"),
    (rules_with({"time": {"from": "09:00", "to": "17:00", "timezone": "Mars/Olympus"}}),
     "rules[1].when.time.timezone"),
    (rules_with({"time": {"timezone": "UTC"}}), "rules[1].when.time"),
    (rules_with({"time": {"days": ["sun"], "timezone": "UTC", "tz": "x"}}), "rules[1].when.time.tz"),
    ({"rules": [{"when": {"os": ["iOS"]}}]}, "rules[0].destination"),
    ({"rules": [{"when": {"os": ["iOS"]}, "destination": "ftp://x.test/"}]}, "rules[0].destination"),
    ({"rules": [{"when": {"os": ["iOS"]}, "destination": "https://x.test/", "weight": 1}]}, "rules[0].weight"),
    ({"rules": [{"destination": "https://x.test/"}]}, "rules[0].when"),
    ({"rules": ["https://x.test/"]}, "rules[0]"),
    ({"rules": {"when": {}}}, "rules"),
    ({"rules": None}, "rules"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": 0}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": 1001}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": 2.5}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": "5"}]}, "variants[0].weight"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "weight": True}]}, "variants[0].weight"),
    ({"variants": [{"name": "", "destination": "https://x.test/"}]}, "variants[0].name"),
    ({"variants": [{"name": "a\nb", "destination": "https://x.test/"}]}, "variants[0].name"),
    ({"variants": [{"name": "x" * 65, "destination": "https://x.test/"}]}, "variants[0].name"),
    ({"variants": [{"destination": "https://x.test/"}]}, "variants[0].name"),
    ({"variants": [{"name": "A", "destination": "https://x.test/a"}, {"name": "B", "destination": "https://x.test/b"},
                   {"name": "A", "destination": "https://x.test/c"}]}, "variants[2].name"),
    ({"variants": [{"name": "A", "destination": "https://x.test/", "color": "red"}]}, "variants[0].color"),
])
def test_bad_shapes_are_named_where_they_are(body, name):
    assert name in names(body)


def test_every_problem_is_reported_at_once():
    errors = names({"rules": [{"when": {"country": ["xx"], "device": ["car"]}, "destination": "nope"}],
                    "variants": [{"name": "A", "destination": "https://x.test/", "weight": 0}]})
    assert {"rules[0].when.country[0]", "rules[0].when.device[0]", "rules[0].destination",
            "variants[0].weight"} <= errors.keys()


def test_limits_on_the_number_of_rules_and_variants():
    rule = {"when": {"os": ["iOS"]}, "destination": "https://x.test/"}
    assert check({"rules": [rule] * MAX_RULES})[1] == []
    assert "rules" in names({"rules": [rule] * (MAX_RULES + 1)})
    variants = [{"name": f"V{i}", "destination": "https://x.test/"} for i in range(MAX_VARIANTS + 1)]
    assert check({"variants": variants[:MAX_VARIANTS]})[1] == []
    assert "variants" in names({"variants": variants})


def test_the_node_is_plain_colander():
    """The dashboard builds its rows from the same nodes: their names and choices are reachable."""
    when = SCHEMA["rules"].children[0]["when"]
    assert [child.name for child in when.children] == ["device", "os", "country", "language", "time"]
    assert isinstance(when["device"].children[0].validator, colander.OneOf)
