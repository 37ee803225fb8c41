"""Every data type as a static code: the image (PNG and SVG) decodes to the expected payload byte for
byte, and an independent reading of that payload gives back what the client sent (issue 4)."""
import re
from urllib.parse import parse_qsl, unquote, urlsplit

import idna
import pytest
import vobject

from tests.helpers.datatype_cases import BAD_DATA, CASES
from tests.helpers.qr_decode import decode_data_uri, decode_svg


def as_object(data, key):
    """The object form of `data` given as a plain string (email address, sms number)."""
    return {key: data} if isinstance(data, str) else data


def present(data):
    """What a reader gives back: empty optional fields are not in the code at all."""
    return {key: value for key, value in data.items() if value not in ("", False)}


def read_email(payload, data):
    parts = urlsplit(payload)
    assert parts.scheme == "mailto" and "+" not in parts.query
    local, _, domain = unquote(parts.path, errors="strict").rpartition("@")
    to = f"{local}@{domain.encode('ascii').decode('idna')}"          # a Unicode domain travels as A-label
    fields = {"to": to, **dict(parse_qsl(parts.query, strict_parsing=False))}
    expected = present(as_object(data, "to"))
    if "body" in expected:
        expected["body"] = expected["body"].replace("\n", "\r\n")     # RFC 6068 §5: CRLF in a body
    assert fields == expected


def read_phone(payload, data):
    assert payload == "tel:" + re.sub(r"[^0-9+]", "", data)


def read_sms(payload, data):
    prefix, number, message = payload.split(":", 2)      # the message keeps every later colon
    data = as_object(data, "number")
    assert (prefix, number, message) == ("SMSTO", re.sub(r"[^0-9+]", "", data["number"]), data.get("message", ""))


def read_wifi(payload, data):
    """The ZXing wiki's rules: `K:value;` fields, a backslash escapes the next character, `;;` ends."""
    assert payload.startswith("WIFI:") and payload.endswith(";;")
    fields = {key: re.sub(r"\\(.)", r"\1", value)
              for key, value in re.findall(r"([A-Z]):((?:\\.|[^;\\])*);", payload[len("WIFI:"):-1])}
    if isinstance(data, str):
        return
    expected = {"T": data["encryption"], "S": data["ssid"]}
    if data.get("password"):
        expected["P"] = data["password"]
    if data.get("hidden"):
        expected["H"] = "true"
    assert fields == expected


def read_vcard(payload, data):
    assert payload.endswith("\r\n") and "\n" not in payload.replace("\r\n", "")
    card = vobject.readOne(payload)
    assert card.version.value == "3.0"
    assert (card.n.value.given, card.n.value.family) == (data["firstName"], data["lastName"])
    assert card.fn.value == f"{data['firstName']} {data['lastName']}"
    simple = {"title": "title", "phone": "tel", "email": "email", "url": "url", "note": "note"}
    for field, prop in simple.items():
        if data.get(field):
            assert getattr(card, prop).value == data[field]
        else:
            assert prop not in card.contents
    if data.get("organization"):
        assert card.org.value == [data["organization"]]
    if data.get("address"):
        assert card.adr.value.street == data["address"]


def read_geo(payload, data):
    match = re.fullmatch(r"geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)(?:,(-?\d+(?:\.\d+)?))?", payload)
    assert match, payload
    if isinstance(data, str):
        return
    numbers = [float(n) for n in match.groups() if n is not None]
    assert numbers == [data["latitude"], data["longitude"]] + ([data["altitude"]] if "altitude" in data else [])


def read_verbatim(payload, data):
    assert payload == data


def read_url(payload, data):
    """An IRI is encoded as its URI: read back (IDNA host, percent-decoded rest) it is the IRI again."""
    assert payload.isascii(), payload
    got, given = urlsplit(payload), urlsplit(data)
    assert idna.decode(got.hostname) == given.hostname
    assert [unquote(getattr(got, part)) for part in ("scheme", "path", "query", "fragment")] == \
        [getattr(given, part) for part in ("scheme", "path", "query", "fragment")]


READERS = {"url": read_url, "text": read_verbatim, "email": read_email, "phone": read_phone,
           "sms": read_sms, "wifi": read_wifi, "vcard": read_vcard, "geo": read_geo}


@pytest.mark.parametrize("case", [case.param() for case in CASES])
def test_static_code_decodes_to_the_payload_byte_for_byte(testapp, auth, case):
    for return_type, decode in (("png", decode_data_uri), ("svg", decode_svg)):
        body = {"dataType": case.data_type, "data": case.data, "returnType": return_type, **case.style}
        static = testapp.post_json("/api/qr/static", body, headers=auth).json
        assert (static["dataType"], static["format"]) == (case.data_type, return_type)
        decoded = decode(static["image"])
        assert len(decoded) == 1 and decoded[0].encode("utf-8") == case.payload.encode("utf-8")
    READERS[case.data_type](case.payload, case.data)


def test_every_builtin_type_has_cases():
    assert {case.data_type for case in CASES} == set(READERS)
    assert {data_type for data_type, _, _ in BAD_DATA} == set(READERS)


@pytest.mark.parametrize("data_type,data,field", BAD_DATA)
def test_bad_data_is_422_naming_the_field_and_writes_nothing(testapp, auth, count_rows, data_type, data, field):
    before = count_rows()
    for path in ("/api/qr/static", "/api/qr/codes"):
        error = testapp.post_json(path, {"dataType": data_type, "data": data}, headers=auth, status=422).json
        assert error["errors"][0]["name"] == field, error
        assert error["errors"][0]["location"] == "body"
    assert count_rows() == before
