"""The opaque `cursor` of the code list: (created_at, short_id) of the last code shown, base64url."""
import base64
import binascii
import datetime

from exaroutes.errors import ApiError


def encode_cursor(code):
    raw = f"{code.created_at.isoformat()}|{code.short_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """(created_at, short_id) of an opaque cursor, or ApiError 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, short_id = raw.split("|")
        moment = datetime.datetime.fromisoformat(created)
        # we hand out naive UTC and short printable ASCII ids (codes, `wh_…` webhooks); anything else
        # (a NUL, which PostgreSQL refuses, an offset, 100 kB) never reaches a query
        if not (0 < len(short_id) <= 64 and short_id.isascii() and short_id.isprintable()) or moment.tzinfo:
            raise ValueError(short_id)
        return moment, short_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError.for_field(422, "querystring", "cursor", "not a cursor this API gave out")
