"""Fixtures: a real database per backend (SQLite file, PostgreSQL), migrated with alembic, and the app.

Every test that asks for `testapp` runs once per backend: the functional tests are one contract
suite run against both. Requests go through the whole stack, pyramid_tm included, so a test sees
exactly what a client sees, commits and rollbacks too; tables are emptied after each test.
"""
import pytest
import transaction
import webtest
from sqlalchemy import text

from exaroutes import clock, main
from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import Base, get_engine, get_session_factory, get_tm_session
from tests.services import create_postgres_database

REDIRECT_BASE = "https://qr.example.test"

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url, drop = create_postgres_database()
    yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    drop()


@pytest.fixture(scope="session")
def dbengine(database_url):
    engine = get_engine({"sqlalchemy.url": database_url})
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app_settings(database_url, tmp_path_factory):
    return {
        "sqlalchemy.url": database_url,
        "exaroutes.redirect_base": REDIRECT_BASE,
        "exaroutes.secret": "test-secret",
        # A private SqliteHuey queue; no consumer runs unless a test starts one.
        "exaroutes.jobs.url": f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite'}",
    }


@pytest.fixture(scope="session")
def app(dbengine, app_settings):
    return main({}, dbengine=dbengine, **app_settings)


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """After each database test, delete every row (children first), so tests never see each other."""
    yield
    if "dbengine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("dbengine")
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


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
def testapp(app):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


@pytest.fixture
def committed(dbengine):
    """Run `fn(dbsession)` in its own committed transaction: how tests seed data outside the API."""
    factory = get_session_factory(dbengine)

    def run(fn):
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            return fn(get_tm_session(factory, tm))

    return run


def make_key(committed, workspace_name, test=False):
    return committed(lambda db: create_key(db, get_or_create_workspace(db, workspace_name, test)))


@pytest.fixture
def api_key(committed):
    return make_key(committed, "acme")


@pytest.fixture
def other_api_key(committed):
    return make_key(committed, "globex")


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def other_auth(other_api_key):
    return {"Authorization": f"Bearer {other_api_key}"}


@pytest.fixture
def count_rows(dbengine):
    """Rows per table, for "a failed request leaves the database as it was" checks."""

    def count():
        with dbengine.connect() as connection:
            return {table.name: connection.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar()
                    for table in Base.metadata.sorted_tables}

    return count


@pytest.fixture
def move_clock(monkeypatch):
    """Shift "now" forward by a timedelta, for expiry and time-limited tokens."""
    def move(delta):
        moved = clock.utcnow() + delta
        monkeypatch.setattr(clock, "source", lambda: moved)
    return move
