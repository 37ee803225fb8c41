"""The database every in-process benchmark starts from: migrated, with one workspace and its key.

Imported by the scripts beside it (run as `.venv/bin/python scripts/bench/NAME.py`, so this folder
is on sys.path); never by the package.
"""
import transaction

from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import get_engine, get_session_factory, get_tm_session


def migrated_database(database_url, workspace="bench"):
    """(engine, raw API key) of a database brought to the newest migration, with `workspace` in it."""
    engine = get_engine({"sqlalchemy.url": database_url})
    upgrade(engine)
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        dbsession = get_tm_session(get_session_factory(engine), tm)
        key = create_key(dbsession, get_or_create_workspace(dbsession, workspace))
    return engine, key
