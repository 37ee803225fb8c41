"""ExaRoutes: dynamic and static QR codes."""
from pyramid.config import Configurator

from exaroutes.edge import wrap_app
from exaroutes.scan.dispatch import ScanDispatch
from exaroutes.settings import load_settings


def main(global_config, **settings):
    """WSGI app factory; pserve reaches it through `use = egg:exaroutes`."""
    settings = load_settings(settings)
    settings["handle_exceptions"] = "false"    # our JSON exception views replace Cornice's
    with Configurator(settings=settings) as config:
        config.registry["config_file"] = global_config.get("__file__")   # the ini pserve read, if any
        config.include("cornice")
        config.include(".edge.public_base")  # absolute URLs from the configured base, not the Host header
        config.include(".edge.request_id")  # X-Request-Id on every response, for logs and support
        config.include(".models")      # engine, request.dbsession, pyramid_tm, pyramid_retry
        config.include(".plugins")     # data types and renderers from entry points, loaded once
        config.include(".auth")        # bearer-key security policy
        config.include(".edge.rate_limits")  # per key on /api, per address on /r/{id}
        config.include(".edge.security_headers")  # CSP, nosniff, Referrer-Policy
        config.include(".api.idempotency")  # Idempotency-Key on creating POSTs
        # before .jobs: the embedded consumer may run a delivery as soon as .jobs starts it
        config.include(".webhooks")    # /api/webhooks, the outbox and its delivery settings
        config.include(".jobs")        # huey queue, tasks, request.enqueue_after_commit
        config.include(".errors")      # one JSON error shape for every 4xx/5xx
        config.include(".edge.outage")  # database unreachable, secret that does not decrypt: 503, never 500
        config.include(".api")         # Cornice services under /api
        config.include(".scan")        # /r/{short_id} and every route under it, through the one scan gate
        config.include(".domains")     # /api/domains, the redirect's host rule, /internal/domains/allowed
        config.include(".dashboard")   # HTML pages under /dashboard/, signed in with an API key
        # scans in front of the router; access log and 413-before-reading around everything
        return wrap_app(ScanDispatch(config.make_wsgi_app()), settings)
