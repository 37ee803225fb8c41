"""What a request gets while the database cannot be reached: 503 with `Retry-After`, never a 500.

A PostgreSQL restart used to answer 500 "unhandled error" wherever a query failed (the production
review counted 55 during a 3.4 s restart, most from the redirect's code lookup). A lost connection
is not a bug in the request but a passing outage: the client should retry, and the service heals
by itself (the pool checks connections before use, `pool_pre_ping`, and the scan recorder replaces
its connections after a failure). So every database error that means "unreachable" becomes 503: JSON in the
error shape on `/api`, the redirect's HTML page elsewhere (`/r/...`, the dashboard).

Which errors: the driver's OperationalError and InterfaceError (connection refused, reset or
closed, server shutting down, SQLite busy), any error SQLAlchemy marks as a lost connection, and
the pool's TimeoutError (every connection busy for `pool_timeout`). Other database errors
(integrity, programming) stay bugs: 500, logged with the traceback.

The same holds for an encrypted code (or a sealed copy of one) that does not decrypt with the
configured EXAROUTES_SECRET: the secret was changed or the row altered, which the operator must put
right and no request of the client's can; so it is a 503 that says so (JSON on `/api`, a page
elsewhere), logged in one line without the traceback or anything secret, instead of a 500.
"""
import logging

from sqlalchemy import exc as sa_exc

from exaroutes.errors import error_response, unexpected_error
from exaroutes.edge.paths import is_api, raw_path
from exaroutes.html import html_response, unavailable_page
from exaroutes.protections.encryption import UndecryptableCode

log = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = "The database is unavailable just now; retry after the number of seconds in Retry-After."
UNDECRYPTABLE_MESSAGE = ("The stored data of this code does not decrypt with the service's configured secret "
                         "(EXAROUTES_SECRET was changed, or the stored row was altered); nothing was changed. "
                         "Quote the X-Request-Id header to the service's operator.")


def is_outage(exc):
    """True for a database error that means "cannot reach the database", not "this query is wrong"."""
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def unavailable_response(request, retry_after):
    """The 503 for this request's kind of client: JSON on the API, HTML everywhere else."""
    if is_api(raw_path(request.environ)):
        return error_response(503, UNAVAILABLE_MESSAGE, headers={"Retry-After": str(retry_after)})
    return unavailable_page(retry_after)


def database_error_view(exc, request):
    if not is_outage(exc):
        return unexpected_error(exc, request)    # a bug: logged with its traceback, 500
    # One line, no traceback: an outage is an operations event, and it may last thousands of requests.
    log.warning("database unavailable: 503 for %s %s (request_id=%s): %s", request.method,
                request.environ.get("PATH_INFO", ""), getattr(request, "request_id", "-"),
                type(exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc).__name__)
    return unavailable_response(request, request.registry.settings["exaroutes.unavailable.retry_after_seconds"])


def undecryptable_view(exc, request):
    log.error("stored data does not decrypt with the configured secret: 503 for %s %s (request_id=%s)",
              request.method, raw_path(request.environ), getattr(request, "request_id", "-"))
    if is_api(raw_path(request.environ)):
        return error_response(503, UNDECRYPTABLE_MESSAGE)
    return html_response("This code cannot be opened", "<p>This QR code cannot be opened just now. The error "
                         "is logged for the service's operator.</p>", status=503)


def includeme(config):
    config.add_exception_view(database_error_view, sa_exc.SQLAlchemyError)
    config.add_exception_view(undecryptable_view, UndecryptableCode)
