"""The answers waitress gives on its own (a request the app never sees) in the API's JSON error shape.

waitress refuses some requests before they reach any WSGI app: a body declared over
`max_request_body_size` (which must be refused before it is read, so the app cannot answer it), a header
with a NUL, a duplicate or negative Content-Length, headers over `max_request_header_size`, an unknown
Transfer-Encoding, and the 500 it sends when an app fails before its response started. Its own answer is
text/plain; a client of a JSON API should not need a second parser for these. So the channel's error
task is replaced (exaroutes.shutdown.DrainAwareChannel) by one that writes `{"error", "errors"}`
with an `X-Request-Id`, like every app error.

What this cannot cover (README "API notes"): a connection waitress closes without a response (a
malformed request line it cannot even answer, a client that stops sending), and a failure after the
app's response headers went out (the connection is then cut, the status line already sent).
"""
import json
import uuid

from waitress.task import ErrorTask
from waitress.utilities import RequestEntityTooLarge, RequestHeaderFieldsTooLarge, ServerNotImplemented

from exaroutes.errors import field_error


def error_fields(error, request):
    """(location, name) of the `errors` entry: which part of the request waitress refused."""
    if isinstance(error, RequestEntityTooLarge):
        return ("body", "") if request.chunked else ("header", "Content-Length")
    if isinstance(error, RequestHeaderFieldsTooLarge):
        return ("header", "")
    if isinstance(error, ServerNotImplemented):
        return ("header", "Transfer-Encoding")
    if error.code == 500:
        return ("server", "")
    return ("header", "")


def json_error(error, request):
    """(status, headers, body bytes) of waitress' `error` in the JSON shape."""
    description = str(error.body).strip().rstrip(".") or error.reason
    if error.code == 500:   # never echo a traceback, whatever expose_tracebacks says
        description = "unexpected internal error"
    location, name = error_fields(error, request)
    body = json.dumps({"error": f"{error.reason}: {description}.",
                       "errors": [field_error(location, name, description)]}).encode()
    headers = [("Content-Type", "application/json"), ("X-Request-Id", uuid.uuid4().hex),
               ("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")]
    return f"{error.code} {error.reason}", headers, body


class JsonErrorTask(ErrorTask):
    """waitress' ErrorTask, answering in JSON."""

    def execute(self):
        status, headers, body = json_error(self.request.error, self.request)
        self.status = status
        self.response_headers.extend(headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)
