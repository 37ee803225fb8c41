"""External services the suite exercises: PostgreSQL and Redis.

Locally a missing server skips its tests; under CI=true it fails them, so a green CI run always
means both backends were really tested (segno and Kinto skip silently; we do not).
"""
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("EXAROUTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("EXAROUTES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reachable(url, default_port):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def require(name, url, default_port):
    """Skip (locally) or fail (CI=true) when the server behind `url` does not answer."""
    if reachable(url, default_port):
        return
    unavailable(f"{name} at {url} is not reachable")


def unavailable(message):
    """Skip the test locally; under CI=true fail it, so a green CI means everything was tested."""
    if IN_CI:
        pytest.fail(message + " (CI=true: required)", pytrace=False)
    pytest.skip(message)


def create_postgres_database():
    """A new, empty database for this test session; returns (url, drop function)."""
    import psycopg

    require("PostgreSQL", POSTGRES_ADMIN_URL, 5432)
    name = f"exaroutes_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parts = urlsplit(POSTGRES_ADMIN_URL)
    return parts._replace(path=f"/{name}").geturl(), drop


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
