"""`print: {"modules", "minSizeMm"}` (DESIGN.md §1.4) on the code object, static responses and the
dashboard: the image's modules (read back from the image itself) times the module size the rule in
docs/scanning.md gives at arm's length (3 px x 300 mm x 36 mm / 26 mm / 1280 px = 0.97 mm)."""
import base64
import io
import math

import pytest
import zxingcpp
from PIL import Image

from tests.helpers.dashboard import sign_in
from tests.helpers.qr_decode import decode_image

MODULE_MM = 3 * 300 * 36 / 26 / 1280


def version_of(image_bytes):
    with Image.open(io.BytesIO(image_bytes)) as image:
        [result] = zxingcpp.read_barcodes(image.convert("L"))
    return int(result.extra["Version"])


def expected(image_bytes, margin):
    modules = 17 + 4 * version_of(image_bytes) + 2 * margin
    guidance = {"modules": modules, "minSizeMm": math.ceil(round(modules * MODULE_MM * 10, 6)) / 10}
    if margin < 4:
        guidance["blankBorderMm"] = math.ceil(round((4 - margin) * MODULE_MM * 10, 6)) / 10
    return guidance


@pytest.mark.parametrize("style", [{}, {"margin": 2, "errorCorrection": "H"}, {"margin": 10, "shape": "circle"}])
def test_the_code_object_carries_print_guidance(testapp, auth, style):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/print", **style},
                             headers=auth, status=201).json
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    assert decode_image(image) == [code["redirectUrl"]]
    assert code["print"] == expected(image, style.get("margin", 4))
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["print"] == code["print"]
    listed = testapp.get("/api/qr/codes", headers=auth).json["data"]
    assert [c["print"] for c in listed if c["id"] == code["id"]] == [code["print"]]


def test_a_static_response_carries_print_guidance(testapp, auth):
    body = {"dataType": "text", "data": "Grüße aus Köln " * 20, "margin": 1}
    static = testapp.post_json("/api/qr/static", body, headers=auth).json
    image = base64.b64decode(static["image"].partition(",")[2])
    assert decode_image(image) == [body["data"]]
    assert static["print"] == expected(image, 1)
    assert static["print"]["minSizeMm"] > 60 and static["print"]["blankBorderMm"] == 3.0


def test_the_dashboard_shows_the_print_size_beside_the_download(testapp, api_key, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/print", "margin": 2},
                             headers=auth, status=201).json
    sign_in(testapp, api_key)
    page = testapp.get(f"/dashboard/codes/{code['id']}").text
    download = page.index('class="download"')
    shown = page.index('id="print-size"')
    assert 0 < shown - download < 1000
    assert f"at least {code['print']['minSizeMm']:.1f} mm wide ({code['print']['modules']} modules" in page
    assert f"leave {code['print']['blankBorderMm']:.1f} mm of blank space" in page
