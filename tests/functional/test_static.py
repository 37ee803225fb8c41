"""`POST /api/qr/static`: the payload itself is encoded, in PNG (data URI) and SVG (text); nothing stored."""
import pytest

from tests.helpers.qr_decode import decode_data_uri, decode_svg

CASES = [
    ("url", "https://example.com/a?b=c&d=é", "https://example.com/a?b=c&d=%C3%A9"),  # an IRI is printed as its URI
    ("text", "Grüße, 東京, 🎉 and ; : \\ \"quotes\"", "Grüße, 東京, 🎉 and ; : \\ \"quotes\""),
]


@pytest.mark.parametrize("data_type,data,payload", CASES)
def test_static_png_and_svg_decode_to_the_payload(testapp, auth, count_rows, data_type, data, payload):
    before = count_rows()
    png = testapp.post_json("/api/qr/static", {"dataType": data_type, "data": data}, headers=auth).json
    assert png["type"] == "static" and png["dataType"] == data_type and png["format"] == "png"
    assert png["image"].startswith("data:image/png;base64,")
    assert decode_data_uri(png["image"]) == [payload]
    svg = testapp.post_json("/api/qr/static", {"dataType": data_type, "data": data, "returnType": "svg"},
                            headers=auth).json
    assert svg["format"] == "svg" and svg["image"].startswith("<svg")
    assert decode_svg(svg["image"]) == [payload]
    assert count_rows() == before


def test_static_rejects_bad_data_naming_the_field(testapp, auth, count_rows):
    before = count_rows()
    error = testapp.post_json("/api/qr/static", {"dataType": "url", "data": "ftp://x.org/"}, headers=auth,
                              status=422).json
    assert error["errors"][0]["name"] == "data"
    error = testapp.post_json("/api/qr/static", {"dataType": "text", "data": "x" * 5000}, headers=auth,
                              status=422).json
    assert error["errors"][0]["name"] == "data"
    error = testapp.post_json("/api/qr/static", {"dataType": "text", "data": "x" * 3000,
                                                 "errorCorrection": "H"}, headers=auth, status=422).json
    assert error["errors"][0]["name"] == "data" and "error correction H" in error["errors"][0]["description"]
    assert count_rows() == before


def test_static_style_fields(testapp, auth):
    body = {"data": "https://example.com/", "size": 300, "margin": 2, "errorCorrection": "Q",
            "foregroundColor": "#1A2B3C", "backgroundColor": "#FFFFEE"}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == ["https://example.com/"]
    svg = testapp.post_json("/api/qr/static", {**body, "returnType": "svg"}, headers=auth).json
    assert 'width="300"' in svg["image"] and "#1A2B3C" in svg["image"]
    assert decode_svg(svg["image"]) == ["https://example.com/"]
