"""The raw-path classifiers of the edge (exaroutes.edge.paths): the one answer to "is this the API, a
scan, the dashboard" that the rate limits, the access log, the outage page and the scan dispatch share."""
import re

import pytest

from exaroutes.edge.paths import DASHBOARD_PATHS, is_api, is_dashboard, is_scan, is_scan_side
from exaroutes.scan.dispatch import scan_short_id

PATHS = ["/", "", "/api/", "/api/qr/codes", "/api", "/apix/", "/r/", "/r/Ab3xK9pQ", "/r/Ab3xK9pQ/",
         "/r/Ab3xK9pQ/password", "/r/Ab3xK9pQ/contact.vcf", "/r", "/rr/x", "/r/caf\xc3\xa9", "/r/a\nb",
         "/dashboard", "/dashboard/", "/dashboard/codes", "/dashboards", "/dashboardx/", "/assets/copy.js"]


@pytest.mark.parametrize("path", PATHS)
def test_the_dashboard_check_and_its_view_predicate_agree(path):
    assert is_dashboard(path) == bool(re.search(DASHBOARD_PATHS, path))


def test_each_part_of_the_service():
    assert [p for p in PATHS if is_api(p)] == ["/api/", "/api/qr/codes"]
    assert [p for p in PATHS if is_scan(p)] == ["/r/Ab3xK9pQ", "/r/caf\xc3\xa9", "/r/a\nb"]
    assert [p for p in PATHS if is_scan_side(p)] == [
        "/r/", "/r/Ab3xK9pQ", "/r/Ab3xK9pQ/", "/r/Ab3xK9pQ/password", "/r/Ab3xK9pQ/contact.vcf", "/r/caf\xc3\xa9",
        "/r/a\nb"]
    assert [p for p in PATHS if is_dashboard(p)] == ["/dashboard", "/dashboard/", "/dashboard/codes"]


@pytest.mark.parametrize("path, short_id", [
    ("/r/Ab3xK9pQ", "Ab3xK9pQ"), ("/r/caf\xc3\xa9", "café"), ("/r/", None), ("/r/Ab3xK9pQ/", None),
    ("/r/Ab3xK9pQ/contact.vcf", None), ("/r/\xff", None), ("/api/qr/codes", None)])
def test_the_scan_dispatch_takes_exactly_the_scan_route(path, short_id):
    """`{short_id}` is one non-empty segment; a segment that is not UTF-8 goes to the router (its 400)."""
    assert scan_short_id({"REQUEST_METHOD": "GET", "PATH_INFO": path}) == short_id
    assert scan_short_id({"REQUEST_METHOD": "POST", "PATH_INFO": path}) is None
