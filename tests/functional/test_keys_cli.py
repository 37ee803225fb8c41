"""`exaroutes-keys` and `exaroutes-db` against a real database, as an operator runs them."""
import datetime

from exaroutes import clock
from exaroutes.cli import db as db_cli
from exaroutes.cli import keys as keys_cli


def run(capsys, *argv):
    code = keys_cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out.strip(), out.err


def test_db_upgrade_is_idempotent(ini):
    assert db_cli.main(["upgrade", ini]) == 0


def test_create_prints_only_the_key_and_stores_only_its_hash(capsys, ini, testapp, dbengine):
    code, key, _ = run(capsys, "create", ini, "--workspace", "acme")
    assert code == 0 and key.startswith("exr_live_") and "\n" not in key and len(key) >= 41
    with dbengine.connect() as connection:
        dump = repr(connection.exec_driver_sql("SELECT * FROM api_keys").all())
    assert key not in dump and key[17:] not in dump
    testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {key}"}, status=200)
    _, test_key, _ = run(capsys, "create", ini, "--workspace", "sandbox", "--test")
    assert test_key.startswith("exr_test_")
    testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {test_key}"}, status=200)


def test_list_and_revoke(capsys, ini, testapp):
    _, key, _ = run(capsys, "create", ini, "--workspace", "acme")
    _, listing, _ = run(capsys, "list", ini)
    assert f"{key[:17]}\tacme\t" in listing and listing.endswith("active")
    assert run(capsys, "revoke", ini, key[:17])[0] == 0
    testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {key}"}, status=401)
    assert run(capsys, "list", ini)[1].endswith("revoked")
    assert run(capsys, "revoke", ini, "exr_live_nomatch")[0] == 1


def test_rotate_keeps_the_old_key_for_the_grace_period(capsys, ini, testapp, monkeypatch):
    _, old, _ = run(capsys, "create", ini, "--workspace", "acme")
    code, new, err = run(capsys, "rotate", ini, old[:17], "--grace-hours", "24")
    assert code == 0 and new != old and new.startswith("exr_live_") and "keeps working until" in err
    for key in (old, new):
        testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {key}"}, status=200)
    later = clock.utcnow() + datetime.timedelta(hours=24, minutes=1)
    monkeypatch.setattr(clock, "source", lambda: later)
    testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {old}"}, status=401)
    testapp.get("/api/qr/codes", headers={"Authorization": f"Bearer {new}"}, status=200)


def test_ensure_reuses_a_valid_key(capsys, ini, tmp_path):
    key_file = str(tmp_path / "key")
    _, first, _ = run(capsys, "ensure", ini, "--workspace", "default", "--key-file", key_file)
    _, second, _ = run(capsys, "ensure", ini, "--workspace", "default", "--key-file", key_file)
    assert first == second
    run(capsys, "revoke", ini, first[:17])
    _, third, _ = run(capsys, "ensure", ini, "--workspace", "default", "--key-file", key_file)
    assert third != first
