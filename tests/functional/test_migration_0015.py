"""Migration 0015 (custom domains) on a database that already has codes and scans, both backends:
nothing is copied or lost, the database refuses to delete a domain that codes use, and it downgrades."""
import datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from exaroutes.migrations import alembic_config, upgrade

NOON = datetime.datetime(2026, 5, 21, 12)


def test_existing_codes_and_scans_survive_and_domains_in_use_stay(fresh_engine):
    upgrade(fresh_engine, "0014")   # the revision before 0015
    with fresh_engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (id, name, is_test, created_at) VALUES (1, 'w', false, :t)"),
                           {"t": NOON})
        connection.execute(text(
            "INSERT INTO qr_codes (id, short_id, workspace_id, type, data_type, data, destination, format, style, "
            "status, protections, encrypted, image, image_etag, created_at, updated_at) VALUES (1, 'abcdEFGH', 1, "
            "'dynamic', 'url', '\"https://e.x/\"', 'https://e.x/', 'png', '{}', 'active', '[]', false, :img, 'e', "
            ":t, :t)"), {"t": NOON, "img": b"png"})
        connection.execute(text("INSERT INTO scans (code_id, scanned_at, country) VALUES (1, :t, 'DE')"), {"t": NOON})
    upgrade(fresh_engine)               # a table copy of qr_codes would trip over the scan pointing at it
    with fresh_engine.begin() as connection:
        assert connection.execute(text("SELECT short_id, domain, image FROM qr_codes")).all() == [
            ("abcdEFGH", None, b"png")]
        assert connection.execute(text("SELECT COUNT(*) FROM scans")).scalar() == 1
        connection.execute(text("INSERT INTO domains (id, workspace_id, hostname, token, created_at, verified_at) "
                                "VALUES (1, 1, 'qr.example.org', 't', :t, :t), (2, 1, 'spare.example.org', 't', :t, "
                                "NULL)"), {"t": NOON})
        connection.execute(text("UPDATE qr_codes SET domain = 'qr.example.org'"))
    with pytest.raises(IntegrityError):
        with fresh_engine.begin() as connection:
            connection.execute(text("DELETE FROM domains WHERE id = 1"))
    with pytest.raises(IntegrityError):     # one verified owner per hostname
        with fresh_engine.begin() as connection:
            connection.execute(text("INSERT INTO workspaces (id, name, is_test, created_at) "
                                    "VALUES (2, 'v', false, :t)"), {"t": NOON})
            connection.execute(text("INSERT INTO domains (workspace_id, hostname, token, created_at, verified_at) "
                                    "VALUES (2, 'qr.example.org', 'u', :t, :t)"), {"t": NOON})
    with fresh_engine.begin() as connection:
        connection.execute(text("DELETE FROM domains WHERE id = 2"))      # unused: fine
        connection.execute(text("UPDATE qr_codes SET domain = NULL"))
        command.downgrade(alembic_config(connection=connection), "0014")
    with fresh_engine.begin() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM qr_codes")).scalar() == 1
        assert connection.execute(text("SELECT COUNT(*) FROM scans")).scalar() == 1
