"""Security headers: HTML pages get a strict CSP, SVG images may run nothing at all.

A page sets its own headers where it needs different ones (the scan pages allow their inline
style); these are the defaults for every response that did not.
"""
from pyramid.events import NewResponse

HTML_HEADERS = {
    # Scripts and styles only from our own origin: no inline script can run, no CDN is trusted.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# An SVG opened directly is a document that could run script: forbid everything in it.
SVG_HEADERS = {"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}


def add_security_headers(event):
    response = event.response
    content_type = response.content_type or ""
    if content_type == "text/html":
        defaults = HTML_HEADERS
    elif content_type == "image/svg+xml":
        defaults = SVG_HEADERS
    else:
        defaults = {"X-Content-Type-Options": "nosniff"}
    for name, value in defaults.items():
        response.headers.setdefault(name, value)


def includeme(config):
    config.add_subscriber(add_security_headers, NewResponse)
