"""A bulk chunk decodes the first drawing of each look and draws the rest of that look without decoding
(exaroutes.imaging.render.render with `proven`). Backed here: drawings made on the skipping path, for every
shape, with and without a logo, at a small size, all decode with zxing-cpp to their own redirect URL,
including ids whose letters and digits zxing-cpp's encoder may pack differently (all upper case)."""
import random
import string

import pytest

from exaroutes.plugins.registry import BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS, load_plugins
from exaroutes.imaging.matrix import encode
from exaroutes.renderers.shapes import SHAPES
from exaroutes.imaging.render import proof_key, render
from tests.helpers.logo_images import data_uri, png_logo
from tests.helpers.qr_decode import decode_image

BASE = "https://qr.exaroutes.com/r/"
REGISTRY = {"datatypes": load_plugins(DATATYPES, BUILTIN_DATATYPES),
            "renderers": load_plugins(RENDERERS, BUILTIN_RENDERERS)}


def sample_ids(count, seed):
    chooser = random.Random(seed)
    mixed = [''.join(chooser.choices(string.ascii_letters + string.digits, k=8)) for _ in range(count)]
    upper = [''.join(chooser.choices(string.ascii_uppercase + string.digits, k=8)) for _ in range(3)]
    return mixed + upper + ["00000000", "zzzzzzzz"]


@pytest.mark.parametrize("logo", [False, True], ids=["plain", "logo"])
@pytest.mark.parametrize("shape", SHAPES)
def test_every_drawing_of_a_proven_look_decodes_to_its_own_url(shape, logo):
    style = {"shape": shape, "size": 200, "foregroundColor": "#1A2B6D", "backgroundColor": "#FFF8E1"}
    if logo:
        style["logo"] = data_uri(png_logo(), "image/png")
    proven = set()
    urls = [BASE + short_id for short_id in sample_ids(10, shape)]
    images = [render(REGISTRY, url, "png", style, proven) for url in urls]
    assert 1 <= len(proven) < len(urls)          # decoded once per look, not per drawing
    for url, image in zip(urls, images):
        assert decode_image(image) == [url]


def test_the_proof_key_tells_looks_apart():
    url = BASE + "Ab3xK9pQ"
    symbol = encode(url, "M")
    key = proof_key("png", {"shape": "circle"}, url, symbol)
    assert key == proof_key("png", {"shape": "circle"}, BASE + "Zz9yY8xX", encode(BASE + "Zz9yY8xX", "M"))
    assert key != proof_key("png", {"shape": "gapped"}, url, symbol)
    assert key != proof_key("svg", {"shape": "circle"}, url, symbol)
    assert key != proof_key("png", {"shape": "circle", "size": 64}, url, symbol)
    assert key != proof_key("png", {"shape": "circle"}, url + "x", symbol)            # another length
    assert key != proof_key("png", {"shape": "circle"}, url, encode(url, "H"))        # another version
    assert key != proof_key("png", {"shape": "circle"}, url, encode(url, "L"))        # same version, another level


def test_without_a_batch_every_drawing_is_decoded(monkeypatch):
    from exaroutes.imaging import render as rendering
    decoded = []
    monkeypatch.setattr(rendering, "decode_picture", lambda picture: decoded.append(1) or [BASE + "Ab3xK9pQ"])
    for _ in range(3):
        render(REGISTRY, BASE + "Ab3xK9pQ", "png", {})
    assert len(decoded) == 3
    proven = set()
    for _ in range(3):
        render(REGISTRY, BASE + "Ab3xK9pQ", "png", {}, proven)
    assert len(decoded) == 4
