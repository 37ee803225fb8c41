"""Bodies over the limit (default 10 MiB) are 413 before a byte of them is read.

A declared `Content-Length` over the limit is refused at once (servers hand the app exactly the
declared bytes). A body without one is read through a capped stream that raises `BodyTooLarge` at
the first byte past the limit, so nothing in the app can ever hold more than the limit in memory.
"""
import json

from exaroutes.edge.access_log import request_id_of
from exaroutes.errors import ApiError, field_error


def too_large_message(limit):
    return f"The request body is larger than the limit of {limit} bytes."


class BodyTooLarge(ApiError):
    def __init__(self, limit):
        super().__init__(413, too_large_message(limit),
                         [field_error("body", "", f"larger than {limit} bytes")])


class CappedStream:
    """A file-like `wsgi.input` that refuses to yield more than `limit` bytes."""

    def __init__(self, stream, limit):
        self.stream = stream
        self.limit = limit
        self.consumed = 0

    def _count(self, chunk):
        self.consumed += len(chunk)
        if self.consumed > self.limit:
            raise BodyTooLarge(self.limit)
        return chunk

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.limit + 1 - self.consumed
        return self._count(self.stream.read(min(size, self.limit + 1 - self.consumed)))

    def readline(self, size=-1):
        if size is None or size < 0:
            size = self.limit + 1 - self.consumed
        return self._count(self.stream.readline(min(size, self.limit + 1 - self.consumed)))

    def __iter__(self):
        while line := self.readline():
            yield line


def declared_length(environ):
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class BodyLimit:
    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    def refuse(self, environ, start_response, status, message, name, description):
        body = json.dumps({"error": message, "errors": [field_error("header" if name else "body", name,
                                                                    description)]}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                ("X-Request-Id", request_id_of(environ))])
        return [body]

    def __getattr__(self, name):
        """`registry` and the rest of the Router stay reachable (pyramid.paster.bootstrap needs them)."""
        return getattr(self.app, name)

    def __call__(self, environ, start_response):
        length = declared_length(environ)
        if length is None or length < 0:
            return self.refuse(environ, start_response, "400 Bad Request", "Content-Length is not a number.",
                               "Content-Length", "must be a non-negative integer")
        if length > self.limit:
            return self.refuse(environ, start_response, "413 Request Entity Too Large",
                               too_large_message(self.limit), "Content-Length", f"over {self.limit} bytes")
        if not environ.get("CONTENT_LENGTH") and "wsgi.input" in environ:
            # No declared length (e.g. chunked): the only way to know the size is to read, so read capped.
            environ["wsgi.input"] = CappedStream(environ["wsgi.input"], self.limit)
            environ.pop("webob.is_body_seekable", None)
        try:
            return self.app(environ, start_response)
        except BodyTooLarge:
            # Raised while the body was being made seekable, before the router could answer.
            return self.refuse(environ, start_response, "413 Request Entity Too Large",
                               too_large_message(self.limit), "", f"over {self.limit} bytes")
