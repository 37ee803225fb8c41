"""The third-party PDF renderer (plugins/exaroutes-pdf), installed by scripts/test like any plugin.

Its PDFs are rasterized with PDFium (pypdfium2, a wheel from PyPI: no system poppler needed) and
the page image is decoded with zxing-cpp.
"""
import base64

from tests.logo_images import data_uri, png_logo
from tests.qr_decode import decode_pdf


def test_the_plugin_is_found_through_its_entry_point(app):
    renderer = app.registry["renderers"]["pdf"]
    assert renderer.media_type == "application/pdf"
    assert type(renderer).__module__ == "exaroutes_pdf"


def test_static_pdf_is_a_data_uri_of_a_vector_pdf_that_scans(testapp, auth):
    body = {"dataType": "text", "data": "Grüße", "returnType": "pdf", "shape": "rounded", "logo":
            data_uri(png_logo(), "image/png"), "foregroundColor": "#1A2B6D"}
    answer = testapp.post_json("/api/qr/static", body, headers=auth).json
    assert answer["format"] == "pdf"
    prefix = "data:application/pdf;base64,"
    assert answer["image"].startswith(prefix)
    pdf = base64.b64decode(answer["image"][len(prefix):])
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf        # the logo; the modules are paths
    assert decode_pdf(pdf) == ["Grüße"]


def test_dynamic_pdf_image_is_served_as_stored(testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/", "returnType": "pdf",
                                               "shape": "vertical-bars"}, headers=auth).json
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
    assert image.content_type == "application/pdf"
    assert decode_pdf(image.body) == [code["redirectUrl"]]
