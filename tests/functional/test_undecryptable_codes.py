"""An encrypted code whose stored data does not decrypt with the configured secret (the secret was
changed, or the row altered) is a 503 that says so, on the API, the scan and the dashboard: never a 500."""
import logging

from sqlalchemy import update

from exaroutes.models import QrCode
from exaroutes.protections.encryption import encrypt_text

#: a token of the same destination under another secret: what every row looks like after a changed secret
FOREIGN_TOKEN = encrypt_text({"exaroutes.secret": "the secret before"}, "https://example.com/kept")


def undecryptable_code(testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/kept", "encrypt": True},
                             headers=auth, status=201).json
    committed(lambda db: db.execute(update(QrCode).where(QrCode.short_id == code["id"])
                                    .values(destination=FOREIGN_TOKEN)))
    return code["id"]


def test_the_api_answers_503_naming_the_secret(testapp, auth, committed, caplog):
    short_id = undecryptable_code(testapp, auth, committed)
    with caplog.at_level(logging.ERROR, logger="exaroutes.edge.outage"):
        answer = testapp.get(f"/api/qr/codes/{short_id}", headers=auth, status=503)
    assert answer.content_type == "application/json"
    assert "does not decrypt with the service's configured secret" in answer.json["error"]
    assert "test-secret" not in caplog.text and f"/api/qr/codes/{short_id}" in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


def test_the_scan_and_the_dashboard_answer_a_503_page(testapp, auth, api_key, committed):
    short_id = undecryptable_code(testapp, auth, committed)
    page = testapp.get(f"/r/{short_id}", status=503)
    assert page.content_type == "text/html" and "cannot be opened" in page.text
    form = testapp.get("/dashboard/signin").forms["signin"]
    form["key"] = api_key
    form.submit(status=303)
    page = testapp.get(f"/dashboard/codes/{short_id}", status=503)
    assert page.content_type == "text/html" and "cannot be opened" in page.text
