"""Which requests are scans (`GET /r/{short_id}`), so request-wide machinery can step aside for them.

pyramid_tm and pyramid_retry run for every request, but the scan view never uses `request.dbsession`:
the code comes from the code cache (its own short session), a cap is claimed by an autocommitted
UPDATE, and the scan row is committed by the group-commit writer before the answer. For a scan the
transaction manager only begins and commits an empty transaction (and asks the security policy who
the caller is, to annotate it), and a retry would be wrong anyway: the scan is already recorded, a
second attempt would count it twice. Skipping both saves 35-37 µs (17%) of a scan's request path
(BENCHMARKS.md "Redirect"). Should the view ever use `request.dbsession`, the explicit transaction
manager that was never begun makes the first query raise `transaction.interfaces.NoTransaction`:
loudly, never a silent write outside a transaction.

Only the scan route itself is matched: `/r/{id}/password` and `/r/{id}/contact.vcf` use the database
through the request's session and keep both.
"""
import re

#: the raw PATH_INFO of the `scan` route: Pyramid's `{short_id}` matches one segment without `/`
SCAN_PATH = re.compile(r"/r/[^/]+")


def is_scan(request):
    """Read the raw WSGI path: `request.path_info` would decode it, which can fail and costs time."""
    return SCAN_PATH.fullmatch(request.environ.get("PATH_INFO", "")) is not None


def transaction_wanted(request):
    """`tm.activate_hook`: no per-request transaction for a scan."""
    return not is_scan(request)


def retry_attempts(request):
    """`retry.activate_hook`: one attempt for a scan (None keeps the configured `retry.attempts`)."""
    return 1 if is_scan(request) else None
