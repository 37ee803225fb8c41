"""What an operator sets per machine comes from the environment as well as the ini (DESIGN.md §9)."""
from exaroutes.settings import load_settings, server_options


def test_pools_limits_and_shutdown_times_from_the_environment():
    ini = {"sqlalchemy.pool_size": "5", "exaroutes.rate_limit.api": "600/minute"}
    environ = {"EXAROUTES_DB_POOL_SIZE": "3", "EXAROUTES_DB_MAX_OVERFLOW": "1", "EXAROUTES_DB_POOL_TIMEOUT": "7",
               "EXAROUTES_RATE_LIMIT_API": "50/hour", "EXAROUTES_RATE_LIMIT_SCAN": "off",
               "EXAROUTES_WORKER_THREADS": "4", "EXAROUTES_SHUTDOWN_DRAIN_SECONDS": "2.5",
               "EXAROUTES_QUEUE_UNREACHABLE_SECONDS": "12", "EXAROUTES_REDIS_URL": "redis://r:6379/1"}
    settings = load_settings(ini, environ)
    assert (settings["sqlalchemy.pool_size"], settings["sqlalchemy.max_overflow"],
            settings["sqlalchemy.pool_timeout"]) == ("3", "1", "7")
    assert (settings["exaroutes.rate_limit.api"], settings["exaroutes.rate_limit.scan"]) == ("50/hour", "off")
    assert settings["exaroutes.jobs.workers"] == 4 and settings["exaroutes.shutdown.drain_seconds"] == 2.5
    assert settings["exaroutes.jobs.queue_unreachable_seconds"] == 12.0
    assert settings["exaroutes.jobs.url"] == settings["exaroutes.changes.url"] == "redis://r:6379/1"
    assert load_settings(ini, {})["exaroutes.rate_limit.api"] == "600/minute"     # the ini when unset


def test_listen_address_and_threads_from_the_environment():
    ini = {"host": "127.0.0.1", "threads": "32", "trusted_proxy": "127.0.0.1"}
    environ = {"EXAROUTES_HOST": "10.0.0.11", "EXAROUTES_PORT": "7001", "EXAROUTES_THREADS": "16",
               "EXAROUTES_TRUSTED_PROXY": "10.0.0.10"}
    assert server_options(ini, environ) == {"host": "10.0.0.11", "port": "7001", "threads": "16",
                                            "trusted_proxy": "10.0.0.10"}
    assert server_options(ini, {}) == ini
