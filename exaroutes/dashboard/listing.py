"""What the codes table shows beyond the code object: recent scan counts for a page of codes."""
import datetime

from sqlalchemy import func, select

from exaroutes.clock import utcnow
from exaroutes.models import Scan
from exaroutes.codes.fold import catch_up

RECENT_DAYS = 30


def recent_scan_counts(dbsession, codes, days=RECENT_DAYS):
    """{code id: scans in the last `days` UTC days}, the same window as the analytics; one query per page."""
    if not codes:
        return {}
    catch_up(dbsession)
    start = datetime.datetime.combine(utcnow().date() - datetime.timedelta(days=days - 1), datetime.time())
    rows = dbsession.execute(select(Scan.code_id, func.count()).where(
        Scan.code_id.in_([code.id for code in codes]), Scan.scanned_at >= start).group_by(Scan.code_id))
    return dict(rows.all())
