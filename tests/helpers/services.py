"""External services the suite exercises: PostgreSQL and Redis.

Locally a missing server skips its tests; under CI=true it fails them, so a green CI run always
means both backends were really tested (segno and Kinto skip silently; we do not).
"""
import os
import pathlib
import socket
import subprocess
import sys
import time

import pytest

from exaroutes.testing import (  # noqa: F401  (shipped with the package for plugin tests too)
    IN_CI, POSTGRES_ADMIN_URL, create_postgres_database, reachable, require, unavailable)

REDIS_URL = os.environ.get("EXAROUTES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_url():
    require("Redis", REDIS_URL, 6379)
    return REDIS_URL


def free_port():
    """A TCP port nobody listens on, chosen by the kernel from its ephemeral range.

    Fixed ranges collide when two suites run at once on one machine (a test could then talk to the
    other suite's server); the kernel hands out ephemeral ports in turn, so such a clash is unlikely.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_pserve(ini, log, *arguments, env=None, port, timeout=60):
    """A real `pserve ini` process (output to the file `log`), returned once `port` accepts connections."""
    pserve = os.path.join(os.path.dirname(sys.executable), "pserve")
    with open(log, "wb") as output:   # a file, not a pipe: an unread pipe could fill and stall the server
        process = subprocess.Popen([pserve, str(ini), *arguments], stdout=output, stderr=output, env=env)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"pserve did not start: {pathlib.Path(log).read_text()[-3000:]}")
            time.sleep(0.1)
