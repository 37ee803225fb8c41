"""Migration 0006 turns the scans recorded before it into rollups, so no history is lost."""
import datetime

from sqlalchemy import text

from exaroutes.codes.analytics import code_analytics
from exaroutes.migrations import upgrade
from exaroutes.models import QrCode, get_session_factory


def test_existing_scans_become_rollups(fresh_engine):
    upgrade(fresh_engine, "0001")
    noon = datetime.datetime(2026, 5, 21, 12)
    with fresh_engine.begin() as connection:
        connection.execute(text("INSERT INTO workspaces (id, name, is_test, created_at) "
                                "VALUES (1, 'w', false, :t)"), {"t": noon})
        connection.execute(text(
            "INSERT INTO qr_codes (id, short_id, workspace_id, type, data_type, data, destination, format, style, "
            "status, protections, encrypted, image, image_etag, created_at, updated_at) VALUES (1, 'abcdEFGH', 1, "
            "'dynamic', 'url', '\"https://e.x/\"', 'https://e.x/', 'png', '{}', 'active', '[]', false, :img, 'e', "
            ":t, :t)"), {"t": noon, "img": b""})
        for hours_ago, country, device, visitor in ((0, "DE", "mobile", "a"), (1, "DE", None, "a"),
                                                    (2, "US", "desktop", None), (30, "US", "mobile", "b")):
            connection.execute(text("INSERT INTO scans (code_id, scanned_at, country, device, visitor) "
                                    "VALUES (1, :t, :c, :d, :v)"),
                               {"t": noon - datetime.timedelta(hours=hours_ago), "c": country, "d": device,
                                "v": visitor})
    upgrade(fresh_engine)
    with get_session_factory(fresh_engine)() as session:
        result = code_analytics(session, session.get(QrCode, 1), 7, noon.date())
    assert [d["scans"] for d in result["timeseries"]][-2:] == [1, 3]
    assert (result["totalScans"], result["uniqueScans"]) == (4, 3)
    assert result["countries"] == [{"country": "DE", "scans": 2}, {"country": "US", "scans": 2}]
    assert result["devices"] == [{"device": "mobile", "scans": 2}, {"device": "desktop", "scans": 1},
                                 {"device": "unknown", "scans": 1}]
