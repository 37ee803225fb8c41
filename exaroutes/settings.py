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
    "exaroutes.public_base": "EXAROUTES_PUBLIC_BASE",
    "exaroutes.secret": "EXAROUTES_SECRET",
    "exaroutes.jobs.url": "EXAROUTES_REDIS_URL",
    "exaroutes.rate_limit.storage_url": "EXAROUTES_REDIS_URL",
    "exaroutes.changes.url": "EXAROUTES_REDIS_URL",
    # Sizing and limits an operator tunes per machine without editing the ini (docs/operations.md).
    "sqlalchemy.pool_size": "EXAROUTES_DB_POOL_SIZE",
    "sqlalchemy.max_overflow": "EXAROUTES_DB_MAX_OVERFLOW",
    "sqlalchemy.pool_timeout": "EXAROUTES_DB_POOL_TIMEOUT",
    "exaroutes.jobs.workers": "EXAROUTES_WORKER_THREADS",
    "exaroutes.jobs.queue_unreachable_seconds": "EXAROUTES_QUEUE_UNREACHABLE_SECONDS",
    "exaroutes.rate_limit.api": "EXAROUTES_RATE_LIMIT_API",
    "exaroutes.rate_limit.scan": "EXAROUTES_RATE_LIMIT_SCAN",
    "exaroutes.shutdown.drain_seconds": "EXAROUTES_SHUTDOWN_DRAIN_SECONDS",
    "exaroutes.shutdown.timeout_seconds": "EXAROUTES_SHUTDOWN_TIMEOUT_SECONDS",
    "exaroutes.domains.nameservers": "EXAROUTES_DNS_NAMESERVERS",
}

# [server:main] value -> environment variable: where a web process listens and how many threads serve.
SERVER_ENVIRONMENT = {
    "host": "EXAROUTES_HOST",
    "port": "EXAROUTES_PORT",
    "threads": "EXAROUTES_THREADS",
    "trusted_proxy": "EXAROUTES_TRUSTED_PROXY",
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
    "exaroutes.jobs.consumer_process": "false",
    "exaroutes.jobs.workers": "2",
    "exaroutes.jobs.bulk_slice_size": "100",
    "exaroutes.jobs.bulk_chunk_size": "25",
    "exaroutes.jobs.stale_seconds": "60",
    "exaroutes.jobs.result_ttl_hours": "168",
    # Bulk slices are leased (exaroutes.bulk.leases): a killed worker's slice is taken over once its
    # lease is not renewed for lease_seconds; every worker looks for such slices every check interval.
    "exaroutes.jobs.lease_seconds": "10",
    "exaroutes.jobs.lease_check_seconds": "2",
    # A worker whose queue does not answer this long exits with status 3 (its supervisor restarts it).
    "exaroutes.jobs.queue_unreachable_seconds": "30",
    # SIGTERM to a worker: its current chunk may take this long before the worker is cut off.
    "exaroutes.jobs.shutdown_seconds": "30",
    "exaroutes.rate_limit.storage_url": "memory://",
    "exaroutes.rate_limit.api": "600/minute",
    "exaroutes.rate_limit.scan": "600/minute",
    # Render work per API key (units of exaroutes.imaging.design.render_units: a 512 px PNG is 1, a 4096 px PDF 32).
    "exaroutes.rate_limit.render": "600/minute",
    "exaroutes.scan.country_header": "CF-IPCountry",
    "exaroutes.scan.trusted_proxies": "",
    # Access log: one answered scan line in N (the others are counted, exactly, per minute).
    "exaroutes.access.scan_sample": "1",
    "exaroutes.scan.synchronous_commit": "true",
    "exaroutes.scan.fold_in_web": "true",
    "exaroutes.scan.fold_interval_ms": "500",
    "exaroutes.scan.max_connections": "8",
    "exaroutes.scan.code_cache_seconds": "2",
    # Code changes (exaroutes.codes.changes): Redis publish/subscribe between web processes; empty = off.
    "exaroutes.changes.url": "",
    "exaroutes.changes.channel": "exaroutes:codes-changed",
    # While the subscription is up, cached codes may live this long (a safety net; changes arrive at once).
    "exaroutes.changes.code_cache_seconds": "60",
    # Shutdown (exaroutes.server): after SIGTERM, keep serving while /readyz says 503 so the load
    # balancer moves traffic away, then stop accepting and give in-flight requests this long.
    "exaroutes.shutdown.drain_seconds": "0",
    "exaroutes.shutdown.timeout_seconds": "20",
    # A database or queue outage: what Retry-After tells clients (seconds).
    "exaroutes.unavailable.retry_after_seconds": "5",
    # Analytics: referrer hosts listed (the rest are summed as `other`) and kept per code and day.
    "exaroutes.analytics.referrer_hosts": "10",
    "exaroutes.analytics.referrer_hosts_stored": "50",
    # Webhooks (exaroutes.webhooks): safe for production unless an ini says otherwise.
    "exaroutes.webhooks.allow_http": "false",
    "exaroutes.webhooks.allow_private": "false",
    "exaroutes.webhooks.retry_schedule": "30 300 1800 7200 21600",
    "exaroutes.webhooks.timeout_seconds": "10",
    "exaroutes.webhooks.max_response_bytes": "4096",
    # Custom domains (exaroutes.domains): where TXT records are looked up; empty = /etc/resolv.conf.
    "exaroutes.domains.nameservers": "",
    "exaroutes.domains.dns_timeout_seconds": "5",
}

