"""Scan pages that show content to take away (text, Wi-Fi credentials, a contact), with copy buttons.

The copy buttons need a script; the pages stay free of inline code and external assets: the script
is our own `/assets/copy.js` (see exaroutes.scan.assets), and the page's CSP allows exactly that
(`script-src 'self'`) on top of the shared scan-page policy. Without the script the page still shows
everything; the buttons stay hidden.
"""
from html import escape

from exaroutes.html import COPY_SCRIPT, HTML_HEADERS, html_response

CONTENT_SECURITY_POLICY = HTML_HEADERS["Content-Security-Policy"] + "; script-src 'self'"

STYLE = ("<style>[hidden]{display:none!important}dl{margin:0}dt{font-weight:600;margin-top:1rem}dd{margin:0}"
         "button,.save{font-size:1rem;padding:.5rem 1rem;margin-top:.4rem;border-radius:.4rem;"
         "border:1px solid #888;background:#fff;color:#000;text-decoration:none;display:inline-block}"
         ".save{background:#0b57d0;color:#fff;border-color:#0b57d0}</style>")


def field_html(index, label, value, copyable):
    """One labelled value; `copyable` adds a button that copies exactly the shown text."""
    element_id = f"field-{index}"
    html = (f"<dt>{escape(label)}</dt>" if label else "") + f'<dd><pre id="{element_id}">{escape(value)}</pre>'
    if copyable:
        html += f'<button type="button" data-copy="{element_id}" hidden>Copy</button>'
    return html + "</dd>"


def fields_page(request, title, rows, intro="", outro=""):
    """A page of `rows` = [(label, value, copyable)]; `intro`/`outro` are HTML the caller escaped."""
    fields = "".join(field_html(i, label, value, copyable) for i, (label, value, copyable) in enumerate(rows, 1))
    script = f'<script src="{escape(request.static_path(COPY_SCRIPT))}" defer></script>'
    response = html_response(title, f"{STYLE}{intro}<dl>{fields}</dl>{outro}{script}")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
