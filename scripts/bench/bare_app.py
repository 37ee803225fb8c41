"""The baseline of the redirect benchmark: a bare Pyramid app on waitress that answers a constant 302.

Usage: python scripts/bench/bare_app.py PORT THREADS     (redirect.py starts it)
"""
import argparse

import waitress
from pyramid.config import Configurator
from pyramid.response import Response


def redirect(request):
    response = Response(status=302)
    response.location = "https://example.com/"
    response.headers["Cache-Control"] = "no-store"
    return response


def make_app():
    with Configurator() as config:
        config.add_route("scan", "/r/{short_id}")
        config.add_view(redirect, route_name="scan")
        return config.make_wsgi_app()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("threads", type=int)
    args = parser.parse_args(argv)
    waitress.serve(make_app(), listen=f"127.0.0.1:{args.port}", threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
