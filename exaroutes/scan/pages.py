"""The HTML pages a scan may answer: unknown, switched off, expired, capped, the password form, too
many attempts, try again. Built on the shell in `exaroutes.html`."""
from html import escape

from exaroutes.html import html_response


def gone_page():
    return html_response("This code is no longer active",
                         "<p>The owner of this QR code has switched it off.</p>", status=410)


def not_found_page():
    return html_response("Unknown QR code", "<p>No QR code has this address.</p>", status=404)


# The password form must not be framed (clickjacking a password field); CSP `frame-ancestors` does
# not fall back to `default-src`, so it is spelt out. No `form-action`: browsers apply it to the
# redirects after the POST, which end at the customer's destination.
FORM_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
}


def expired_page():
    return html_response("This code has expired",
                         "<p>The owner of this QR code set it to stop working at a set time.</p>", status=410)


def capped_page():
    return html_response("This code has reached its scan limit",
                         "<p>The owner of this QR code allowed only a set number of scans.</p>", status=410)


def limited_preview_page():
    """What a bot (or a HEAD) gets from a code with a scan cap: no destination, nothing spent."""
    return html_response("Open this code with a phone",
                         "<p>The owner of this QR code allowed only a set number of scans; it opens when a "
                         "person scans it.</p>")


def password_page(action, csrf_token, message=None, status=200):
    notice = f'<p role="alert"><strong>{escape(message)}</strong></p>' if message else ""
    body = (f"{notice}<p>This QR code is protected. Enter its password to continue.</p>"
            f'<form method="post" action="{escape(action)}">'
            f'<input type="hidden" name="csrf" value="{escape(csrf_token)}">'
            '<p><label>Password<br><input type="password" name="password" required autofocus '
            'autocomplete="current-password" maxlength="256"></label></p>'
            '<p><button type="submit">Continue</button></p></form>')
    response = html_response("Password required", body, status=status)
    response.headers.update(FORM_HEADERS)
    return response


def too_many_attempts_page(retry_after):
    response = html_response("Too many attempts",
                             f"<p>Too many wrong passwords. Try again in {int(retry_after)} seconds.</p>",
                             status=429)
    response.headers["Retry-After"] = str(int(retry_after))
    return response
