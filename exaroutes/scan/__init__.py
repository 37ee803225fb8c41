"""`GET /r/{short_id}`: the hot path. A plain Pyramid view: one (cached) lookup, one group-committed insert, one response.

The enrichment (`enrich.py`, `record.py`) and the durable write (`writer.py`, `rollups.py`) live in
their own modules, and so do the protections (`exaroutes.protections.scan_gate`: expiry, scan caps,
password); this view only decides what to answer and whether the request is a scan.
"""
from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.codes import is_short_id
from exaroutes.protections import scan_gate
from exaroutes.scan.code_cache import CodeCache
from exaroutes.scan.pages import gone_page, not_found_page, unavailable_page
from exaroutes.scan.record import ScanSettings, is_counted, scan_row
from exaroutes.scan.writer import ScanNotRecorded, ScanWriter
from exaroutes.webhooks.delivery import Waker


def record_scan(request, code):
    """Commit the scan (group commit) before the response leaves: an answered scan is never lost."""
    registry = request.registry
    registry["scan_writer"].record(scan_row(request, code, registry["scan_settings"]))


def scan_view(request):
    if request.method not in ("GET", "HEAD"):
        raise HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD"})
    short_id = request.matchdict["short_id"]
    if not is_short_id(short_id):  # NUL bytes would even fail on PostgreSQL; no lookup for garbage
        return not_found_page()
    code = request.registry["code_cache"].get(short_id)
    if code is None:
        return not_found_page()
    if code.status != "active":
        return gone_page()
    # Expiry, scan cap (claimed atomically in the database, never on the cached object), password.
    gate = scan_gate.protection_gate(request, code, counted=is_counted(request))
    if gate is not None:
        return gate
    datatype = request.registry["datatypes"].get(code.data_type)
    if datatype is None:
        return gone_page()
    # an encrypted code's plaintext exists only in this response, never in the cache or a session
    response = datatype.scan_response(request, scan_gate.readable_code(request.registry.settings, code))
    if is_counted(request):
        try:
            record_scan(request, code)
        except ScanNotRecorded:
            return unavailable_page()   # never hand out a redirect whose scan was not stored
    return response


def includeme(config):
    settings = config.get_settings()
    config.registry["scan_settings"] = ScanSettings(settings)
    config.registry["code_cache"] = CodeCache(config.registry["dbsession_factory"],
                                              ttl=settings["exaroutes.scan.code_cache_seconds"])
    config.registry["scan_writer"] = ScanWriter(config.registry["dbengine"],
                                                max_batch=settings["exaroutes.scan.max_batch"],
                                                referrer_limit=settings["exaroutes.analytics.referrer_hosts_stored"],
                                                on_events=Waker(config.registry))
    # At shutdown, after the last request: commit whatever the writer still holds (exaroutes.shutdown).
    config.registry.setdefault("on_shutdown", []).append(config.registry["scan_writer"].flush)
    config.add_route("scan", "/r/{short_id}")
    config.add_view(scan_view, route_name="scan", permission=NO_PERMISSION_REQUIRED)
    config.include(".contact")     # /r/{short_id}/contact.vcf: the download behind a vcard page
    config.include(".assets")      # /assets/copy.js: the copy buttons of the content pages
