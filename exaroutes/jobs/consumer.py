"""The embedded consumer: the development server runs its own jobs, no separate worker to start.

Two ways, chosen by `exaroutes.jobs.consumer_process`:
- threads in the web process (`false`, the default, and development.ini's): huey's
  `Consumer.start()` installs SIGINT/SIGTERM/SIGHUP handlers (and fails off the main thread); in
  the web process those signals belong to the server (STYLE.md pitfall 12). This consumer leaves
  them alone and stops its threads when the process exits.
- one child process (`true`): the server starts `exaroutes-worker` on its own ini when it begins
  serving, starts it again if it dies, and stops it (SIGTERM, the worker's graceful stop) after the
  last request. Why: webhook deliveries are one signed HTTP POST per scan, and bulk jobs render
  images; in the web process both compete with the request threads for the GIL. On 2 shared cores
  it measured only somewhat better than threads (BENCHMARKS.md "Webhooks (issue 17)"): the CPU a
  delivery costs is the same wherever it runs. The child exits by itself if the server dies
  without stopping it (it watches its parent).
"""
import atexit
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from huey.consumer import Consumer

log = logging.getLogger(__name__)

# huey polls a SQLite queue with a back-off of up to 10 s by default: a job posted after a quiet
# spell would wait that long. Polling an idle SQLite file once a second costs nothing noticeable.
MAX_POLL_SECONDS = 1.0
#: set in the child's environment to the server's PID: the worker stops when its parent is gone
PARENT_ENV = "EXAROUTES_CONSUMER_PARENT"


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


class ConsumerProcess:
    """`exaroutes-worker CONFIG_FILE` as a supervised child of the serving process.

    `start` (an on_serve hook) launches it from a supervising thread, which launches it again after
    an unexpected exit (1 s, doubling up to 30 s while it keeps failing at once); `stop` (an
    on_shutdown hook) sends SIGTERM and waits up to `stop_seconds` (the worker's own graceful
    limit) before SIGKILL.
    """

    def __init__(self, config_file, stop_seconds, first_delay=1.0, longest_delay=30.0):
        self.config_file = config_file
        self.stop_seconds = stop_seconds
        self.first_delay, self.longest_delay = first_delay, longest_delay
        self.process = None
        self.starts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = None

    def argv(self):
        return [sys.executable, "-m", "exaroutes.cli.worker", self.config_file]

    def start(self):
        self._thread = threading.Thread(target=self._supervise, name="consumer-process", daemon=True)
        self._thread.start()
        atexit.register(self.stop)      # a server that ends without its shutdown hooks

    def _launch(self):
        with self._lock:
            if self._stopping.is_set():
                return None
            self.process = subprocess.Popen(self.argv(), env={**os.environ, PARENT_ENV: str(os.getpid())})
            self.starts += 1
            log.info("consumer process %d started (exaroutes-worker %s)", self.process.pid, self.config_file)
            return self.process

    def _supervise(self):
        delay = self.first_delay
        while (process := self._launch()) is not None:
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started > self.longest_delay:
                delay = self.first_delay          # it had been running fine: no back-off
            log.error("consumer process %d exited with %s; starting it again in %g s", process.pid, code, delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.longest_delay)

    def stop(self):
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(self.stop_seconds)
        except subprocess.TimeoutExpired:
            log.error("consumer process %d did not stop within %g s: killed", process.pid, self.stop_seconds)
            process.kill()
            process.wait()


def watch_parent(parent_pid, interval=1.0):
    """In a worker started by ConsumerProcess: SIGTERM ourselves (a graceful stop) once the server that
    started us is gone, so a killed server does not leave its consumer behind."""

    def run():
        while os.getppid() == parent_pid:
            time.sleep(interval)
        log.warning("the server (pid %d) that started this worker is gone: stopping", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=run, name="parent-watch", daemon=True).start()
