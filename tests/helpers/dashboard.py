"""Shared steps of the dashboard tests: sign in through the form, create codes, seed protections."""
from sqlalchemy import update

from exaroutes.models import QrCode


def sign_in(testapp, key):
    """Sign in through the real form (CSRF token included); returns the codes page."""
    page = testapp.get("/dashboard/signin")
    form = page.forms["signin"]
    form["key"] = key
    return form.submit().follow()


def csrf_token(testapp):
    """The session's CSRF token, read from a page's form as a browser would."""
    return testapp.get("/dashboard/codes").forms["signout"]["csrf_token"].value


def api_create(testapp, auth, **body):
    body.setdefault("data", "https://example.com/spring")
    return testapp.post_json("/api/qr/codes", body, headers=auth).json


def protect(committed, short_id, protections, encrypted=False):
    committed(lambda db: db.execute(update(QrCode).where(QrCode.short_id == short_id)
                                    .values(protections=protections, encrypted=encrypted)))


def edit_form(testapp, short_id):
    return testapp.get(f"/dashboard/codes/{short_id}").forms["edit"]
