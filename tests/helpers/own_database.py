"""A PostgreSQL database of a test's own, migrated, with API keys: for tests that cut its connections or
point several processes at it (the session database is shared by the other tests); and an empty database
per backend for the migration tests (`fresh_engine`)."""
import contextlib

import pytest
import transaction

from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import get_engine, get_session_factory, get_tm_session
from tests.helpers.services import create_postgres_database


@contextlib.contextmanager
def own_postgres(*workspaces):
    """Yields (url, engine, [one API key per workspace name]); the database is dropped afterwards."""
    url, drop = create_postgres_database()
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = get_engine({"sqlalchemy.url": url})
    try:
        upgrade(engine)
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            session = get_tm_session(get_session_factory(engine), tm)
            keys = [create_key(session, get_or_create_workspace(session, name, False)) for name in workspaces]
        yield url, engine, keys
    finally:
        engine.dispose()
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request, tmp_path):
    """An engine on an empty database, not migrated: a migration test upgrades it step by step."""
    if request.param == "sqlite":
        engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'm.sqlite'}"})
        yield engine
        engine.dispose()
        return
    url, drop = create_postgres_database()
    engine = get_engine({"sqlalchemy.url": url.replace("postgresql://", "postgresql+psycopg://", 1)})
    yield engine
    engine.dispose()
    drop()
