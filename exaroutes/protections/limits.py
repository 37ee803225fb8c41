"""Expiry and scan caps: when a code stops leading anywhere.

The cap is claimed with one conditional UPDATE (`scan_count < max_scans`), checked by its row count
and committed at once on its own connection: the database serializes concurrent claims on the row,
so exactly `max_scans` scans get through however many arrive at once. Committing at once keeps the
row lock short (the scan itself is written right after on another connection, which on SQLite would
otherwise wait for this request's lock); a scan that then fails to be recorded has still used its claim.
`scan_count` is kept only while a cap is set (uncapped codes pay no extra write per scan); when a cap
is set later it starts from the scans already recorded.
"""
from sqlalchemy import func, select, update

from exaroutes.models import QrCode, Scan
from exaroutes.codes.fold import catch_up


def is_expired(code, now):
    return code.expires_at is not None and code.expires_at <= now


def is_capped(code):
    return code.max_scans is not None and code.scan_count >= code.max_scans


def claim_scan(engine, code):
    """Count one scan against the cap (committed); False when the cap is already reached."""
    with engine.begin() as connection:
        result = connection.execute(
            update(QrCode)
            .where(QrCode.id == code.id, QrCode.max_scans.is_not(None), QrCode.scan_count < QrCode.max_scans)
            .values(scan_count=QrCode.scan_count + 1))
    return result.rowcount == 1


def change_limits(dbsession, code, body):
    """Apply `expiresAt` / `maxScans` of a PUT body (None removes the limit)."""
    if "expiresAt" in body:
        code.expires_at = body["expiresAt"]
    if "maxScans" in body:
        if body["maxScans"] is not None and code.max_scans is None:
            catch_up(dbsession)     # every scan answered so far counts, folded or not yet
            code.scan_count = dbsession.scalar(select(func.count()).select_from(Scan)
                                               .where(Scan.code_id == code.id))
        code.max_scans = body["maxScans"]
