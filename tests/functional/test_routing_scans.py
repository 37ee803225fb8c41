"""Scans of routed codes over real HTTP: rules, sticky variants, a declared winner, the recorded route,
and analytics (`rules`, `variants`) that agree with the raw scan rows. The clock is fixed."""
import collections
import datetime

import pytest
from sqlalchemy import select

from exaroutes import clock
from exaroutes.codes.fold import fold_pending
from exaroutes.models import QrCode, Scan
from exaroutes.routing.evaluate import CompiledRouting
from exaroutes.scan.enrich import visitor_hash
from tests.helpers.agents import IPHONE, WINDOWS_CHROME
from tests.helpers.routing_examples import RULES, VARIANTS

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
           "Mobile Safari/537.36")
GERMAN_ADDRESS = "91.0.0.1"      # DE in iptocc's table
US_ADDRESS = "8.8.8.8"
MONDAY_NOON = datetime.datetime(2026, 6, 8, 10, 0)          # 12:00 in Berlin
SATURDAY_MORNING = datetime.datetime(2026, 6, 6, 8, 30)     # 10:30 in Berlin


@pytest.fixture
def now(monkeypatch):
    """A fixed clock; returns a function that moves it."""
    def move(moment):
        monkeypatch.setattr(clock, "source", lambda: moment)
    move(MONDAY_NOON)
    return move


def create(testapp, auth, **body):
    return testapp.post_json("/api/qr/codes", {"data": "https://example.com/spring", **body}, headers=auth).json["id"]


def scan(testapp, short_id, user_agent=WINDOWS_CHROME, address=US_ADDRESS, language=None, method="GET"):
    headers = {"User-Agent": user_agent}
    if language is not None:
        headers["Accept-Language"] = language
    send = testapp.get if method == "GET" else testapp.head
    response = send(f"/r/{short_id}", headers=headers, extra_environ={"REMOTE_ADDR": address}, status=302)
    assert response.headers["Cache-Control"] == "no-store"
    return response.location


def raw_scans(dbengine, short_id):
    """The code's scans in `scans`, after folding whatever is still pending (exaroutes.codes.fold)."""
    with dbengine.begin() as connection:
        while fold_pending(connection, wait=True):
            pass
        code_id = connection.scalar(select(QrCode.id).where(QrCode.short_id == short_id))
        return connection.execute(select(Scan).where(Scan.code_id == code_id).order_by(Scan.id)).all()


def test_the_design_example_routes_each_scanner(testapp, auth, now):
    short_id = create(testapp, auth, rules=RULES, variants=VARIANTS)
    assert scan(testapp, short_id, IPHONE, GERMAN_ADDRESS, "de") == "https://apps.apple.com/app/id1"
    assert scan(testapp, short_id, ANDROID, GERMAN_ADDRESS, "de-DE,de;q=0.9,en;q=0.8") == "https://example.de/"
    # German-speaking but in the US: not rule 1; a weekday: not rule 2; so a variant
    assert scan(testapp, short_id, ANDROID, US_ADDRESS, "de") in ("https://example.com/a", "https://example.com/b")
    # in Germany, but prefers English (German only as a fallback the rules do not care about)
    assert scan(testapp, short_id, ANDROID, GERMAN_ADDRESS, "en, de;q=0.5") == "https://example.de/"
    now(SATURDAY_MORNING)
    assert scan(testapp, short_id, WINDOWS_CHROME, US_ADDRESS, "en") == "https://example.com/weekend"
    assert scan(testapp, short_id, IPHONE, US_ADDRESS, "en") == "https://apps.apple.com/app/id1"   # first rule wins
    now(SATURDAY_MORNING + datetime.timedelta(hours=7))       # 17:30 in Berlin: the window has closed
    assert scan(testapp, short_id, WINDOWS_CHROME, US_ADDRESS, "en") in ("https://example.com/a", "https://example.com/b")


def test_language_preference_picks_between_language_rules(testapp, auth, now):
    rules = [{"when": {"language": ["de"]}, "destination": "https://example.com/de"},
             {"when": {"language": ["en"]}, "destination": "https://example.com/en"}]
    short_id = create(testapp, auth, rules=rules)
    assert scan(testapp, short_id, language="en-GB, de;q=0.7") == "https://example.com/en"
    assert scan(testapp, short_id, language="en;q=0.3, de;q=0.7") == "https://example.com/de"
    assert scan(testapp, short_id, language="fr, *;q=0.5") == "https://example.com/spring"
    assert scan(testapp, short_id) == "https://example.com/spring"


def test_each_scan_records_what_sent_it(testapp, auth, now, dbengine):
    short_id = create(testapp, auth, rules=RULES[:1], variants=VARIANTS[:1])
    scan(testapp, short_id, IPHONE)
    scan(testapp, short_id, WINDOWS_CHROME)
    scan(testapp, short_id, IPHONE, method="HEAD")            # answered the same way, not counted
    plain = create(testapp, auth)
    scan(testapp, plain, IPHONE)
    assert [(row.rule, row.variant) for row in raw_scans(dbengine, short_id)] == [(0, None), (None, "A")]
    assert [(row.rule, row.variant) for row in raw_scans(dbengine, plain)] == [(None, None)]


def addresses(count):
    """Distinct visitors: one address each (the visitor hash is derived from address and user agent)."""
    return [f"10.{i // 250}.{i % 250}.1" for i in range(count)]


def expected_variant(short_id, variants, address, user_agent=WINDOWS_CHROME, day=None):
    """The destination exaroutes.routing picks for this visitor: computed apart from the HTTP path."""
    visitor = visitor_hash("test-secret", day or MONDAY_NOON.date(), address, user_agent)    # the test app's secret
    routing = CompiledRouting([], variants)
    return variants[routing.pick(visitor, short_id)]["destination"]


