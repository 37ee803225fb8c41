"""Styling through the API (DESIGN.md §1.4) on every backend: shapes, colours, logos, and the 422s."""
import pytest
from PIL import Image

from exaroutes.renderers.png import PngRenderer
from tests.helpers.logo_images import data_uri, encode, jpeg_logo, png_logo
from tests.helpers.qr_decode import decode_any, decode_data_uri, decode_svg

PNG_LOGO = data_uri(png_logo(), "image/png")


def test_a_styled_dynamic_code_scans_and_its_image_is_cached(testapp, auth):
    body = {"data": "https://example.com/spring", "shape": "circle", "logo": PNG_LOGO,
            "foregroundColor": "#1A2B6D", "backgroundColor": "#FFF8E1", "size": 400, "errorCorrection": "L"}
    for return_type, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        code = testapp.post_json("/api/qr/codes", {**body, "returnType": return_type}, headers=auth).json
        assert code["style"]["shape"] == "circle"
        assert code["style"]["logo"].startswith("sha256:") and code["style"]["errorCorrection"] == "H"
        image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
        assert image.content_type == media_type
        assert decode_any(image.body, media_type) == [code["redirectUrl"]]
        assert image.headers["Cache-Control"] == "private, max-age=86400" and image.etag
        again = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
        assert again.body == image.body and again.etag == image.etag
        testapp.get(f"/api/qr/codes/{code['id']}/image", headers={**auth, "If-None-Match": f'"{image.etag}"'},
                    status=304)


@pytest.mark.parametrize("shape", ["rounded", "gapped", "vertical-bars", "horizontal-bars"])
def test_static_shapes_in_png_and_svg(testapp, auth, shape):
    body = {"dataType": "text", "data": "Grüße aus Köln", "shape": shape, "logo": data_uri(jpeg_logo(), "image/jpeg")}
    png = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert decode_data_uri(png["image"]) == ["Grüße aus Köln"]
    svg = testapp.post_json("/api/qr/static", {**body, "returnType": "svg"}, headers=auth).json
    assert "<script" not in svg["image"] and "http://" not in svg["image"].replace("http://www.w3.org/2000/svg", "")
    assert decode_svg(svg["image"]) == ["Grüße aus Köln"]


@pytest.mark.parametrize("style,field,words", [
    ({"foregroundColor": "#AAAAAA"}, "foregroundColor", "apart in luma"),
    ({"foregroundColor": "#777777", "backgroundColor": "#555555"}, "foregroundColor", "inverted"),
    ({"backgroundColor": "#000000"}, "backgroundColor", "apart in luma"),
    ({"foregroundColor": "#FFFFFF", "backgroundColor": "#000000"}, "backgroundColor", "inverted"),
    ({"shape": "diamond"}, "shape", "one of"),
    ({"shape": "circle", "size": 64}, "size", "4 px per module"),
    ({"logo": "data:image/svg+xml;base64,PHN2Zy8+"}, "logo", "SVG"),
    ({"logo": data_uri(encode(Image.new("RGB", (4, 4)), "GIF"), "image/gif")},
     "logo", "data:image/png"),
    ({"logo": data_uri(b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024), "image/png")}, "logo", "1 MiB"),
    ({"logo": 42}, "logo", "string"),
])
def test_designs_that_would_not_scan_are_422_naming_the_field(testapp, auth, count_rows, style, field, words):
    before = count_rows()
    for path in ("/api/qr/codes", "/api/qr/static"):
        error = testapp.post_json(path, {"data": "https://example.com/", **style}, headers=auth, status=422).json
        assert field in [e["name"] for e in error["errors"]], error
        assert any(words in e["description"] for e in error["errors"]), error
    assert count_rows() == before


class BlankPng(PngRenderer):
    """A PNG renderer whose pictures never scan: what the decode-once check is there to catch."""

    def draw(self, matrix, style):
        return Image.new("RGB", (style["size"],) * 2, "white")


def test_an_image_that_does_not_decode_is_422_and_stores_nothing(app, testapp, auth, count_rows, monkeypatch):
    monkeypatch.setitem(app.registry["renderers"], "png", BlankPng())
    before = count_rows()
    error = testapp.post_json("/api/qr/codes", {"data": "https://example.com/", "shape": "gapped"}, headers=auth,
                              status=422).json
    assert error["errors"][0]["name"] == "shape" and "does not decode" in error["errors"][0]["description"]
    assert count_rows() == before


class SquareOnlyPng(PngRenderer):
    """A third-party renderer that draws no shapes or logos: it must refuse them, never drop them."""

    name = "squares"
    supported_style = frozenset({"size", "margin", "errorCorrection", "foregroundColor", "backgroundColor"})


def test_a_renderer_refuses_the_fields_it_cannot_draw(app, testapp, auth, count_rows, monkeypatch):
    monkeypatch.setitem(app.registry["renderers"], "squares", SquareOnlyPng())
    before = count_rows()
    body = {"data": "https://example.com/", "returnType": "squares", "shape": "circle", "logo": PNG_LOGO}
    error = testapp.post_json("/api/qr/codes", body, headers=auth, status=422).json
    assert [(e["name"], e["description"]) for e in error["errors"]] == [
        ("logo", "the squares renderer cannot draw it"), ("shape", "the squares renderer cannot draw it")]
    assert count_rows() == before
    fine = testapp.post_json("/api/qr/static", {"data": "https://example.com/", "returnType": "squares"},
                             headers=auth).json
    assert decode_data_uri(fine["image"]) == ["https://example.com/"]
