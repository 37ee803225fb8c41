"""Logos are hostile input: only real PNG/JPEG, at most 1 MiB, dimensions checked before decoding."""
import base64
import os

import pytest
from PIL import Image

from exaroutes.imaging.logos import LARGEST_BOX, MAX_LOGO_BYTES, LogoError, parse_logo
from tests.helpers.logo_images import data_uri, encode, jpeg_logo, png_logo


def test_png_and_jpeg_are_accepted_and_reencoded_as_rgba():
    for uri in (data_uri(png_logo(), "image/png"), data_uri(jpeg_logo(), "image/jpeg")):
        logo = parse_logo(uri)
        assert logo.image.mode == "RGBA"


@pytest.mark.parametrize("uri,reason", [
    ("data:image/svg+xml;base64," + base64.b64encode(b"<svg onload='alert(1)'/>").decode(), "SVG"),
    (data_uri(encode(Image.new("RGB", (8, 8)), "GIF"), "image/gif"), "data:image/png"),
    ("https://example.com/logo.png", "data:image/png"),
    ("data:image/png;base64,not*base64", "base64"),
    (data_uri(jpeg_logo(), "image/png"), "not a PNG"),
    (data_uri(png_logo()[:60], "image/png"), "readable PNG"),
    (data_uri(b"\xff\xd8\xff" + os.urandom(200), "image/jpeg"), "readable JPEG"),
])
def test_unusable_logos_say_why(uri, reason):
    with pytest.raises(LogoError, match=reason):
        parse_logo(uri)


def test_over_one_mebibyte_is_refused_before_decoding():
    raw = b"\x89PNG\r\n\x1a\n" + bytes(MAX_LOGO_BYTES)
    with pytest.raises(LogoError, match="1 MiB"):
        parse_logo(data_uri(raw, "image/png"))


def test_a_pixel_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = encode(Image.new("1", (6000, 6000)), "PNG")          # 36 Mpx in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(LogoError, match="6000 x 6000 pixels"):
        parse_logo(data_uri(bomb, "image/png"))


def test_a_one_mebibyte_photo_is_shrunk_to_the_largest_box():
    noise = Image.frombytes("RGB", (1400, 1000), os.urandom(1400 * 1000 * 3))
    raw = encode(noise, "JPEG", quality=70)
    assert 500_000 < len(raw) <= MAX_LOGO_BYTES
    logo = parse_logo(data_uri(raw, "image/jpeg"))
    assert max(logo.image.size) <= LARGEST_BOX


def test_the_logo_box_is_a_fifth_of_the_symbol_whatever_the_margin():
    from exaroutes.imaging.logos import placement
    logo = parse_logo(data_uri(png_logo((400, 100)), "image/png"))
    for size in (64, 512, 4096):
        for margin in (0, 4, 20):
            module_px = max(1, size // (33 + 2 * margin))
            place = placement(logo, size, module_px, symbol_modules=33)
            assert place.box_side == int(33 * module_px * 0.2) and place.width <= place.box_side
            assert place.box_side <= size * 0.2
            assert place.box_x * 2 + place.box_side in (size, size - 1)