def test_variants_split_by_weight_and_stick_to_each_visitor(testapp, auth, now, dbengine):
    variants = [{"name": "A", "destination": "https://example.com/a", "weight": 1},
                {"name": "B", "destination": "https://example.com/b", "weight": 3}]
    short_id = create(testapp, auth, variants=variants)
    people = addresses(400)
    first = {address: scan(testapp, short_id, address=address) for address in people}
    # every visitor lands where the pick says (the split itself is checked within binomial bounds,
    # with fixed ids, in tests/unit/routing/test_evaluate.py)
    assert first == {address: expected_variant(short_id, variants, address) for address in people}
    counts = collections.Counter(first.values())
    assert counts["https://example.com/a"] + counts["https://example.com/b"] == len(people)
    for address in people[:40]:                                # the same phone, the same variant
        assert scan(testapp, short_id, address=address) == first[address]
    now(MONDAY_NOON + datetime.timedelta(hours=11))            # later that day
    assert all(scan(testapp, short_id, address=address) == first[address] for address in people[40:80])


def test_a_winner_declared_by_put_takes_every_visitor(testapp, auth, now):
    short_id = create(testapp, auth, variants=VARIANTS)
    people = addresses(60)
    before = [scan(testapp, short_id, address=address) for address in people]
    assert before == [expected_variant(short_id, VARIANTS, address) for address in people]
    testapp.put_json(f"/api/qr/codes/{short_id}", {"variants": [VARIANTS[1]]}, headers=auth)
    assert {scan(testapp, short_id, address=address) for address in people} == {"https://example.com/b"}
    testapp.put_json(f"/api/qr/codes/{short_id}", {"variants": []}, headers=auth)
    assert {scan(testapp, short_id, address=address) for address in people[:5]} == {"https://example.com/spring"}


def expected_from_raw(rows, field):
    """{value: (scans, uniqueScans)} counted from raw rows: unique = a visitor's first scan of the day."""
    scans, unique, seen = collections.Counter(), collections.Counter(), set()
    for row in rows:
        key = (row.scanned_at.date(), row.visitor)
        is_unique = row.visitor is None or key not in seen
        seen.add(key)
        value = getattr(row, field)
        if value is not None:
            scans[value] += 1
            unique[value] += is_unique
    return {value: (scans[value], unique[value]) for value in scans}


def test_analytics_agree_with_the_raw_scans(testapp, auth, now, dbengine):
    short_id = create(testapp, auth, rules=RULES, variants=VARIANTS)
    people = addresses(30)
    for day in range(3):                                       # Sat, Sun, Mon: the time rule holds on two
        now(SATURDAY_MORNING + datetime.timedelta(days=day))
        for i, address in enumerate(people):
            agent = IPHONE if i % 5 == 0 else ANDROID
            scan(testapp, short_id, agent, address, "de" if i % 3 == 0 else "en")
            if i % 4 == 0:
                scan(testapp, short_id, agent, address, "de" if i % 3 == 0 else "en")   # a repeat: not unique
        scan(testapp, short_id, IPHONE, GERMAN_ADDRESS, "de")
        for _ in range(2):                                     # same address, other phone: another visitor
            scan(testapp, short_id, ANDROID, GERMAN_ADDRESS, "de")
    # a variant removed by PUT keeps its history
    testapp.put_json(f"/api/qr/codes/{short_id}", {"variants": [VARIANTS[1]]}, headers=auth)
    result = testapp.get(f"/api/qr/codes/{short_id}/analytics", {"days": 7}, headers=auth).json
    rows = raw_scans(dbengine, short_id)
    by_rule = expected_from_raw(rows, "rule")
    by_variant = expected_from_raw(rows, "variant")
    assert result["rules"] == [{"index": i, "scans": by_rule.get(i, (0, 0))[0],
                                "uniqueScans": by_rule.get(i, (0, 0))[1]}
                               for i in range(len(RULES))]
    assert result["variants"] == [{"name": name, "scans": by_variant.get(name, (0, 0))[0],
                                   "uniqueScans": by_variant.get(name, (0, 0))[1]} for name in ("B", "A")]
    # the data hold repeats and first scans for every rule (which variant a visitor gets depends on the
    # code's random id, so the variants are checked together)
    assert all(entry["scans"] > entry["uniqueScans"] > 0 for entry in result["rules"]), result
    assert sum(e["scans"] for e in result["variants"]) > sum(e["uniqueScans"] for e in result["variants"]) > 0
    routed = sum(e["scans"] for e in result["rules"] + result["variants"])
    assert routed == result["totalScans"] == len(rows)
    assert sum(e["uniqueScans"] for e in result["rules"] + result["variants"]) == result["uniqueScans"]


def test_a_plain_code_has_empty_route_breakdowns(testapp, auth, now):
    short_id = create(testapp, auth)
    scan(testapp, short_id)
    result = testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=auth).json
    assert result["rules"] == [] and result["variants"] == [] and result["totalScans"] == 1


def test_a_new_routed_code_lists_its_rules_and_variants_with_zero_scans(testapp, auth, now):
    short_id = create(testapp, auth, rules=RULES, variants=VARIANTS)
    result = testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=auth).json
    assert result["rules"] == [{"index": i, "scans": 0, "uniqueScans": 0} for i in range(3)]
    assert result["variants"] == [{"name": "A", "scans": 0, "uniqueScans": 0},
                                  {"name": "B", "scans": 0, "uniqueScans": 0}]


def test_a_password_protected_routed_code_asks_first_then_routes(testapp, auth, now, quick_password_hashes):
    short_id = create(testapp, auth, password="pass-word", rules=RULES[:1])
    page = testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE}, status=200)
    assert "password" in page.text.lower()
