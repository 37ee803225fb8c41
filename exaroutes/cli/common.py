"""What every console script needs: the ini's settings, logging, and a session that commits (`committed_session`)."""
import contextlib

import transaction
from pyramid.paster import get_appsettings, setup_logging

from exaroutes.models import get_engine, get_session_factory, get_tm_session
from exaroutes.settings import load_settings


def load_config(config_uri):
    """Settings of the ini's `[app:main]`, with the same environment overrides as the app."""
    setup_logging(config_uri)
    return load_settings(get_appsettings(config_uri))


@contextlib.contextmanager
def committed_session(settings):
    """A session whose work commits when the block ends without an error (and rolls back otherwise)."""
    engine = get_engine(settings)
    tm = transaction.TransactionManager(explicit=True)
    try:
        with tm:
            yield get_tm_session(get_session_factory(engine), tm)
    finally:
        engine.dispose()
