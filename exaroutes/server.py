"""`[server:main] use = egg:exaroutes#waitress`: waitress on 127.0.0.1, port from `http_port`.

PasteDeploy lets an ini's own [DEFAULT] win over `pserve development.ini http_port=8080`, so a
default port written in the file would make the command-line value useless. This runner takes
`http_port` from pserve's variables when given and falls back to 6543 otherwise.
"""
import waitress

from exaroutes.scan.enrich import warm_up

DEFAULT_PORT = "6543"


def serve(app, global_conf, host="127.0.0.1", port=None, **waitress_options):
    port = port or global_conf.get("http_port") or DEFAULT_PORT
    # The user-agent parsers, built now rather than while the first scans wait; only in a process that
    # serves HTTP (28 MB resident): bulk workers bootstrap the same app and never parse a user agent.
    warm_up()
    waitress.serve(app, listen=f"{host}:{port}", **waitress_options)
