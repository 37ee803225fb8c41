"""Counting recorded scans while a folder moves them from `pending_scans` into `scans`."""
from sqlalchemy import func, select

from exaroutes.models import PendingScan, Scan


def recorded_scans(connection):
    """Scans stored so far, folded or still pending, in ONE statement: one snapshot, so a fold that
    commits between two separate COUNTs cannot make its batch count nowhere (or twice)."""
    return connection.execute(select(select(func.count()).select_from(Scan).scalar_subquery()
                                     + select(func.count()).select_from(PendingScan).scalar_subquery())).scalar()
