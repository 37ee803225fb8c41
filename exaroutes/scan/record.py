"""From a request to the scan row it records: which requests count, what is kept about them, and
where a routed code sends them (exaroutes.routing decides from the same facts the row records)."""
from exaroutes.clock import utcnow
from exaroutes.routing.evaluate import Visit, route_visit
from exaroutes.scan.enrich import classify_user_agent, referrer_host, scan_country, visitor_hash


class ScanSettings:
    """The scan settings, read once at start-up (the hot path must not parse settings)."""

    def __init__(self, settings):
        self.secret = settings.get("exaroutes.secret") or ""
        self.country_header = settings["exaroutes.scan.country_header"]
        self.trusted_proxies = frozenset(settings["exaroutes.scan.trusted_proxies"].split())


def is_counted(request):
    """HEAD, link-preview bots and crawlers are answered like anyone else but are not scans."""
    if request.method != "GET":
        return False
    return not classify_user_agent(request.user_agent or "").is_bot


def scan_route(request, code, scan_settings):
    """(Route, scan row) when a code with rules or variants sends this request elsewhere; (None, row)
    when its own answer applies; (None, None) for a plain code, which costs two attribute reads.

    Evaluated from the cached code, no query, and from the facts the scan row records, so the row is
    made once and returned with the rule or variant that sent the scan.
    """
    if not code.rules and not code.variants:
        return None, None
    row = scan_row(request, code, scan_settings)
    route = route_visit(code, Visit(device=row["device"], os=row["os"], country=row["country"],
                                    accept_language=request.headers.get("Accept-Language", ""),
                                    visitor=row["visitor"], at=row["scanned_at"]))
    if route is not None:
        row["rule"], row["variant"] = route.rule, route.variant
    return route, row


def scan_row(request, code, scan_settings):
    """The columns of the Scan row for this request. The client address is hashed, never kept."""
    now = utcnow()
    user_agent = request.user_agent or ""
    client = classify_user_agent(user_agent)
    address = request.remote_addr
    return {
        "code_id": code.id,
        "workspace_id": code.workspace_id,   # not stored with the scan: for its webhook event
        "short_id": code.short_id,
        "scanned_at": now,
        "country": scan_country(address, request.headers, scan_settings.country_header,
                                scan_settings.trusted_proxies),
        "device": client.device,
        "os": client.os,
        "browser": client.browser,
        "referrer": referrer_host(request.referer),
        "visitor": visitor_hash(scan_settings.secret, now.date(), address, user_agent),
    }
