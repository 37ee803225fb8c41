"""`[server:main] use = egg:exaroutes#waitress`: waitress with a graceful shutdown (exaroutes.shutdown).

Where it listens: `EXAROUTES_HOST` / `EXAROUTES_PORT` from the environment, else the ini's `host` and
`port`, else `pserve production.ini http_port=8080`, else 6543. PasteDeploy lets an ini's own [DEFAULT]
win over `pserve development.ini http_port=8080`, so a default port written in the file would make
the command-line value useless: the default lives here instead.

A body over `exaroutes.max_body_bytes` must be refused before it is read. waitress reads a whole
declared body before the app sees the request, so only waitress can refuse it in time: its
`max_request_body_size` is the app's limit plus one (waitress refuses lengths >= its setting), set
here when the ini does not say; waitress' own refusals answer in JSON (exaroutes.edge.server_errors).
"""
from exaroutes.scan.enrich import warm_up
from exaroutes.settings import server_options
from exaroutes.shutdown import GracefulServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "6543"


def serve(app, global_conf, **options):
    options = server_options(options)
    options.setdefault("max_request_body_size", app.registry.settings["exaroutes.max_body_bytes"] + 1)
    host = options.pop("host", None) or DEFAULT_HOST
    port = options.pop("port", None) or global_conf.get("http_port") or DEFAULT_PORT
    # The user-agent parsers, built now rather than while the first scans wait; only in a process that
    # serves HTTP (28 MB resident): bulk workers bootstrap the same app and never parse a user agent.
    warm_up()
    registry = app.registry
    settings = registry.settings
    server = GracefulServer(app, registry["process_state"], settings["exaroutes.shutdown.drain_seconds"],
                            settings["exaroutes.shutdown.timeout_seconds"],
                            on_stopped=registry.get("on_shutdown", ()), listen=f"{host}:{port}", **options)
    for start in registry.get("on_serve", ()):      # background work of a serving process (change feed)
        start()
    server.server.print_listen("Serving on http://{}:{}")
    return server.run()
