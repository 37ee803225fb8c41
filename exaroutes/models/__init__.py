"""Database wiring: engine, one session per request, one transaction per request (pyramid_tm)."""
import os

from sqlalchemy import engine_from_config, event
from sqlalchemy.orm import configure_mappers, sessionmaker
import zope.sqlalchemy

from exaroutes.models.meta import Base  # noqa: F401
from exaroutes.models.workspace import ApiKey, Workspace  # noqa: F401
from exaroutes.models.code import QrCode  # noqa: F401
from exaroutes.models.scan import PendingScan, Scan  # noqa: F401
from exaroutes.models.audit import AuditEntry  # noqa: F401
from exaroutes.models.password_attempt import PasswordAttempt  # noqa: F401
from exaroutes.models.bulk import BulkArchive, BulkItem, BulkJob, BulkSlice  # noqa: F401
from exaroutes.models.idempotency import IdempotencyKey  # noqa: F401
from exaroutes.models.rollup import ScanRollup, ScanVisitor  # noqa: F401
from exaroutes.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
from exaroutes.models.dashboard_session import DashboardSession  # noqa: F401
from exaroutes.models.spent_unlock import SpentUnlock  # noqa: F401
from exaroutes.models.logo import CodeLogo  # noqa: F401
# A plain import, not `from … import Domain`: exaroutes.domains.models imports models.meta, so
# whichever of the two is imported first, the other finds it in sys.modules.
import exaroutes.domains.models  # noqa: F401,E402

configure_mappers()


def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets the redirect write while the API reads; foreign keys are off by default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(settings, prefix="sqlalchemy."):
    engine = engine_from_config(settings, prefix, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database and engine.url.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(engine.url.database)), exist_ok=True)
    return engine


def get_session_factory(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session whose commit and rollback belong to `transaction_manager` (zope.sqlalchemy)."""
    dbsession = session_factory(info={"request": request, "transaction_manager": transaction_manager})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    """Engine, `request.dbsession`, pyramid_tm (one transaction per request) and pyramid_retry."""
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    settings["tm.commit_veto"] = "pyramid_tm.default_commit_veto"
    settings.setdefault("retry.attempts", 3)
    # pyramid_tm would look the caller's key up before the exception views can see a failure, so a
    # database outage there became a 500 instead of our 503 (exaroutes.edge.outage).
    settings.setdefault("tm.annotate_user", False)
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = settings.get("dbengine") or get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = session_factory

    def dbsession(request):
        return get_tm_session(session_factory, request.tm, request=request)

    config.add_request_method(dbsession, reify=True)
