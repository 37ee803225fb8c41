"""External services the suite exercises: PostgreSQL and Redis.

Locally a missing server skips its tests; under CI=true it fails them, so a green CI run always
means both backends were really tested (segno and Kinto skip silently; we do not).
"""
import os
import socket

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
