"""The third-party PDF renderer (plugins/exaroutes-pdf), installed by scripts/test like any plugin.

Its PDFs are rasterized with PDFium (pypdfium2, a wheel from PyPI: no system poppler needed) and
the page image is decoded with zxing-cpp. It proves the renderer contract with the test class
ExaRoutes ships (`exaroutes.testing.RendererContract`), plus what is particular to a vector PDF.
"""
import base64
import io

import pypdfium2
from PIL import Image

from exaroutes.testing import RendererContract, decode_image


def page_image(pdf_bytes):
    """The PDF's one page as a Pillow image."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        assert len(document) == 1
        return document[0].render(scale=2).to_pil()
    finally:
        document.close()


def decode_pdf(pdf_bytes):
    return decode_image(page_image(pdf_bytes))


def png_logo_uri():
    """A small two-colour PNG logo as a data: URI."""
    image = Image.new("RGBA", (120, 80), (26, 43, 109, 255))
    image.paste((255, 200, 0, 255), (30, 20, 90, 60))
    raw = io.BytesIO()
    image.save(raw, "PNG")
    return "data:image/png;base64," + base64.b64encode(raw.getvalue()).decode("ascii")


class TestPdfContract(RendererContract):
    renderer = "pdf"
    media_type = "application/pdf"

    def rasterize(self, body):
        return page_image(body)


def test_the_plugin_is_found_through_its_entry_point(app):
    renderer = app.registry["renderers"]["pdf"]
    assert renderer.media_type == "application/pdf"
    assert type(renderer).__module__ == "exaroutes_pdf"


def test_static_pdf_is_a_data_uri_of_a_vector_pdf_that_scans(testapp, auth):
    body = {"dataType": "text", "data": "Grüße", "returnType": "pdf", "shape": "rounded", "logo": png_logo_uri(),
            "foregroundColor": "#1A2B6D"}
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
