"""The opaque `cursor` of the code list: (created_at, short_id) of the last code shown, base64url."""
import base64
import binascii
import datetime

from exaroutes.codes.ids import is_short_id
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
        # we hand out naive UTC and 8-character ids; anything else (a NUL, an offset) never reaches a query
        if not is_short_id(short_id) or moment.tzinfo is not None:
            raise ValueError(short_id)
        return moment, short_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError.for_field(422, "querystring", "cursor", "not a cursor this API gave out")
