"""Fixtures: a real database per backend (SQLite file, PostgreSQL), migrated with alembic, and the app.

Every test that asks for `testapp` runs once per backend: the functional tests are one contract
suite run against both. Requests go through the whole stack, pyramid_tm included, so a test sees
exactly what a client sees, commits and rollbacks too; tables are emptied after each test.
"""
import pytest

pytest.register_assert_rewrite("exaroutes.testing")     # its contract tests report like ours
pytest.register_assert_rewrite("tests.helpers")         # so do the checks the tests share (assert_error_shape ...)

from exaroutes import clock  # noqa: E402
# The fixtures a plugin's tests get too (exaroutes.testing ships them): a migrated database per backend,
# the app with every installed plugin, a WebTest client, an API key, committed seeding, row counts.
from exaroutes.testing import *  # noqa: E402,F401,F403
from exaroutes.testing import make_key  # noqa: E402
from tests.helpers.dns_server import TestDnsServer  # noqa: E402

# The fixtures of tests/helpers/, registered once for the whole suite: a test asks for them by name and
# never imports them (an imported fixture shadows itself in pytest and hides from the linter).
pytest_plugins = [
    "tests.helpers.http",           # real_server
    "tests.helpers.own_database",   # fresh_engine
    "tests.helpers.queues",         # queue_backend, queue
    "tests.helpers.webhooks",       # webhook_settings, webhook_app, hooks, receiver, frozen_clock
]


@pytest.fixture(scope="session")
def dns_server_session():
    server = TestDnsServer().start()
    yield server
    server.stop()


@pytest.fixture
def dns_server(dns_server_session):
    """The test DNS server every app of the suite asks (custom domains), empty for each test."""
    dns_server_session.clear()
    yield dns_server_session
    dns_server_session.clear()


@pytest.fixture(scope="session")
def extra_app_settings(dns_server_session):
    """Custom domains are verified against the suite's own DNS server (tests/helpers/dns_server.py)."""
    return {"exaroutes.domains.nameservers": dns_server_session.nameserver,
            "exaroutes.domains.dns_timeout_seconds": "3"}


@pytest.fixture
def quick_password_hashes(monkeypatch):
    """argon2id with small parameters, for tests of flows rather than of the hash's cost (~0.5 s each
    on a busy CI machine); tests/unit/test_protections.py checks the production parameters."""
    from argon2 import PasswordHasher

    from exaroutes.protections import passwords

    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def ini(tmp_path, database_url, dbengine):
    """An ini file on the test database, for console scripts run as an operator runs them."""
    path = tmp_path / "test.ini"
    path.write_text(f"[app:main]\nuse = egg:exaroutes\nsqlalchemy.url = {database_url.replace('%', '%%')}\n")
    return str(path)


@pytest.fixture
def other_api_key(committed):
    return make_key(committed, "globex")


@pytest.fixture
def other_auth(other_api_key):
    return {"Authorization": f"Bearer {other_api_key}"}


@pytest.fixture
def move_clock(monkeypatch):
    """Shift "now" forward by a timedelta, for expiry and time-limited tokens."""
    def move(delta):
        moved = clock.utcnow() + delta
        monkeypatch.setattr(clock, "source", lambda: moved)
    return move


@pytest.fixture(scope="session")
def unlimited_app(dbengine, app_settings):
    """The app with rate limits off, for fuzzing: thousands of requests must all reach the code under test."""
    from exaroutes import main
    return main({}, dbengine=dbengine, **{**app_settings, "exaroutes.rate_limit.api": "off",
                                          "exaroutes.rate_limit.scan": "off"})
