"""Decode what the service emits with zxing-cpp, an independent decoder, as a phone would."""
import base64
import io

import cairosvg
import zxingcpp
from PIL import Image


def decode_image(image_bytes):
    """Every text zxing-cpp finds in a raster image (PNG, JPEG, …)."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        return [result.text for result in zxingcpp.read_barcodes(image.convert("RGB"))]


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
        page = document[0].render(scale=2).to_pil()
        return [result.text for result in zxingcpp.read_barcodes(page.convert("RGB"))]
    finally:
        document.close()


def decode_any(body, media_type):
    """Decode any format the service emits: SVG, PDF or a raster image."""
    if media_type.startswith("image/svg"):
        return decode_svg(body)
    if media_type == "application/pdf":
        return decode_pdf(body)
    return decode_image(body)
