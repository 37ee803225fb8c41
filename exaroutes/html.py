"""The one HTML page shell of the small server-side pages (scan answers, password form, 429 page).

Phone-sized, escaped, no external assets, no scripts: every page module builds on `html_response`, so
the headers a page carries (no-store, nosniff, no referrer, a strict CSP) are decided here once.
The copy-button script of the content pages is our own static asset (`COPY_SCRIPT`, served under
`/assets/` by `exaroutes.scan.assets`).
"""
from html import escape

from pyramid.response import Response

COPY_SCRIPT = "exaroutes:scan/assets/copy.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;max-width:40rem}}
h1{{font-size:1.3rem}}pre{{white-space:pre-wrap;word-break:break-word;background:#f3f3f3;padding:1rem;
border-radius:.5rem;font-size:1.05rem}}</style>
</head><body>
<h1>{title}</h1>
{body}
</body></html>
"""

HTML_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
}


def html_response(title, body_html, status=200):
    """`body_html` must already be escaped; `title` is escaped here."""
    response = Response(PAGE.format(title=escape(title), body=body_html), status=status,
                        content_type="text/html", charset="utf-8")
    response.headers.update(HTML_HEADERS)
    return response


def unavailable_page(retry_after=5):
    """503, try again: the scan could not be stored, or the database cannot be reached (`edge/outage.py`);
    nothing was counted and the request may be repeated."""
    response = html_response("Please try again", "<p>This QR code could not be opened just now. "
                             "Please scan it again in a moment.</p>", status=503)
    response.headers["Retry-After"] = str(retry_after)
    return response
