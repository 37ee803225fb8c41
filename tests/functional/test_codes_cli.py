"""`exaroutes-codes lock|unlock CONFIG ID`, the operator's compliance lock."""
from sqlalchemy import select

from exaroutes.cli import codes as codes_cli
from exaroutes.models import QrCode


def run(capsys, *argv):
    status = codes_cli.main(list(argv))
    return status, capsys.readouterr().err


def test_lock_makes_the_api_refuse_changes_until_unlock(capsys, ini, testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json
    status, err = run(capsys, "lock", ini, code["id"], "--reason", "court order 12/3")
    assert status == 0 and "compliance" in err
    locked = testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json
    assert locked["secure"] == ["compliance"] and locked["encrypted"] is False
    stored = committed(lambda db: db.scalar(select(QrCode).where(QrCode.short_id == code["id"])))
    assert stored.lock_reason == "court order 12/3" and stored.locked_at is not None
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", {"status": "inactive"}, headers=auth, status=409).json
    assert "compliance lock" in error["error"]
    testapp.get(f"/r/{code['id']}", status=302)        # a locked code still scans

    assert run(capsys, "unlock", ini, code["id"])[0] == 0
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["secure"] == []
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"status": "inactive"}, headers=auth, status=200)


def test_lock_keeps_other_protections_and_unknown_ids_fail(capsys, ini, testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/", "encrypt": True},
                             headers=auth).json
    run(capsys, "lock", ini, code["id"])
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["secure"] == ["encrypt", "compliance"]
    run(capsys, "unlock", ini, code["id"])
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["secure"] == ["encrypt"]
    status, err = run(capsys, "lock", ini, "ZZZZZZZZ")
    assert status == 1 and "no QR code 'ZZZZZZZZ'" in err
