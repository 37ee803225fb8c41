"""Graceful shutdown of a web process on SIGTERM (DESIGN.md §9): no request in flight is cut.

waitress's own `serve()` ends its loop on SIGTERM at once, dropping whatever was being answered
(the production review counted 9 failed requests per restart at ~300 requests/s). This runner
drives waitress's event loop itself and, on SIGTERM or SIGINT, goes through three phases:

1. draining, `exaroutes.shutdown.drain_seconds`: everything is served as before, but `/readyz`
   answers 503 and every response closes its connection (`Connection: close`), so the load
   balancer's next health check moves new traffic to the other processes, and keep-alive clients
   reconnect (0 s when nothing checks, e.g. in development);
2. closing: the listening socket is closed (new connections are refused and a load balancer
   retries them elsewhere), idle keep-alive connections are closed, and requests already received
   run to the end, for at most `exaroutes.shutdown.timeout_seconds`;
3. stopping: the worker threads end, the scan folder folds what is still pending (every answered
   scan is already committed by its request), and `serve` returns, so `pserve` exits 0.

A second signal skips what is left of the waiting.
"""
import logging
import signal
import time

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

from exaroutes.edge.server_errors import JsonErrorTask

log = logging.getLogger(__name__)

SERVING, DRAINING, CLOSING = "serving", "draining", "closing"
#: how long one turn of the event loop may wait for sockets while stopping (the phases' resolution)
STOP_TICK = 0.05


def busy(channel):
    """A connection that has a request being read, queued, answered, or output not yet sent."""
    return bool(channel.requests) or channel.request is not None or channel.total_outbufs_len > 0


class ClosingWhenDrainingTask(WSGITask):
    """Answers with `Connection: close` once draining (a WSGI app may not set that hop-by-hop header)."""

    def build_response_header(self):
        if self.channel.server.exaroutes_state.draining:
            self.request.headers["CONNECTION"] = "close"
        return super().build_response_header()


class DrainAwareChannel(HTTPChannel):
    task_class = ClosingWhenDrainingTask
    error_task_class = JsonErrorTask    # what waitress refuses by itself, in the API's JSON error shape


class GracefulServer:
    def __init__(self, app, state, drain_seconds, timeout_seconds, on_stopped=(), **waitress_options):
        self.server = create_server(app, **waitress_options)
        self.server.channel_class = DrainAwareChannel
        self.server.exaroutes_state = self.state = state     # exaroutes.edge.health.ProcessState
        self.drain_seconds = drain_seconds
        self.timeout_seconds = timeout_seconds
        self.on_stopped = list(on_stopped)      # callables run after the last request (fold pending scans)
        self.phase = SERVING
        self.phase_ends = None
        self.signals = 0

    @property
    def address(self):
        return self.server.effective_host, int(self.server.effective_port)

    def request_stop(self, signum=None, frame=None):
        """The signal handler: runs on the main thread between two turns of the loop."""
        self.signals += 1
        if self.signals == 1:
            log.info("signal %s: draining for %.1f s, then finishing requests in flight (at most %.1f s)",
                     signum, self.drain_seconds, self.timeout_seconds)
            self.state.draining = True
            self.phase, self.phase_ends = DRAINING, time.monotonic() + self.drain_seconds
        else:
            log.warning("signal %s again: stopping without waiting any longer", signum)
            self.phase_ends = time.monotonic()
        self.server.pull_trigger()              # wake the loop now, not after its timeout

    def channels(self):
        return [c for c in list(self.server._map.values()) if isinstance(c, HTTPChannel)]

    def close_listener(self):
        """No new connections: the socket is closed, a client's connect is refused (and retried elsewhere)."""
        self.server.accepting = False
        wasyncore.dispatcher.close(self.server)     # the server's own close() would also close the trigger

    def run(self):
        """Serve until a signal, then drain, finish and stop; returns when the process may exit (0)."""
        previous = {sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        adj = self.server.adj
        try:
            while True:
                tick = adj.asyncore_loop_timeout if self.phase == SERVING else STOP_TICK
                wasyncore.loop(timeout=tick, map=self.server._map, use_poll=adj.asyncore_use_poll, count=1)
                if self.phase == SERVING:
                    continue
                now = time.monotonic()
                if self.phase == DRAINING and now >= self.phase_ends:
                    self.close_listener()
                    self.phase, self.phase_ends = CLOSING, now + self.timeout_seconds
                if self.phase == CLOSING:
                    if self.finish_connections(now >= self.phase_ends):
                        break
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stop()
        return 0

    def finish_connections(self, out_of_time):
        """Close what is idle; True once no connection is left (or the time is up)."""
        open_channels = self.channels()
        if out_of_time:
            cut = [channel for channel in open_channels if busy(channel)]
            if cut:
                log.warning("shutdown: time is up; closing %d connection(s) still busy", len(cut))
            for channel in open_channels:
                channel.handle_close()
            return True
        for channel in open_channels:
            if not busy(channel) and not channel.will_close:
                channel.will_close = True       # the loop closes it on its next turn
        return not open_channels

    def stop(self):
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        for callback in self.on_stopped:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the others must still run; the process is ending
                log.exception("shutdown: %r failed", callback)
        self.server.trigger.close()
        log.info("shutdown complete")
