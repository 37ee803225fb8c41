"""`exaroutes-db upgrade CONFIG`: apply the alembic migrations to the configured database."""
import argparse
import sys

from exaroutes.cli.common import load_config
from exaroutes.migrations import upgrade
from exaroutes.models import get_engine


def main(argv=None):
    parser = argparse.ArgumentParser(prog="exaroutes-db", description=__doc__)
    parser.add_argument("command", choices=["upgrade"])
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    settings = load_config(args.config_uri)
    engine = get_engine(settings)
    try:
        upgrade(engine, args.revision)
    finally:
        engine.dispose()
    print(f"database at revision {args.revision}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
