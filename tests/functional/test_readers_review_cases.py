"""The failing cases of the readers review (shared/reports/2026-12-readers-review.md, D4 and D1-D3): each
one now decodes exactly in zxing-cpp, ZBar and OpenCV (tests/helpers/qr_decode.py reads every image with all
three and compares bytes), or is refused with a 422 that names the field and says why.
"""
import io

import pytest
import zxingcpp
from PIL import Image

from tests.helpers.logo_images import data_uri, png_logo
from tests.helpers.qr_decode import decode_data_uri, decode_image, decode_svg

LOGO = data_uri(png_logo(), "image/png")
URL = "https://example.com/spring-sale"

#: D4.1: ZBar read these as Shift-JIS (no ECI); (dataType, data, payload, extra style)
NON_ASCII = [
    ("text", "café", "café", {}),
    ("text", "Grüße aus Köln, ça va? Ñandú £5 ©", "Grüße aus Köln, ça va? Ñandú £5 ©", {}),
    ("text", "東京タワーへようこそ", "東京タワーへようこそ", {}),
    ("text", "東" * 984, "東" * 984, {"errorCorrection": "L", "size": 1024}),
    # a url code carries the URI of an IRI (exaroutes/uris.py, review B3): ASCII, read exactly by every reader
    ("url", "https://example.de/über/straße", "https://example.de/%C3%BCber/stra%C3%9Fe", {}),
    ("wifi", {"ssid": "Büro", "password": "0123456789ABCDEF0123456789", "encryption": "WEP", "hidden": True},
     "WIFI:T:WEP;S:Büro;P:0123456789ABCDEF0123456789;H:true;;", {}),
    ("vcard", {"firstName": "Jürgen", "lastName": "Müller", "organization": "Bäckerei Größe"},
     "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Jürgen;;;\r\nFN:Jürgen Müller\r\nORG:Bäckerei Größe\r\nEND:VCARD\r\n",
     {}),
    # D4.2: OpenCV missed this one (v4, size 768)
    ("sms", {"number": "+44 7700 900123", "message": "Hi: ok; 50% 😀 東京, \\ \""},
     "SMSTO:+447700900123:Hi: ok; 50% 😀 東京, \\ \"", {"size": 768}),
]


@pytest.mark.parametrize("data_type,data,payload,style", NON_ASCII, ids=lambda v: str(v)[:12])
def test_non_ascii_payloads_read_exactly_in_every_reader(testapp, auth, data_type, data, payload, style):
    body = {"dataType": data_type, "data": data, **style}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == [payload]
    svg = testapp.post_json("/api/qr/static", {**body, "returnType": "svg"}, headers=auth).json
    assert decode_svg(svg["image"]) == [payload]


def test_version_40_codes_read_in_every_reader(testapp, auth):
    """D4.2: OpenCV missed the v35-v40 texts (2953 x 'x' at L, size 1024, margin 1)."""
    body = {"data": "x" * 2953, "dataType": "text", "errorCorrection": "L", "size": 1024, "margin": 1}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == ["x" * 2953]


def test_numeric_text_holds_what_the_standard_allows(testapp, auth, count_rows):
    """D2: 4297-7089 digits were refused by the schema though version 40-L holds 7089 digits."""
    before = count_rows()
    body = {"data": "1" * 7089, "dataType": "text", "errorCorrection": "L", "size": 1480}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == ["1" * 7089]
    error = testapp.post_json("/api/qr/static", {**body, "data": "1" * 7090}, headers=auth, status=422).json
    assert error["errors"][0]["name"] == "data" and "7089" in error["errors"][0]["description"]
    error = testapp.post_json("/api/qr/static", {**body, "data": "1" * 3058, "errorCorrection": "H"},
                              headers=auth, status=422).json          # 40-H holds 3057 digits
    assert error["errors"][0]["name"] == "data" and "do not fit" in error["errors"][0]["description"]
    error = testapp.post_json("/api/qr/static", {**body, "data": "a" * 2954}, headers=auth, status=422).json
    assert error["errors"][0]["name"] == "data"
    assert count_rows() == before


