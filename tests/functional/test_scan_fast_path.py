"""A scan (`GET /r/{id}`) runs without pyramid_tm's transaction and without pyramid_retry's retries;
everything else, including the other `/r/{id}/...` routes that use the request's session, keeps both."""
import contextlib

import pytest
from pyramid.events import NewRequest
from sqlalchemy import func, select

from exaroutes.models import Scan
from exaroutes.scan.fast_path import is_scan
from tests.functional.test_analytics import IPHONE, new_code


@contextlib.contextmanager
def request_machinery(app):
    """What each request saw of pyramid_tm and pyramid_retry, by path, read when it reached the router
    (inside both tweens; a route factory that stops the request, as the scan gate does, still counts)."""
    seen = {}

    def note(event):
        environ = event.request.environ
        seen[environ["PATH_INFO"]] = (environ.get("tm.active", False), environ.get("retry.attempts"))

    app.registry.registerHandler(note, (NewRequest,))
    try:
        yield seen
    finally:
        app.registry.unregisterHandler(note, (NewRequest,))


def test_a_scan_skips_the_request_transaction_and_retries_but_is_committed(app, testapp, auth, committed):
    short_id = new_code(testapp, auth)
    with request_machinery(app) as seen:
        testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE}, status=302)
        testapp.get(f"/r/{short_id}/contact.vcf", status=404)      # a url code has no contact card
        testapp.get(f"/api/qr/codes/{short_id}", headers=auth, status=200)
    assert seen[f"/r/{short_id}"] == (False, 1)
    assert seen[f"/r/{short_id}/contact.vcf"] == (True, 3)
    assert seen[f"/api/qr/codes/{short_id}"] == (True, 3)
    assert committed(lambda db: db.scalar(select(func.count()).select_from(Scan))) == 1


@pytest.mark.parametrize("path, scan", [
    ("/r/Ab3xK9pQ", True),
    ("/r/not-an-id-but-still-the-scan-route", True),   # the view answers 404 itself
    ("/r/Ab3xK9pQ/", False),
    ("/r/Ab3xK9pQ/password", False),
    ("/r/Ab3xK9pQ/contact.vcf", False),
    ("/r/", False),
    ("/api/qr/codes", False),
    ("/dashboard/r/Ab3xK9pQ", False),
])
def test_only_the_scan_route_is_a_scan(path, scan):
    class Request:
        environ = {"PATH_INFO": path}
    assert is_scan(Request()) is scan
