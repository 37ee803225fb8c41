"""What every request passes through before and after the app: request id, access log, body cap.

These are WSGI middleware, not tweens, because they must act before anything reads the body
(pyramid_retry makes the body seekable, i.e. reads it, before the router runs) and must see the
final status of every response, including the ones the app never produced.
"""
from exaroutes.edge.access_log import AccessLog
from exaroutes.edge.body_limit import BodyLimit
from exaroutes.edge.health import Health


def wrap_app(app, settings):
    """The app as served: health checks first (never logged or limited), then the access log, so it
    times and logs even a 413."""
    access_log = AccessLog(BodyLimit(app, settings["exaroutes.max_body_bytes"]),
                           settings["exaroutes.access.scan_sample"])
    return Health(access_log, app.registry)
