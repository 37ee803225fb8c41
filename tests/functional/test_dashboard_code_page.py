"""One code's page: charts with the analytics' numbers, edits of protected codes with their audit log,
and another workspace's codes out of reach."""
import datetime

from sqlalchemy import select

from exaroutes.codes.analytics import code_analytics
from exaroutes.clock import utcnow
from exaroutes.models import AuditEntry, QrCode
from exaroutes.codes.rollups import write_scans
from tests.helpers.dashboard import api_create, csrf_token, edit_form, protect, sign_in


def seed_scans(committed, short_id, dbengine):
    """Scans written by the scan pipeline's own write path (raw rows and their daily rollups)."""
    code_id = committed(lambda db: db.scalar(select(QrCode.id).where(QrCode.short_id == short_id)))
    now = utcnow()
    with dbengine.begin() as connection:
        write_scans(connection, [
            {"code_id": code_id, "scanned_at": now - datetime.timedelta(days=days_ago), "country": country,
             "device": device, "browser": browser, "visitor": f"v{days_ago}",
             "referrer": "<img src=x onerror=alert(1)>" if days_ago == 2 else None}
            for days_ago, country, device, browser in ((0, "DE", "mobile", "Safari"), (0, "DE", "mobile", "Chrome"),
                                                       (2, "US", "desktop", "Firefox"), (20, "FR", None, None),
                                                       (60, "JP", "tablet", "Safari"))])


def analytics_of(committed, short_id, days):
    return committed(lambda db: code_analytics(db, db.scalar(select(QrCode).where(QrCode.short_id == short_id)),
                                               days))


def test_charts_show_the_same_numbers_as_the_analytics(testapp, api_key, auth, committed, dbengine):
    code = api_create(testapp, auth)
    seed_scans(committed, code["id"], dbengine)
    sign_in(testapp, api_key)
    for days in (7, 30, 90):
        page = testapp.get(f"/dashboard/codes/{code['id']}?days={days}")
        expected = analytics_of(committed, code["id"], days)
        assert int(page.html.select_one("#total-scans").text) == expected["totalScans"]
        assert int(page.html.select_one("#unique-scans").text) == expected["uniqueScans"]
        bars = page.html.select("#daily-chart rect.bar")
        assert [(bar["data-date"], int(bar["data-scans"])) for bar in bars] == \
            [(day["date"], day["scans"]) for day in expected["timeseries"]]
        for name, key in (("countries", "country"), ("devices", "device"), ("browsers", "browser")):
            shown = [(bar["data-label"], int(bar["data-scans"]))
                     for bar in page.html.select(f"#breakdown-{name} rect.bar")]
            assert shown == [(row[key], row["scans"]) for row in expected[name]][:8]
    assert analytics_of(committed, code["id"], 90)["totalScans"] == 5
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    page = testapp.get(f"/dashboard/codes/{code['id']}?days=5", status=422)
    assert "days: must be 7, 30 or 90" in page.text


def test_edit_an_unprotected_code(testapp, api_key, auth, committed):
    code = api_create(testapp, auth)
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["destination"] = "https://example.com/autumn"
    form["status"] = "inactive"
    form.submit(status=303)
    after = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    assert after["destination"] == "https://example.com/autumn" and after["status"] == "inactive"
    assert committed(lambda db: db.scalars(select(AuditEntry)).all()) == []   # not protected: no audit


def test_a_bad_destination_is_refused_with_the_api_message(testapp, api_key, auth, count_rows):
    code = api_create(testapp, auth)
    api = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "notaurl"}, headers=auth, status=422)
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["destination"] = "notaurl"
    before = count_rows()
    page = form.submit(status=422)
    assert count_rows() == before
    assert page.html.select_one("#error-destination").text == api.json["errors"][0]["description"]
    form = page.forms["edit"]
    form["destination"] = "https://example.com/spring"
    page = form.submit(status=422)
    assert "nothing to update" in page.html.select_one("#error-destination").text


