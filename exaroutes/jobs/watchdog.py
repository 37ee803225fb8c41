"""A worker that cannot reach its queue exits non-zero, so its supervisor sees it and restarts it.

huey's consumer logs "Error reading from queue" and tries again forever: the production review's
worker pointed at a dead Redis logged 57 tracebacks in 25 s and never exited, looking healthy to
systemd. This thread pings the queue's Redis every `interval` seconds; after `limit` seconds without
an answer it logs one error and interrupts the consumer, and `exaroutes-worker` exits with
`EXIT_QUEUE_UNREACHABLE`. A queue that answers again in time resets the count.
"""
import logging
import os
import signal
import threading
import time

log = logging.getLogger(__name__)

EXIT_QUEUE_UNREACHABLE = 3


def queue_ping(huey):
    """A function that raises when the queue cannot be reached, or None for a queue without a server."""
    connection = getattr(huey.storage, "conn", None)
    return getattr(connection, "ping", None)


class QueueWatchdog:
    def __init__(self, ping, limit, interval=1.0, give_up=None):
        self.ping = ping
        self.limit = limit
        self.interval = interval
        self.give_up = give_up or self.interrupt_consumer
        self.gave_up = False
        self.stopped = threading.Event()

    def start(self):
        threading.Thread(target=self.run, name="queue-watchdog", daemon=True).start()

    def stop(self):
        self.stopped.set()

    def run(self):
        last_answer = time.monotonic()
        while not self.stopped.wait(self.interval):
            try:
                self.ping()
                last_answer = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - whatever the reason, the queue did not answer
                silent = time.monotonic() - last_answer
                if silent >= self.limit:
                    log.error("the job queue has not answered for %.0f s (%s); exiting with status %d so the "
                              "supervisor restarts this worker", silent, type(exc).__name__, EXIT_QUEUE_UNREACHABLE)
                    self.gave_up = True
                    self.give_up()
                    return

    @staticmethod
    def interrupt_consumer():
        """SIGINT is the consumer's "stop now" signal (SIGTERM is its graceful one: exaroutes.cli.worker)."""
        os.kill(os.getpid(), signal.SIGINT)
