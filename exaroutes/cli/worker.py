"""`exaroutes-worker CONFIG [--workers N]`: run the huey consumer for the ini's queue.

Production runs one or more of these beside the web processes (RedisHuey); each builds the app's
registry from the same ini, so tasks see the same settings, plugins and database. On start it
sweeps once, so slices left behind by a killed worker are queued again at once.

Beside the consumer run two threads: the lease keeper (renews this worker's bulk-slice leases and
takes over abandoned slices, exaroutes.bulk.leases) and the queue watchdog (exaroutes.jobs.watchdog).

Exit status: 0 after SIGTERM (graceful: the current chunk is committed, the slice handed back to
another worker, within `exaroutes.jobs.shutdown_seconds`); 3 when the queue could not be reached for
`exaroutes.jobs.queue_unreachable_seconds`, so a supervisor restarts the worker and shows the fault.
Scans: it also runs the scan folder (exaroutes/codes/fold.py), which moves the scans the web processes
recorded into the raw scans and the rollups: production.ini keeps that work out of the web processes.

A development server can start one of these itself (exaroutes.jobs.consumer_process): that worker
leaves folding to the server (`fold_in_web`) and stops when the server is gone.
"""
import argparse
import logging
import os
import sys

from exaroutes import main as make_app
from exaroutes.cli.common import load_config
from exaroutes.bulk.worker import sweep
from exaroutes.jobs.consumer import MAX_POLL_SECONDS, PARENT_ENV, watch_parent
from exaroutes.jobs.watchdog import EXIT_QUEUE_UNREACHABLE, QueueWatchdog, queue_ping

log = logging.getLogger(__name__)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="exaroutes-worker", description=__doc__)
    parser.add_argument("config_uri", help="the ini file, e.g. production.ini")
    parser.add_argument("--workers", type=int, help="worker threads (default: exaroutes.jobs.workers)")
    args = parser.parse_args(argv)
    settings = load_config(args.config_uri)
    settings["exaroutes.jobs.embedded_consumer"] = False     # this process *is* the consumer
    registry = make_app({}, **settings).registry
    settings = registry.settings
    huey = registry["huey"]
    # SIGTERM (what systemd and process managers send) is the graceful stop; SIGINT stops at once.
    consumer = huey.create_consumer(workers=args.workers or settings["exaroutes.jobs.workers"], periodic=True,
                                    max_delay=MAX_POLL_SECONDS, graceful_signal="TERM",
                                    shutdown_timeout=settings["exaroutes.jobs.shutdown_seconds"])
    registry["worker_stopping"] = consumer.stop_flag     # a slice checks it between chunks
    watchdog = None
    if (ping := queue_ping(huey)) is not None:
        watchdog = QueueWatchdog(ping, settings["exaroutes.jobs.queue_unreachable_seconds"])
        watchdog.start()
    registry["bulk_leases"].start()
    parent = os.environ.get(PARENT_ENV)     # started by a development server (exaroutes.jobs.consumer_process)
    if not (parent and settings["exaroutes.scan.fold_in_web"]):     # that server folds its scans itself
        registry["scan_folder"].ensure_running()
    if parent:
        watch_parent(int(parent))
    log.info("startup sweep: %s", sweep(registry))
    consumer.run()
    registry["bulk_leases"].stop()
    if watchdog is not None and watchdog.gave_up:
        return EXIT_QUEUE_UNREACHABLE
    return 0


if __name__ == "__main__":
    sys.exit(main())
