"""A protected code as the redirect tests make it (password, limits) and the count of its recorded scans."""
from sqlalchemy import func, select

from exaroutes.codes.fold import catch_up
from exaroutes.models import Scan

URL = "https://example.com/members"
PASSWORD = "correct horse"


def create(testapp, auth, **body):
    body.setdefault("data", URL)
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=201).json


def scans(committed):
    """Scans recorded so far, once every answered scan is folded into `scans`."""
    committed(catch_up)
    return committed(lambda db: db.scalar(select(func.count()).select_from(Scan)))