@pytest.mark.parametrize("foreground,background,field,why", [
    ("#451374", "#F70201", "foregroundColor", "apart in luma"),       # C: WCAG 3.11:1, 30/255 in luma
    ("#949494", "#FFFFFF", "foregroundColor", "apart in luma"),       # C: accepted at 3.03:1, 76-83% degraded
    ("#BBBBBB", "#FFFFFF", "foregroundColor", "apart in luma"),
    ("#000000", "#828282", "backgroundColor", "too dark"),            # dark backgrounds: 53% degraded
    ("#FFFFFF", "#000000", "foregroundColor", "inverted"),
])
def test_colour_pairs_readers_binarize_badly_are_refused(testapp, auth, count_rows, foreground, background,
                                                          field, why):
    before = count_rows()
    for path in ("/api/qr/codes", "/api/qr/static"):
        error = testapp.post_json(path, {"data": URL, "foregroundColor": foreground, "backgroundColor": background},
                                  headers=auth, status=422).json
        assert error["errors"][0]["name"] == field and why in error["errors"][0]["description"]
    assert count_rows() == before


@pytest.mark.parametrize("foreground,background", [("#7D7D7D", "#FFFFFF"), ("#00D200", "#FFFFF0"),
                                                   ("#000000", "#969696"), ("#1A237E", "#FFF9C4")])
def test_colour_pairs_at_the_measured_floors_are_accepted_and_read(testapp, auth, foreground, background):
    body = {"data": URL, "foregroundColor": foreground, "backgroundColor": background}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == [URL]


def test_a_margin_without_quiet_zone_is_refused(testapp, auth, count_rows):
    """D4.2: margin 0 drawn edge to edge is not read by OpenCV as served, nor by any reader on a busy page."""
    before = count_rows()
    for path in ("/api/qr/codes", "/api/qr/static"):
        error = testapp.post_json(path, {"data": URL, "shape": "rounded", "errorCorrection": "H", "margin": 0},
                                  headers=auth, status=422).json
        assert error["errors"][0]["name"] == "margin" and "quiet zone" in error["errors"][0]["description"]
    assert count_rows() == before


@pytest.mark.parametrize("margin", [1, 4, 12, 20])
def test_the_logo_covers_the_same_modules_whatever_the_margin(testapp, auth, margin):
    """D3: the logo box was 20% of the image, so margins 16-20 were refused; it is 20% of the symbol now."""
    code = testapp.post_json("/api/qr/codes", {"data": URL, "logo": LOGO, "margin": margin, "size": 1024},
                             headers=auth, status=201).json
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    assert decode_image(image) == [code["redirectUrl"]]
    static = testapp.post_json("/api/qr/static", {"data": "A", "dataType": "text", "logo": LOGO,
                                                  "margin": margin, "size": 1024}, headers=auth).json
    assert decode_data_uri(static["image"]) == ["A"]


def test_error_correction_is_boosted_only_when_the_client_leaves_it_unset(testapp, auth):
    def level(uri):
        raw = __import__("base64").b64decode(uri.partition(",")[2])
        with Image.open(io.BytesIO(raw)) as image:
            [result] = zxingcpp.read_barcodes(image.convert("L"))
        return result.ec_level

    boosted = testapp.post_json("/api/qr/static", {"dataType": "text", "data": "café"}, headers=auth).json
    assert decode_data_uri(boosted["image"]) == ["café"] and level(boosted["image"]) == "H"
    kept = testapp.post_json("/api/qr/static", {"dataType": "text", "data": "café", "errorCorrection": "M"},
                             headers=auth).json
    assert decode_data_uri(kept["image"]) == ["café"] and level(kept["image"]) == "M"
    assert boosted["print"]["modules"] == kept["print"]["modules"] == 21 + 8      # the same version 1
