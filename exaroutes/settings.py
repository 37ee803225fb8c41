"""All settings in one place: defaults, environment overrides and type coercion.

The ini files hold the defaults a deployment shares; the environment holds what differs per machine
or must stay secret (Warehouse's `maybe_set` habit). Everything else reads typed values from here.
"""
import os

from pyramid.settings import asbool

# setting name -> (environment variable, default). None as default means "must be set".
ENVIRONMENT = {
    "sqlalchemy.url": "EXAROUTES_DATABASE_URL",
    "exaroutes.redirect_base": "EXAROUTES_REDIRECT_BASE",
    "exaroutes.secret": "EXAROUTES_SECRET",
    "exaroutes.jobs.url": "EXAROUTES_REDIS_URL",
    "exaroutes.rate_limit.storage_url": "EXAROUTES_REDIS_URL",
}

DEFAULTS = {
    "sqlalchemy.url": "sqlite:///exaroutes.sqlite",
    "exaroutes.redirect_base": "http://127.0.0.1:6543",
    "exaroutes.secret": "",
    "exaroutes.max_body_bytes": "10485760",
    "exaroutes.keys.touch_interval_seconds": "60",
    "exaroutes.password.max_attempts": "5",
    "exaroutes.password.window_seconds": "900",
    # Jobs (exaroutes.jobs): the huey queue and how bulk jobs are cut up and watched.
    "exaroutes.jobs.url": "sqlite:///exaroutes-jobs.sqlite",
    "exaroutes.jobs.name": "exaroutes",
    "exaroutes.jobs.embedded_consumer": "false",
    "exaroutes.jobs.workers": "2",
    "exaroutes.jobs.bulk_slice_size": "100",
    "exaroutes.jobs.bulk_chunk_size": "25",
    "exaroutes.jobs.stale_seconds": "60",
    "exaroutes.jobs.result_ttl_hours": "168",
    "exaroutes.rate_limit.storage_url": "memory://",
    "exaroutes.rate_limit.api": "600/minute",
    "exaroutes.rate_limit.scan": "600/minute",
    "exaroutes.scan.country_header": "CF-IPCountry",
    "exaroutes.scan.trusted_proxies": "",
    "exaroutes.scan.max_batch": "500",
    "exaroutes.scan.code_cache_seconds": "2",
}

INTEGERS = ("exaroutes.max_body_bytes", "exaroutes.keys.touch_interval_seconds",
            "exaroutes.password.max_attempts", "exaroutes.password.window_seconds",
            "exaroutes.jobs.workers", "exaroutes.jobs.bulk_slice_size", "exaroutes.jobs.bulk_chunk_size",
            "exaroutes.jobs.stale_seconds", "exaroutes.jobs.result_ttl_hours",
            "exaroutes.scan.max_batch", "exaroutes.scan.code_cache_seconds")
BOOLEANS = ("exaroutes.jobs.embedded_consumer",)


def normalize_database_url(url):
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(settings, environ=None):
    """Return a new settings dict: ini values, then environment overrides, then typed values."""
    environ = os.environ if environ is None else environ
    result = dict(DEFAULTS)
    result.update(settings)
    for name, variable in ENVIRONMENT.items():
        if environ.get(variable):
            result[name] = environ[variable]
    result["sqlalchemy.url"] = normalize_database_url(result["sqlalchemy.url"])
    result["exaroutes.redirect_base"] = result["exaroutes.redirect_base"].rstrip("/")
    for name in INTEGERS:
        result[name] = int(result[name])
    for name in BOOLEANS:
        result[name] = asbool(result[name])
    return result
