"""Real processes for deployment tests: `pserve` web processes, `exaroutes-worker`s and haproxy.

Each writes its output to a file (an unread pipe could fill and stall it) and is stopped by its own
PID when the test ends: nothing here ever signals a process it did not start.
"""
import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.services import free_port, unavailable

BIN = Path(sys.executable).parent

LOGGING = """
[loggers]
keys = root, exaroutes, huey

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[logger_exaroutes]
level = INFO
handlers =
qualname = exaroutes

# huey's "Shutting down gracefully..." tells a test that SIGTERM has set the stop flag
[logger_huey]
level = INFO
handlers =
qualname = huey

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s][%(threadName)s] %(message)s
"""


#: `write_ini(port=FROM_ENVIRONMENT)`: a server section without a port (EXAROUTES_PORT gives it)
FROM_ENVIRONMENT = "environment"


def write_ini(path, settings, port=None, threads=8):
    """An ini with `settings` in [app:main] (and a waitress server on `port`), logging to stderr."""
    lines = ["[app:main]", "use = egg:exaroutes"]
    lines += [f"{name} = {str(value).replace('%', '%%')}" for name, value in settings.items()]
    if port is not None:
        lines += ["", "[server:main]", "use = egg:exaroutes#waitress", "host = 127.0.0.1", f"threads = {threads}"]
        lines += [] if port == FROM_ENVIRONMENT else [f"port = {port}"]
    Path(path).write_text("\n".join(lines) + "\n" + LOGGING.replace("%", "%%").replace("%%(", "%("))
    return str(path)


class Process:
    def __init__(self, name, argv, log_path, env=None):
        self.name, self.log_path = name, Path(log_path)
        with open(self.log_path, "wb") as log:
            self.popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                          env={**os.environ, **(env or {})})

    @property
    def pid(self):
        return self.popen.pid

    def log(self):
        return self.log_path.read_text(errors="replace")

    def signal(self, sig):
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)

    def wait(self, timeout):
        return self.popen.wait(timeout)

    def stop(self):
        """At the end of a test: SIGKILL if still running (this process only)."""
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)


def get(port, path, headers=None, timeout=5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_ready(process, port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            pytest.fail(f"{process.name} exited with {process.popen.returncode}:\n{process.log()[-3000:]}")
        try:
            if get(port, "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{process.name} not ready within {timeout} s:\n{process.log()[-3000:]}")


def wait_for(condition, timeout, interval=0.1):
    """The first value of `condition()` that is not None, polled while other processes work."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := condition()) is not None:
            return value
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout} s")


def start_web(tmp_path, name, settings, threads=8, env=None):
    """A `pserve` on a free port, ready (its /readyz answered 200); returns (process, port)."""
    port = free_port()
    ini = write_ini(tmp_path / f"{name}.ini", settings, port=port, threads=threads)
    process = Process(name, [str(BIN / "pserve"), ini], tmp_path / f"{name}.log", env)
    wait_until_ready(process, port)
    return process, port


def start_worker(tmp_path, name, settings, env=None):
    ini = write_ini(tmp_path / f"{name}.ini", settings)
    return Process(name, [str(BIN / "exaroutes-worker"), ini], tmp_path / f"{name}.log", env)


HAPROXY = """global
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1

frontend web
    bind 127.0.0.1:{port}
    default_backend exaroutes

backend exaroutes
    balance roundrobin
    option httpchk GET /readyz
    http-check expect rstring \\"database\\":\\"ok\\"
    option allbackups
    default-server inter {inter_ms}ms fastinter {inter_ms}ms downinter {inter_ms}ms fall 1 rise 2
{servers}
"""


def start_haproxy(tmp_path, web_ports, inter_ms=100):
    """haproxy in front of `web_ports`, checking /readyz as deploy/haproxy.cfg does; returns (process, port)."""
    binary = shutil.which("haproxy")
    if binary is None:
        unavailable("haproxy is not installed (scripts/test installs it with apt-get)")
    port = free_port()
    servers = "\n".join([f"    server web{i} 127.0.0.1:{p} check" for i, p in enumerate(web_ports)]
                        + [f"    server web{i}-last-resort 127.0.0.1:{p} backup" for i, p in enumerate(web_ports)])
    config = tmp_path / "haproxy.cfg"
    config.write_text(HAPROXY.format(port=port, inter_ms=inter_ms, servers=servers))
    process = Process("haproxy", [binary, "-db", "-f", str(config)], tmp_path / "haproxy.log")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if get(port, "/readyz", timeout=2)[0] == 200:
                return process, port
        except OSError:
            pass
        if process.popen.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"haproxy did not come up:\n{process.log()[-3000:]}")
