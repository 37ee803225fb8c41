"""The dashboard builds rules and variants from rows of form fields (no JSON), edits them, and shows
their analytics; the result is exactly what the API would store (DESIGN.md §7)."""
import datetime

import pytest

from exaroutes import clock
from tests.helpers.agents import IPHONE
from tests.helpers.dashboard import api_create, edit_form, sign_in
from tests.helpers.routing_examples import RULES, VARIANTS

pytestmark = pytest.mark.usefixtures("quick_password_hashes")


def tick(form, name, *values):
    for field in form.fields[name]:
        if field._value in values:
            field.checked = True


def fill_design_example(form):
    """Type the DESIGN.md §7 example into the rows, as a person would."""
    form["rules-0-destination"] = "https://apps.apple.com/app/id1"
    tick(form, "rules-0-os", "iOS")
    form["rules-1-destination"] = "https://example.de/"
    form["rules-1-country"] = "de, AT CH"
    form["rules-1-language"] = "de"
    form["rules-2-destination"] = "https://example.com/weekend"
    tick(form, "rules-2-days", "sat", "sun")
    form["rules-2-from"], form["rules-2-to"], form["rules-2-timezone"] = "09:00", "17:00", "Europe/Berlin"
    for row, variant in enumerate(VARIANTS):
        for name in ("name", "destination", "weight"):
            form[f"variants-{row}-{name}"] = str(variant[name])


def test_the_design_example_built_from_rows(testapp, api_key, auth):
    sign_in(testapp, api_key)
    page = testapp.get("/dashboard/codes/new")
    form = page.forms["create"]
    assert "rules-2-destination" not in form.fields                      # two rows to start with
    form = form.submit("action", value="more-rules").forms["create"]     # one more, nothing stored
    assert "rules-2-destination" in form.fields
    form["data"] = "https://example.com/spring"
    fill_design_example(form)
    code_page = form.submit("action", value="create", status=303).follow()
    short_id = code_page.request.path.rsplit("/", 1)[-1]
    code = testapp.get(f"/api/qr/codes/{short_id}", headers=auth).json
    assert code["rules"] == RULES and code["variants"] == VARIANTS
    # the edit form shows them in rows again, with one spare row each
    edit = code_page.forms["edit"]
    assert edit["rules-1-country"].value == "DE, AT, CH"
    assert [f._value for f in edit.fields["rules-2-days"] if f.checked] == ["sat", "sun"]
    assert edit["variants-1-weight"].value == "50" and edit["variants-2-name"].value == ""
    assert "rules-3-destination" in edit.fields and "rules-4-destination" not in edit.fields


def test_a_bad_row_is_named_on_that_row_and_nothing_is_stored(testapp, api_key, count_rows):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "https://example.com/spring"
    form["rules-1-destination"] = "https://example.de/"                 # row 0 left blank: skipped
    form["rules-1-country"] = "DE, Germany"
    form["variants-0-name"] = "A"
    form["variants-0-destination"] = "https://example.com/a"
    form["variants-0-weight"] = "2.5"
    before = count_rows()
    page = form.submit("action", value="create", status=422)
    assert count_rows() == before
    rule_errors = [p.text for p in page.html.select("#rule-row-1 .row-error")]
    assert any(e.startswith("when.country[1]:") for e in rule_errors), rule_errors
    assert page.html.select("#rule-row-0 .row-error") == []
    assert any(e.startswith("weight:") for e in [p.text for p in page.html.select("#variant-row-0 .row-error")])
    assert page.forms["create"]["rules-1-country"].value == "DE, Germany"   # what was typed stays


def test_other_data_types_get_no_rows(testapp, api_key, auth):
    sign_in(testapp, api_key)
    assert "rules-0-destination" not in testapp.get("/dashboard/codes/new?dataType=text").forms["create"].fields
    text = api_create(testapp, auth, data="hello", dataType="text")
    assert "rules-0-destination" not in edit_form(testapp, text["id"]).fields
    encrypted = api_create(testapp, auth, encrypt=True)
    assert "rules-0-destination" not in edit_form(testapp, encrypted["id"]).fields


def test_editing_rows_replaces_rules_and_a_single_variant_declares_a_winner(testapp, api_key, auth):
    code = api_create(testapp, auth, rules=RULES, variants=VARIANTS)
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["rules-0-destination"] = ""
    for field in form.fields["rules-0-os"]:
        field.checked = False                                            # row 0 now blank: removed
    form["variants-0-name"] = form["variants-0-destination"] = form["variants-0-weight"] = ""
    form.submit("action", value="save", status=303)
    updated = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    assert updated["rules"] == RULES[1:]
    assert updated["variants"] == [VARIANTS[1]]
    assert testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE},
                       extra_environ={"REMOTE_ADDR": "8.8.8.8"}, status=302).location == "https://example.com/b"


def test_routing_edits_of_a_password_code_need_its_password_and_are_audited(testapp, api_key, auth):
    code = api_create(testapp, auth, password="pass-word")
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["variants-0-name"], form["variants-0-destination"] = "B", "https://example.com/b"
    page = form.submit("action", value="save", status=422)
    assert "password" in page.html.select_one("#error-password").text
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["variants"] == []
    form = page.forms["edit"]
    form["password"] = "pass-word"
    page = form.submit("action", value="save", status=303).follow()
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["variants"] == [
        {"name": "B", "destination": "https://example.com/b", "weight": 1}]
    assert "variants" in page.html.select_one("table.audit").text


def test_the_code_page_shows_scans_per_rule_and_variant(testapp, api_key, auth, monkeypatch):
    monkeypatch.setattr(clock, "source", lambda: datetime.datetime(2026, 6, 8, 10, 0))
    code = api_create(testapp, auth, rules=RULES, variants=VARIANTS)
    for i in range(12):
        testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE if i < 3 else "Mozilla/5.0 (X11; Linux x86_64)"},
                    extra_environ={"REMOTE_ADDR": f"10.0.0.{i}"}, status=302)
    analytics = testapp.get(f"/api/qr/codes/{code['id']}/analytics", headers=auth).json
    sign_in(testapp, api_key)
    page = testapp.get(f"/dashboard/codes/{code['id']}")
    shown_rules = [(int(row["data-index"]), int(row.select_one(".scans").text), int(row.select_one(".unique").text))
                   for row in page.html.select("#breakdown-rules tr.rule-stats")]
    assert shown_rules == [(e["index"], e["scans"], e["uniqueScans"]) for e in analytics["rules"]]
    assert shown_rules[0] == (0, 3, 3)
    shown_variants = [(row["data-name"], int(row.select_one(".scans").text))
                      for row in page.html.select("#breakdown-variants tr.variant-stats")]
    assert shown_variants == [(e["name"], e["scans"]) for e in analytics["variants"]]
    assert sum(scans for _, scans in shown_variants) == 9
