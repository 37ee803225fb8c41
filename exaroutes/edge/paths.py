"""Which part of the service a request is for, read from its raw WSGI `PATH_INFO`.

The edge decides before any view runs: the rate limits (API budget per key, scan budget per address),
the access log's scan sampling, the database outage answer (JSON or a page), the scan dispatch in
front of the router, the dashboard's headers and error pages. They all ask here, so "what is a scan"
or "what is the API" is written once.

Each check takes the path as WSGI gives it (latin-1 text of the raw bytes), never `request.path_info`,
which raises on a path that is not UTF-8 and decodes on every call; and each is a `startswith` or a
compare, not a regex: a redirect asks three of them (rate limit, dispatch, access log).
"""
API = "/api/"
SCAN = "/r/"
DASHBOARD = "/dashboard"
#: `is_dashboard` as a pattern, for Pyramid's `path_info=` view predicate (dashboard error pages)
DASHBOARD_PATHS = r"^/dashboard(/|$)"


def raw_path(environ):
    return environ.get("PATH_INFO", "")


def is_api(path):
    """The JSON API: its errors (503s included) are JSON, its requests spend a key's budget."""
    return path.startswith(API)


def is_scan_side(path):
    """`/r/` and every route under it (the scan, its password form, contact.vcf): the public side."""
    return path.startswith(SCAN)


def is_scan(path):
    """Exactly `/r/<one segment>`: the scan route, whose `{short_id}` matches one segment without `/`."""
    return path.startswith(SCAN) and len(path) > len(SCAN) and "/" not in path[len(SCAN):]


def is_dashboard(path):
    return path == DASHBOARD or path.startswith(DASHBOARD + "/")
