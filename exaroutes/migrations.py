"""Run alembic from Python: the CLI, the test fixtures and `scripts/serve` all go through here."""
from alembic import command
from alembic.config import Config


def alembic_config(url=None, connection=None):
    config = Config()
    config.set_main_option("script_location", "exaroutes:alembic")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine, revision="head"):
    """Bring the database behind `engine` to `revision` in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)
