"""Every accepted design scans: every shape x error correction x PNG/SVG x logo x 3 colour pairs.

Each image is decoded by zxing-cpp (the SVG after rasterizing it with cairosvg), and each SVG is
compared pixel by pixel with the PNG of the same style: that parity is why the service may prove an
SVG by decoding its PNG (exaroutes/rendering.py).
"""
import io
import os
import re

import pytest
import zxingcpp
from PIL import Image

from exaroutes.imaging.matrix import build_matrix
from exaroutes.renderers.png import PngRenderer
from exaroutes.renderers.shapes import SHAPES
from exaroutes.renderers.svg import SvgRenderer
from exaroutes.imaging.render import decode_picture, resolve_style
from tests.helpers.logo_images import data_uri, encode, jpeg_logo, png_logo
from tests.helpers.qr_decode import rasterize_svg

PAYLOAD = "https://qr.example.test/r/Ab3xK9pQ"
COLOUR_PAIRS = [("#000000", "#FFFFFF"), ("#1A2B6D", "#FFF8E1"), ("#B00020", "#E8F0F0")]
LOGOS = {"none": None, "png": data_uri(png_logo(), "image/png"), "jpeg": data_uri(jpeg_logo(), "image/jpeg")}
SIZE = 200


def read(image_bytes):
    with Image.open(io.BytesIO(image_bytes)) as image:
        return zxingcpp.read_barcodes(image.convert("RGB"))


@pytest.mark.parametrize("colours", COLOUR_PAIRS, ids=lambda pair: "-".join(pair))
@pytest.mark.parametrize("logo", ["none", "png"])
@pytest.mark.parametrize("error_correction", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("shape", SHAPES)
def test_design_scans_in_png_and_svg(shape, error_correction, logo, colours):
    fields = {"shape": shape, "errorCorrection": error_correction, "size": SIZE,
              "foregroundColor": colours[0], "backgroundColor": colours[1]}
    if LOGOS[logo]:
        fields["logo"] = LOGOS[logo]
    style = resolve_style(fields)
    matrix = build_matrix(PAYLOAD, style["errorCorrection"])
    png = PngRenderer().render(matrix, style)
    svg_raster = rasterize_svg(SvgRenderer().render(matrix, style), SIZE)
    expected_level = "H" if logo != "none" else error_correction      # a logo forces H
    for name, image in (("png", png), ("svg", svg_raster)):
        results = read(image)
        assert [r.text for r in results] == [PAYLOAD], name
        assert results[0].ec_level == expected_level, name
    with Image.open(io.BytesIO(png)) as a, Image.open(io.BytesIO(svg_raster)) as b:
        assert a.size == b.size == (SIZE, SIZE)
        differing = sum(abs(x - y) > 96 for x, y in zip(a.convert("L").tobytes(), b.convert("L").tobytes()))
    assert differing / SIZE ** 2 < 0.005, f"SVG and PNG differ in {differing} pixels"


@pytest.mark.parametrize("shape", SHAPES)
def test_jpeg_logo_and_a_large_symbol_scan(shape):
    """A version-15 symbol (200 bytes at H) with a JPEG logo, whose centre holds alignment patterns."""
    payload = "https://example.com/" + "a" * 180
    style = resolve_style({"shape": shape, "size": 600, "logo": LOGOS["jpeg"]})
    matrix = build_matrix(payload, style["errorCorrection"])
    assert [r.text for r in read(PngRenderer().render(matrix, style))] == [payload]
    assert [r.text for r in read(rasterize_svg(SvgRenderer().render(matrix, style), 600))] == [payload]


def test_the_largest_render_with_a_one_mebibyte_logo():
    """4096 px, circles, a 1 MiB noisy JPEG: the heaviest render we accept completes and still scans."""
    noise = Image.frombytes("RGB", (1400, 1000), os.urandom(1400 * 1000 * 3))
    raw = encode(noise, "JPEG", quality=70)
    assert len(raw) > 500_000
    style = resolve_style({"shape": "circle", "size": 4096, "logo": data_uri(raw, "image/jpeg")})
    matrix = build_matrix(PAYLOAD, style["errorCorrection"])
    png = PngRenderer().render(matrix, style)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (4096, 4096)
        assert decode_picture(image) == [PAYLOAD]
    svg = SvgRenderer().render(matrix, style)
    assert svg.count(b"data:image/png;base64,") == 1
    # The embedded logo's base64 may spell "http" by chance (random noise: ~8% of runs); look outside it.
    outside_logo = re.sub(rb"data:image/png;base64,[A-Za-z0-9+/=]*", b"", svg)
    assert b"http" not in outside_logo.replace(b"http://www.w3.org/2000/svg", b"")
