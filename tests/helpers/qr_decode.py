"""Decode what the service emits with three independent readers, as the phones that scan it would.

DESIGN.md §1.4: "scans" means every image decodes to exactly the intended bytes in zxing-cpp, ZBar
and OpenCV alike. The readers and how each is called live in `exaroutes.testing` (shipped, so the
plugins' contract tests read their images the same way); here are the helpers for the formats the
service emits. Each returns the texts all three readers agree on, or raises ReadersDisagree. (The
service's own create-time proof stays one fast zxing-cpp decode: exaroutes.imaging.render.)
"""
import base64
import io

import cairosvg
from PIL import Image

from exaroutes.testing import READERS, ReadersDisagree, read_each  # noqa: F401  (re-exported for tests, benches)
from exaroutes.testing import decode_image as decode_picture


def decode_image(image_bytes):
    """Every text in a raster image (PNG, JPEG, ...), read alike by zxing-cpp, ZBar and OpenCV."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        return decode_picture(image)


def rasterize_svg(svg, width=None):
    """PNG bytes of an SVG, by cairosvg without network or file access."""
    svg_bytes = svg.encode("utf-8") if isinstance(svg, str) else svg
    return cairosvg.svg2png(bytestring=svg_bytes, unsafe=False, output_width=width)


def decode_svg(svg):
    """Rasterize the SVG with cairosvg (no network, no files) and decode it."""
    return decode_image(rasterize_svg(svg))


def decode_data_uri(uri):
    header, _, data = uri.partition(",")
    assert header.endswith(";base64"), header
    return decode_image(base64.b64decode(data))


def decode_pdf(pdf_bytes):
    """Rasterize the single page with PDFium (pypdfium2: no system poppler needed) and decode it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        assert len(document) == 1
        return decode_picture(document[0].render(scale=2).to_pil())
    finally:
        document.close()


def decode_any(body, media_type):
    """Decode any format the service emits: SVG, PDF or a raster image."""
    if media_type.startswith("image/svg"):
        return decode_svg(body)
    if media_type == "application/pdf":
        return decode_pdf(body)
    return decode_image(body)
