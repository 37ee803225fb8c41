"""A PostgreSQL database of a test's own, migrated, with API keys: for tests that cut its connections or
point several processes at it (the session database is shared by the other tests)."""
import contextlib

import transaction

from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import get_engine, get_session_factory, get_tm_session
from tests.services import create_postgres_database


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