def test_a_compliance_locked_code_needs_a_written_reason_and_is_audited(testapp, api_key, auth, committed,
                                                                        count_rows):
    code = api_create(testapp, auth)
    protect(committed, code["id"], ["compliance"])
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "https://example.com/x"}, headers=auth,
                     status=409)
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["destination"] = "https://example.com/recall"
    form["reason"] = "   "
    before = count_rows()
    page = form.submit(status=422)
    assert count_rows() == before
    assert page.html.select_one("#error-reason").text == \
        "a written reason is required to edit a compliance-locked code"
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["destination"] == code["destination"]
    form = page.forms["edit"]
    form["reason"] = "Product recall <2026-05> & relabel"
    page = form.submit(status=303).follow()
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["destination"] == \
        "https://example.com/recall"
    entries = committed(lambda db: db.scalars(select(AuditEntry)).all())
    assert len(entries) == 1
    entry = entries[0]
    assert entry.key_prefix == api_key[:17] and entry.reason == "Product recall <2026-05> & relabel"
    assert entry.changes == {"destination": {"from": code["destination"], "to": "https://example.com/recall"}}
    assert entry.protections == ["compliance"]
    row = page.html.select_one("tr.audit-row")
    assert api_key[:17] in row.text and "Product recall <2026-05> & relabel" in row.text
    assert "&lt;2026-05&gt; &amp; relabel" in page.text
    assert f"{code['destination']} → https://example.com/recall" in row.text


def test_a_password_protected_code_needs_its_password(testapp, api_key, auth, committed, count_rows,
                                                     quick_password_hashes):
    code = api_create(testapp, auth, password="open sesame")
    assert code["secure"] == ["password"]
    sign_in(testapp, api_key)
    form = edit_form(testapp, code["id"])
    form["status"] = "inactive"
    before = count_rows()
    page = form.submit(status=422)
    assert page.html.select_one("#error-password").text == "re-enter this code's password to edit it"
    form = page.forms["edit"]
    form["password"] = "guess"
    page = form.submit(status=422)
    assert page.html.select_one("#error-password").text == "wrong password"
    # Nothing changed but the attempt the guess limiter counts (shared with the scan form).
    assert count_rows() == {**before, "password_attempts": before["password_attempts"] + 1}
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["status"] == "active"
    form = page.forms["edit"]
    form["password"] = "open sesame"
    form.submit(status=303)
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["status"] == "inactive"
    entry = committed(lambda db: db.scalars(select(AuditEntry)).one())
    assert entry.changes == {"status": {"from": "active", "to": "inactive"}} and entry.protections == ["password"]


def test_an_encrypted_code_is_shown_decrypted_and_written_back_encrypted(testapp, api_key, auth, committed,
                                                                          dbengine):
    code = api_create(testapp, auth, data="https://example.com/secret-plan", encrypt=True)
    assert code["encrypted"] is True and "encrypt" in code["secure"]
    sign_in(testapp, api_key)
    page = testapp.get(f"/dashboard/codes/{code['id']}")
    assert page.html.select_one("#destination").text == "https://example.com/secret-plan"
    form = page.forms["edit"]
    form["destination"] = "https://example.com/new-plan"
    form["status"] = "inactive"
    form.submit(status=303)
    after = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    assert after["destination"] == "https://example.com/new-plan" and after["status"] == "inactive"
    with dbengine.connect() as connection:
        raw = repr(connection.exec_driver_sql("SELECT * FROM qr_codes").all())
        audit = repr(connection.exec_driver_sql("SELECT * FROM audit_log").all())
    for plaintext in ("secret-plan", "new-plan"):
        assert plaintext not in raw and plaintext not in audit
    entry = committed(lambda db: db.scalars(select(AuditEntry)).one())
    assert entry.changes == {"destination": {"from": "(encrypted)", "to": "(encrypted)"},
                             "status": {"from": "active", "to": "inactive"}}


def test_another_workspaces_code_is_never_reachable(testapp, api_key, auth, other_auth, count_rows):
    theirs = api_create(testapp, other_auth, data="https://globex.example/private")
    sign_in(testapp, api_key)
    for path in (f"/dashboard/codes/{theirs['id']}", f"/dashboard/codes/{theirs['id']}/image",
                 f"/dashboard/codes/{theirs['id']}/download/png"):
        page = testapp.get(path, status=404)
        assert page.content_type == "text/html" and "globex" not in page.text
    before = count_rows()
    testapp.post(f"/dashboard/codes/{theirs['id']}/edit",                  # a tampered form
                 {"csrf_token": csrf_token(testapp), "destination": "https://evil.example/", "status": "inactive"},
                 status=404)
    assert count_rows() == before
    after = testapp.get(f"/api/qr/codes/{theirs['id']}", headers=other_auth).json
    assert after["destination"] == "https://globex.example/private" and after["status"] == "active"
