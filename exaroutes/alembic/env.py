"""Alembic environment: runs on the connection the caller hands over, or on the configured URL."""
from alembic import context
from sqlalchemy import create_engine

from exaroutes.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection):
    # render_as_batch lets ALTER TABLE steps work on SQLite too, so both backends share migrations.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
