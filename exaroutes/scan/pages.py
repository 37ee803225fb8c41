"""The small HTML pages a scan may answer: phone-sized, escaped, no external assets, no scripts."""
from html import escape

from pyramid.response import Response

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


def gone_page():
    return html_response("This code is no longer active",
                         "<p>The owner of this QR code has switched it off.</p>", status=410)


def not_found_page():
    return html_response("Unknown QR code", "<p>No QR code has this address.</p>", status=404)


def unavailable_page(retry_after=5):
    """503 while the database cannot be reached: the scan was not counted and may be repeated."""
    response = html_response("Please try again", "<p>This QR code could not be opened just now. "
                             "Please scan it again in a moment.</p>", status=503)
    response.headers["Retry-After"] = str(retry_after)
    return response
