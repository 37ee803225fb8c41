"""`GET /r/{short_id}` and every route under `/r/`: the hot path. One (cached) lookup, one insert, one response.

`dispatch.py` hands scans to `scan_view` in front of the router (same subscribers, same exception views, the
same route factory). Every route here gets its code from the one scan gate (`gate.py`, a route factory:
unknown, switched off, expired, capped, password, decryption), so the views only decide what to answer. The
enrichment (`enrich.py`, `record.py`) and the durable write (`writer.py`) live in their own modules, the
folding into scans and rollups in `exaroutes.codes.fold`; `password.py` is the password form, `contact.py`
the vCard download.
"""
import logging
import secrets

from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.datatypes.fields import redirect
from exaroutes.protections.signing import SIGNING_KEY, derive_signing_key
from exaroutes.scan.change_feed import ChangeFeed
from exaroutes.codes.fold import ScanFolder
from exaroutes.scan.code_cache import CodeCache
from exaroutes.scan.gate import ScanStop, password_code, scan_code, stop_response
from exaroutes.html import unavailable_page
from exaroutes.scan.password import password_post
from exaroutes.scan.record import ScanSettings, is_counted, scan_route, scan_row
from exaroutes.scan.writer import ScanNotRecorded, ScanRecorder
from exaroutes.webhooks.delivery import Waker

log = logging.getLogger(__name__)


def can_be_sent(response):
    """Could a server send these headers? PEP 3333 allows Latin-1 only, and a line break would end the
    header early; waitress would fail *after* the scan was recorded (B3 of the 2026-12 review)."""
    for _name, value in response.headerlist:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return False
        if "\r" in value or "\n" in value:
            return False
    return True


def record_scan(request, code, row=None):
    """Commit the scan before the response leaves: an answered scan is never lost.
    `row`: the scan row already made for a routed code (it names the rule or variant)."""
    registry = request.registry
    registry["scan_recorder"].record(row or scan_row(request, code, registry["scan_settings"]))


def scan_view(request):
    """The data type's answer (redirect or page) for the code the gate let through; then the scan row."""
    context = request.context
    route, row = scan_route(request, context.code, request.registry["scan_settings"])   # rules, variants
    if route is not None:
        response = redirect(route.destination)
    else:
        datatype = request.registry["datatypes"][context.code.data_type]
        response = datatype.scan_response(request, context.readable)
    if not can_be_sent(response):
        log.error("scan of %s: the %s type's answer has a header HTTP cannot carry",
                  context.code.short_id, context.code.data_type)
        return unavailable_page()   # not counted: the visitor got no answer from the code
    if is_counted(request):
        try:
            record_scan(request, context.code, row)
        except ScanNotRecorded:
            return unavailable_page()   # never hand out a redirect whose scan was not stored
    return response


def includeme(config):
    settings = config.get_settings()
    config.registry["scan_settings"] = ScanSettings(settings)
    config.registry["code_cache"] = CodeCache(config.registry["dbsession_factory"],
                                              ttl=settings["exaroutes.scan.code_cache_seconds"])
    engine = config.registry["dbengine"]
    config.registry["scan_recorder"] = ScanRecorder(engine, settings["exaroutes.scan.synchronous_commit"],
                                                    settings["exaroutes.scan.max_connections"])
    config.registry["scan_folder"] = ScanFolder(engine, settings["exaroutes.scan.fold_interval_ms"] / 1000,
                                                referrer_limit=settings["exaroutes.analytics.referrer_hosts_stored"],
                                                on_events=Waker(config.registry))
    if settings["exaroutes.scan.fold_in_web"]:
        # Folding in a serving process only (exaroutes.server): tests and console scripts build this
        # app too. At shutdown, after the last request, it folds what is pending once more.
        config.registry.setdefault("on_serve", []).append(config.registry["scan_folder"].ensure_running)
        config.registry.setdefault("on_shutdown", []).append(config.registry["scan_folder"].stop)
    # Without EXAROUTES_SECRET (a development setup), password forms are signed with a key of this
    # process only: enough for one process; several processes need the shared secret (production sets it).
    config.registry[SIGNING_KEY] = derive_signing_key(settings) or secrets.token_bytes(32)
    config.add_view(stop_response, context=ScanStop, permission=NO_PERMISSION_REQUIRED)
    if settings["exaroutes.changes.url"]:
        # Other processes' code changes, at once; subscribed only in a serving process (exaroutes.server).
        feed = ChangeFeed(settings["exaroutes.changes.url"], settings["exaroutes.changes.channel"],
                          config.registry["code_cache"], settings["exaroutes.changes.code_cache_seconds"],
                          settings["exaroutes.scan.code_cache_seconds"])
        config.registry["change_feed"] = feed
        config.registry.setdefault("on_serve", []).append(feed.start)
        config.registry.setdefault("on_shutdown", []).append(feed.stop)
    config.add_route("scan", "/r/{short_id}", factory=scan_code)
    config.add_view(scan_view, route_name="scan", permission=NO_PERMISSION_REQUIRED)
    config.registry["scan_view"] = scan_view     # what exaroutes.scan.dispatch answers scans with
    config.add_route("scan_password", "/r/{short_id}/password", factory=password_code)
    config.add_view(password_post, route_name="scan_password", permission=NO_PERMISSION_REQUIRED)
    config.include(".contact")     # /r/{short_id}/contact.vcf: the download behind a vcard page
    config.include(".assets")      # /assets/copy.js: the copy buttons of the content pages
