"""`exaroutes-worker CONFIG [--workers N]`: run the huey consumer for the ini's queue.

Production runs one or more of these beside the web processes (RedisHuey); each builds the app's
registry from the same ini, so tasks see the same settings, plugins and database. On start it
sweeps once, so jobs left behind by a killed worker are queued again without waiting a minute.
"""
import argparse
import logging
import sys

from exaroutes import main as make_app
from exaroutes.cli.common import load_config
from exaroutes.bulk.worker import sweep
from exaroutes.jobs.consumer import MAX_POLL_SECONDS

log = logging.getLogger(__name__)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="exaroutes-worker", description=__doc__)
    parser.add_argument("config_uri", help="the ini file, e.g. production.ini")
    parser.add_argument("--workers", type=int, help="worker threads (default: exaroutes.jobs.workers)")
    args = parser.parse_args(argv)
    settings = load_config(args.config_uri)
    settings["exaroutes.jobs.embedded_consumer"] = False     # this process *is* the consumer
    registry = make_app({}, **settings).registry
    swept = sweep(registry)
    log.info("startup sweep: %s", swept)
    consumer = registry["huey"].create_consumer(workers=args.workers or settings["exaroutes.jobs.workers"],
                                                periodic=True, max_delay=MAX_POLL_SECONDS)
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
