"""Keyset paging and its opaque `cursor`, shared by every list of the API (codes, webhooks, domains).

A page is ordered newest first on (created_at, key), where `key` is the row's public, unique name
(a code's short id, an endpoint's id, a domain's hostname). The cursor is that pair of the last row
shown, base64url: paging is stable while rows are added or removed (never repeats or skips an older row).
"""
import base64
import binascii
import datetime

from sqlalchemy import and_, func, or_, select

from exaroutes.errors import ApiError


def encode_cursor(created_at, key):
    raw = f"{created_at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """(created_at, key) of an opaque cursor, or ApiError 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, key = raw.split("|")
        moment = datetime.datetime.fromisoformat(created)
        # we hand out naive UTC and short printable ASCII keys (code ids, `wh_…` webhooks, hostnames up
        # to 253 characters); anything else (a NUL, which PostgreSQL refuses, an offset, 100 kB) never
        # reaches a query
        if not (0 < len(key) <= 255 and key.isascii() and key.isprintable()) or moment.tzinfo:
            raise ValueError(key)
        return moment, key
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError.for_field(422, "querystring", "cursor", "not a cursor this API gave out")


def keyset_page(dbsession, model, key, filters, limit, cursor="0"):
    """(page, total, nextCursor): the rows of `model` matching `filters`, newest first on (created_at, key).

    `key` is the column that breaks ties between rows created in the same millisecond; `total`
    counts every matching row, not only this page's.
    """
    total = dbsession.scalar(select(func.count()).select_from(model).where(*filters))
    page_filters = list(filters)
    if cursor != "0":
        created_at, last_key = decode_cursor(cursor)
        page_filters.append(or_(model.created_at < created_at, and_(model.created_at == created_at, key < last_key)))
    rows = dbsession.scalars(select(model).where(*page_filters)
                             .order_by(model.created_at.desc(), key.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].created_at, getattr(page[-1], key.key)) if len(rows) > limit else None
    return page, total, next_cursor
