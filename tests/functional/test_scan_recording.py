"""What a counted scan stores, and which requests are answered without being counted."""
import webtest
import pytest
from sqlalchemy import select

from exaroutes import main
from exaroutes.models import Scan, ScanRollup, get_engine
from exaroutes.codes.fold import catch_up
from exaroutes.scan.writer import ScanRecorder
from tests.helpers.agents import IPHONE, WINDOWS_CHROME
from tests.helpers.http import new_code


def stored_scans(committed):
    committed(catch_up)
    return committed(lambda db: db.execute(select(Scan)).scalars().all())


def test_a_scan_stores_its_facts_but_never_the_address(testapp, auth, committed):
    short_id = new_code(testapp, auth)
    testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE, "Referer": "https://t.example.net/x?email=a@b"},
                extra_environ={"REMOTE_ADDR": "85.214.132.117"}, status=302)
    [row] = stored_scans(committed)
    assert (row.country, row.device, row.os, row.browser, row.referrer) == (
        "DE", "mobile", "iOS", "Mobile Safari", "t.example.net")
    assert len(row.visitor) == 64 and "85.214.132.117" not in row.visitor
    columns = [getattr(row, c.key) for c in Scan.__table__.columns]
    assert not any("85.214" in str(value) for value in columns)


@pytest.mark.parametrize("user_agent", [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0 A",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
])
def test_bots_and_link_previews_are_answered_but_not_counted(testapp, auth, committed, user_agent):
    short_id = new_code(testapp, auth)
    response = testapp.get(f"/r/{short_id}", headers={"User-Agent": user_agent}, status=302)
    assert response.headers["Location"] == "https://example.com/"
    assert stored_scans(committed) == []
    assert committed(lambda db: db.execute(select(ScanRollup)).all()) == []


def test_same_visitor_same_day_is_one_unique(testapp, auth):
    short_id = new_code(testapp, auth)
    for address in ("8.8.8.8", "8.8.8.8", "8.8.4.4"):
        testapp.get(f"/r/{short_id}", headers={"User-Agent": WINDOWS_CHROME},
                    extra_environ={"REMOTE_ADDR": address}, status=302)
    body = testapp.get(f"/api/qr/codes/{short_id}/analytics?days=1", headers=auth).json
    assert (body["totalScans"], body["uniqueScans"]) == (3, 2)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.7", "192.168.1.20", "::1", "fd00::1", "not-an-ip"])
def test_private_and_loopback_addresses_are_unknown(testapp, auth, committed, address):
    short_id = new_code(testapp, auth)
    testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE, "CF-IPCountry": "FR"},
                extra_environ={"REMOTE_ADDR": address}, status=302)
    assert [row.country for row in stored_scans(committed)] == ["unknown"]


def test_country_header_is_believed_only_from_a_trusted_proxy(dbengine, app_settings, auth, committed):
    settings = dict(app_settings, **{"exaroutes.scan.trusted_proxies": "203.0.113.7 198.51.100.1",
                                     "exaroutes.scan.country_header": "X-Country"})
    proxied = webtest.TestApp(main({}, dbengine=dbengine, **settings), extra_environ={"HTTP_HOST": "localhost"})
    short_id = new_code(proxied, auth)
    for address, header in (("203.0.113.7", "fr"), ("198.51.100.1", "XX"), ("8.8.8.8", "FR"),
                            ("203.0.113.7", None)):
        headers = {"User-Agent": IPHONE, **({"X-Country": header} if header else {})}
        proxied.get(f"/r/{short_id}", headers=headers, extra_environ={"REMOTE_ADDR": address}, status=302)
    # trusted + FR; trusted + XX (Cloudflare's "unknown"); untrusted: its own address (US); trusted, no header: table
    assert [row.country for row in stored_scans(committed)] == ["FR", "unknown", "US", "unknown"]


def test_a_put_drops_the_cached_code_at_once(testapp, auth):
    """The redirect caches codes for a few seconds; a change made through the API must not wait for that."""
    short_id = new_code(testapp, auth)
    assert testapp.get(f"/r/{short_id}", status=302).headers["Location"] == "https://example.com/"
    testapp.put_json(f"/api/qr/codes/{short_id}", {"destination": "https://example.com/new"}, headers=auth)
    assert testapp.get(f"/r/{short_id}", status=302).headers["Location"] == "https://example.com/new"
    testapp.put_json(f"/api/qr/codes/{short_id}", {"status": "inactive"}, headers=auth)
    testapp.get(f"/r/{short_id}", status=410)


def test_a_scan_that_cannot_be_stored_gets_no_redirect(testapp, auth, app, tmp_path):
    """If the commit fails, the scanner sees a 503 page: a redirect would promise a stored scan."""
    short_id = new_code(testapp, auth)
    broken = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'no-tables.sqlite'}"})  # never migrated
    working = app.registry["scan_recorder"]
    app.registry["scan_recorder"] = ScanRecorder(broken)
    try:
        response = testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE}, status=503)
        assert "Location" not in response.headers and response.content_type == "text/html"
        testapp.head(f"/r/{short_id}", status=302)          # not a scan: answered as usual
    finally:
        app.registry["scan_recorder"].close()
        app.registry["scan_recorder"] = working
        broken.dispose()