INTEGERS = ("exaroutes.max_body_bytes", "exaroutes.keys.touch_interval_seconds",
            "exaroutes.password.max_attempts", "exaroutes.password.window_seconds",
            "exaroutes.jobs.workers", "exaroutes.jobs.bulk_slice_size", "exaroutes.jobs.bulk_chunk_size",
            "exaroutes.jobs.stale_seconds", "exaroutes.jobs.result_ttl_hours",
            "exaroutes.scan.fold_interval_ms", "exaroutes.scan.max_connections", "exaroutes.access.scan_sample",
            "exaroutes.scan.code_cache_seconds",
            "exaroutes.changes.code_cache_seconds", "exaroutes.unavailable.retry_after_seconds",
            "exaroutes.analytics.referrer_hosts", "exaroutes.analytics.referrer_hosts_stored",
            "exaroutes.webhooks.max_response_bytes")
FLOATS = ("exaroutes.shutdown.drain_seconds", "exaroutes.shutdown.timeout_seconds",
          "exaroutes.webhooks.timeout_seconds", "exaroutes.jobs.lease_seconds", "exaroutes.jobs.lease_check_seconds",
          "exaroutes.jobs.queue_unreachable_seconds", "exaroutes.jobs.shutdown_seconds",
          "exaroutes.domains.dns_timeout_seconds")
BOOLEANS = ("exaroutes.jobs.embedded_consumer", "exaroutes.jobs.consumer_process", "exaroutes.webhooks.allow_http",
            "exaroutes.webhooks.allow_private", "exaroutes.scan.synchronous_commit", "exaroutes.scan.fold_in_web")
#: space-separated numbers (seconds)
NUMBER_LISTS = ("exaroutes.webhooks.retry_schedule",)


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
    # The API's and dashboard's own absolute URLs (Location, OpenAPI servers): never from the Host header.
    public_base = result.get("exaroutes.public_base") or result["exaroutes.redirect_base"]
    result["exaroutes.public_base"] = public_base.rstrip("/")
    for name in INTEGERS:
        result[name] = int(result[name])
    for name in FLOATS:
        result[name] = float(result[name])
    for name in BOOLEANS:
        result[name] = asbool(result[name])
    for name in NUMBER_LISTS:
        value = result[name]
        result[name] = tuple(float(n) for n in value.split()) if isinstance(value, str) else tuple(value)
    return result


def server_options(options, environ=None):
    """The `[server:main]` values with the environment's overrides (EXAROUTES_HOST, EXAROUTES_PORT ...)."""
    environ = os.environ if environ is None else environ
    result = dict(options)
    for name, variable in SERVER_ENVIRONMENT.items():
        if environ.get(variable):
            result[name] = environ[variable]
    return result
