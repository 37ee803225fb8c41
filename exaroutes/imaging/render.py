"""Payload + style → image bytes, proven to scan before anyone gets them.

Every image the service emits is made here. The PNG picture of the same matrix and style is decoded once
with zxing-cpp (an independent decoder), before PNG encoding (lossless, so the same pixels), looking for QR
codes only, upright and not inverted: what a phone reader needs. The SVG renderer draws the very same tiles,
logo box and pixel grid as the PNG renderer (renderers/shapes.py, logos.py), and
tests/unit/test_scannability.py rasterizes the SVGs of every shape and compares them with the PNGs, so the
PNG proves both; other renderers (PDF) draw through the SVG renderer.
"""
import zxingcpp

from exaroutes.imaging.logos import parse_logo
from exaroutes.imaging.matrix import encode
from exaroutes.imaging.print_size import print_guidance

DEFAULT_STYLE = {
    "size": 512,
    "margin": 4,
    "errorCorrection": "M",
    "foregroundColor": "#000000",
    "backgroundColor": "#FFFFFF",
    "shape": "square",
}


class Unscannable(ValueError):
    """The rendered design did not decode to its payload."""


def decode_picture(image):
    """All texts zxing-cpp reads from a Pillow image.

    Only QR codes, no rotation, no inversion: a quarter of the default's time (3.4 ms against
    15 ms at 512 px), and an inverted code, which many phones cannot read, does not count as proof.
    """
    return [result.text for result in zxingcpp.read_barcodes(
        image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=False)]


def resolve_style(style, logo=None):
    """What renderers draw: the client's fields over the defaults, `logo` parsed (and forcing H).

    `logo` is the already parsed `style["logo"]` when the caller has it (a checked Design)."""
    full = {**DEFAULT_STYLE, "logo": None, **style}
    if style.get("logo") is not None:
        full["logo"] = logo if logo is not None else parse_logo(style["logo"])
        full["errorCorrection"] = "H"
    return full


def symbol_for(payload, style):
    """The QR symbol of `payload` for a style: the client's fields or a code's stored style.

    A logo forces H; otherwise the client's error correction is kept, and when the client did not set
    it the default M is raised to the highest level that keeps the version (DESIGN.md §1.4, "boost").
    """
    if style.get("logo") is not None:
        return encode(payload, "H")
    if "errorCorrection" in style:
        return encode(payload, style["errorCorrection"])
    return encode(payload, DEFAULT_STYLE["errorCorrection"], boost=True)


def print_guide(payload, style):
    """The `print` object of `payload` drawn in `style` (client fields or a stored style):
    modules across the image and the smallest printed side (exaroutes.imaging.print_size)."""
    return print_guidance(symbol_for(payload, style).side, style.get("margin", DEFAULT_STYLE["margin"]))


def proof_key(return_type, style, payload, symbol):
    """What decides whether a drawing scans, apart from which dark modules the data makes.

    Two payloads of the same length whose matrices have the same size (so the same version: the same
    finder, timing and alignment patterns, the same module size in pixels and the same place for a
    logo), drawn in the same format and style, differ only in data, error-correction and format
    modules. A bulk job's codes are exactly that: the redirect base + `/r/` + an 8-character id.
    """
    return (return_type, repr(sorted(style.items())), len(payload), payload.isascii(), symbol.side,
            symbol.error_correction)


def render(registry, payload, return_type, style, proven=None, logo=None):
    """Image bytes of `payload` drawn by the `return_type` renderer; raises if it would not scan.

    `proven` (a set, for a batch of codes) holds the proof keys already decoded in this batch: the
    first drawing of each key is decoded with zxing-cpp, later ones of the same key are not
    (tests/unit/test_scan_proof_per_look.py decodes samples of every shape to back this up).
    """
    full = resolve_style(style, logo)
    symbol = symbol_for(payload, style)
    matrix = symbol.modules
    renderer = registry["renderers"][return_type]
    png = registry["renderers"]["png"]
    picture = png.draw(matrix, full)
    key = proof_key(return_type, style, payload, symbol) if proven is not None else None
    if key is None or key not in proven:
        if decode_picture(picture) != [payload]:
            raise Unscannable("the rendered image does not decode to its content")
        if key is not None:
            proven.add(key)
    if renderer is png:
        return png.encode(picture)
    return renderer.render(matrix, full)
