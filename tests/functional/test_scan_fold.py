"""Folding pending scans into `scans` and the rollups: each answered scan counted exactly once.

The redirect writes `pending_scans` rows; folders (a thread in the web process or in each worker)
move them in batches. These tests drive the folding directly, on both databases.
"""
import datetime
import threading

import pytest
from sqlalchemy import func, insert, select

from exaroutes.models import PendingScan, Scan, ScanRollup
from exaroutes.codes.fold import ScanFolder, catch_up, fold_pending
from tests.helpers.http import new_code

DAY = datetime.datetime(2026, 12, 1, 10, 0)


def code_id(committed, short_id):
    from exaroutes.models import QrCode
    return committed(lambda db: db.scalar(select(QrCode.id).where(QrCode.short_id == short_id)))


def add_pending(dbengine, code, count, visitor=lambda i: f"v{i % 3}"):
    with dbengine.begin() as connection:
        connection.execute(insert(PendingScan), [
            {"code_id": code, "scanned_at": DAY + datetime.timedelta(seconds=i), "country": "DE",
             "device": "mobile", "os": "iOS", "browser": "Mobile Safari", "referrer": None, "visitor": visitor(i)}
            for i in range(count)])


def totals(dbengine):
    with dbengine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(PendingScan)),
                connection.scalar(select(func.count()).select_from(Scan)),
                connection.scalar(select(func.coalesce(func.sum(ScanRollup.scans), 0))
                                  .where(ScanRollup.dimension == "scans")),
                connection.scalar(select(func.coalesce(func.sum(ScanRollup.scans), 0))
                                  .where(ScanRollup.dimension == "unique")))


def test_a_fold_moves_pending_scans_into_scans_and_rollups_once(testapp, auth, committed, dbengine):
    code = code_id(committed, new_code(testapp, auth))
    add_pending(dbengine, code, 7)
    with dbengine.begin() as connection:
        assert fold_pending(connection, limit=5) == 5
    assert totals(dbengine) == (2, 5, 5, 3)
    with dbengine.begin() as connection:
        assert fold_pending(connection, limit=5) == 2
        assert fold_pending(connection, limit=5) == 0
    assert totals(dbengine) == (0, 7, 7, 3)          # 3 distinct visitors that day


def test_a_failed_fold_leaves_its_batch_pending(testapp, auth, committed, dbengine):
    code = code_id(committed, new_code(testapp, auth))
    add_pending(dbengine, code, 4)
    with pytest.raises(RuntimeError):
        with dbengine.begin() as connection:
            assert fold_pending(connection) == 4
            raise RuntimeError("the folder died before its commit")
    assert totals(dbengine) == (4, 0, 0, 0)


def test_two_folders_at_once_never_fold_a_scan_twice(testapp, auth, committed, dbengine, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: a second folder waits for the first (no skipping to test)")
    code = code_id(committed, new_code(testapp, auth))
    add_pending(dbengine, code, 10)
    second_folded = []

    def second_folder():     # skips the locked rows, then waits on the shared rollup rows until `first` commits
        with dbengine.begin() as second:
            second_folded.append(fold_pending(second, limit=6))

    with dbengine.begin() as first:
        assert fold_pending(first, limit=6) == 6        # holds its 6 rows, not committed yet
        other = threading.Thread(target=second_folder)
        other.start()
        other.join(0.5)
    other.join(10)
    assert second_folded == [4]
    assert totals(dbengine)[:3] == (0, 10, 10)


def test_a_reader_waits_for_a_batch_another_folder_holds(testapp, auth, committed, dbengine, backend):
    """catch_up must not skip rows in flight: what it returns includes every scan answered before."""
    if backend == "sqlite":
        pytest.skip("SQLite has one writer at a time: the reader simply waits for the folder's commit")
    code = code_id(committed, new_code(testapp, auth))
    add_pending(dbengine, code, 5)
    holding, release, seen = threading.Event(), threading.Event(), []

    def folder():
        with dbengine.begin() as connection:
            fold_pending(connection, limit=3)
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=folder)
    thread.start()
    holding.wait(10)

    def reader():
        committed(catch_up)
        seen.append(totals(dbengine)[1])

    read = threading.Thread(target=reader)
    read.start()
    read.join(0.5)
    assert read.is_alive()            # blocked behind the folder's locked rows, not skipping them
    release.set()
    thread.join(10)
    read.join(10)
    assert seen == [5]


def test_the_folder_thread_folds_in_the_background_and_on_stop(testapp, auth, committed, dbengine):
    code = code_id(committed, new_code(testapp, auth))
    add_pending(dbengine, code, 3)
    folder = ScanFolder(dbengine, interval=3600)    # one fold at start, then only on stop
    folder.ensure_running()
    add_pending(dbengine, code, 2)
    folder.stop()                                    # folds what is left before it returns
    assert totals(dbengine)[:3] == (0, 5, 5)


def test_analytics_include_scans_not_yet_folded(testapp, auth):
    short_id = new_code(testapp, auth)
    for _ in range(3):
        testapp.get(f"/r/{short_id}", headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"},
                    status=302)
    analytics = testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=auth).json
    assert analytics["totalScans"] == 3


def test_a_web_process_that_leaves_folding_to_the_workers_builds_and_registers_no_folder(dbengine, app_settings):
    """production.ini: `fold_in_web = false` with a change feed (the two both add shutdown hooks)."""
    from exaroutes import main

    app = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.scan.fold_in_web": "false",
                                         "exaroutes.changes.url": "redis://127.0.0.1:6379/15"})
    registry = app.registry
    try:
        assert registry["scan_folder"].ensure_running not in registry.get("on_serve", [])
        assert registry["change_feed"].stop in registry["on_shutdown"]
    finally:
        registry["scan_recorder"].close()
