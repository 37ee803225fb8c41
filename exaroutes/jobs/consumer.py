"""The huey consumer inside the web process: the embedded default needs no separate worker.

huey's `Consumer.start()` installs SIGINT/SIGTERM/SIGHUP handlers (and fails off the main thread);
in the web process those signals belong to the server (STYLE.md pitfall 12). This consumer leaves
them alone and stops its threads when the process exits.
"""
import atexit
import logging

from huey.consumer import Consumer

log = logging.getLogger(__name__)

# huey polls a SQLite queue with a back-off of up to 10 s by default: a job posted after a quiet
# spell would wait that long. Polling an idle SQLite file once a second costs nothing noticeable.
MAX_POLL_SECONDS = 1.0


class EmbeddedConsumer(Consumer):
    """A consumer that runs beside a server: worker threads, no signal handlers of its own."""

    def _set_signal_handlers(self):
        pass


def start_embedded_consumer(huey, workers):
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=True,
                                max_delay=MAX_POLL_SECONDS)
    consumer.start()
    atexit.register(consumer.stop, graceful=False)
    log.info("embedded huey consumer started with %d worker thread(s)", workers)
    return consumer
