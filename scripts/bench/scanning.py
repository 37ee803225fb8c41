"""The shared harness of the decode-rate benchmarks (readers.py, contrast.py, margins.py).

Imported by the scripts beside it (run as `.venv/bin/python scripts/bench/NAME.py`); never by the
package. A subject is drawn at MODULE_PX pixels per module; `variants` makes from it the degraded
pictures of the readers review (shared/reports/2026-12-readers-review.md, section C): each picture is
first put on a page (15% border, white unless told), then

    down3 / down2.5 / down2   box-filtered to 3, 2.5 and 2 px per module
    blur0.3 / blur0.45        Gaussian blur, sigma 0.3 and 0.45 module, at 4 px per module
    jpeg30                    JPEG quality 30 at 3 px per module
    rot5 / rot8 / rot10       rotated, bilinear, at 4 px per module
    persp1..3                 keystone: each corner moved by up to 12% (fixed seeds)
    noise1..3                 Gaussian noise, sigma 40/255 (fixed seeds)
    combo1..3                 rotate 5-9 degrees, skew 8%, blur 1 px, noise 15, JPEG 40 (fixed seeds)

18 variants; all random choices come from fixed seeds, so every run sees the same pictures and the
rates do not depend on machine load. Every picture is read by the three readers the tests use
(exaroutes.testing.read_each).
"""
import io
import random
import sys
from pathlib import Path

import numpy
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from exaroutes.imaging.render import resolve_style, symbol_for  # noqa: E402
from exaroutes.renderers.png import PngRenderer  # noqa: E402
from exaroutes.testing import READERS, read_each  # noqa: E402

#: pixels per module every subject is drawn at, before degrading
MODULE_PX = 8
PAGE_BORDER = 0.15


def drawn(payload, style):
    """(picture, symbol): `payload` in `style` drawn by the service's own renderer at MODULE_PX px per
    module, the size a whole number of modules (no spare pixels around the quiet zone)."""
    full = resolve_style(style)
    symbol = symbol_for(payload, style)
    full["size"] = (symbol.side + 2 * full["margin"]) * MODULE_PX
    return PngRenderer().draw(symbol.modules, full).convert("RGB"), symbol


def on_page(image, colour=(255, 255, 255)):
    border = round(image.width * PAGE_BORDER)
    page = Image.new("RGB", (image.width + 2 * border,) * 2, colour)
    page.paste(image.convert("RGB"), (border, border))
    return page


def at_module_px(image, target, source=MODULE_PX):
    side = max(1, round(image.width * target / source))
    return image.resize((side, side), Image.BOX)


def jpeg(image, quality):
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    out.seek(0)
    return Image.open(out).convert("RGB")


def noise(image, sigma, seed):
    pixels = numpy.asarray(image, dtype=numpy.float32)
    noisy = pixels + numpy.random.default_rng(seed).normal(0, sigma, pixels.shape)
    return Image.fromarray(numpy.clip(noisy, 0, 255).astype(numpy.uint8))


def perspective(image, amount, seed):
    """Move each corner inwards/outwards by up to `amount` of the side (a keystone skew)."""
    rng = random.Random(seed)
    w, h = image.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [(x + rng.uniform(-amount, amount) * w, y + rng.uniform(-amount, amount) * h) for x, y in corners]
    # Pillow maps output to input pixels: solve the 8 coefficients from the moved corners to the originals
    rows, rhs = [], []
    for (x, y), (u, v) in zip(moved, corners):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = numpy.linalg.solve(numpy.array(rows), numpy.array(rhs))
    return image.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), Image.BILINEAR, fillcolor=(255, 255, 255))


def rotate(image, degrees):
    return image.rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=(255, 255, 255))


def variants(picture, page=(255, 255, 255)):
    """[(name, degraded picture)]: the 18 variants of a picture drawn at MODULE_PX px per module."""
    base = on_page(picture, page)
    at4 = at_module_px(base, 4)
    out = [(f"down{px:g}", at_module_px(base, px)) for px in (3, 2.5, 2)]
    out += [(f"blur{s:g}", at4.filter(ImageFilter.GaussianBlur(s * 4))) for s in (0.3, 0.45)]
    out.append(("jpeg30", jpeg(at_module_px(base, 3), 30)))
    out += [(f"rot{d}", rotate(at4, d)) for d in (5, 8, 10)]
    out += [(f"persp{i}", perspective(at4, 0.12, 100 + i)) for i in (1, 2, 3)]
    out += [(f"noise{i}", noise(at4, 40, 200 + i)) for i in (1, 2, 3)]
    for i in (1, 2, 3):
        rng = random.Random(300 + i)
        combo = perspective(rotate(at4, rng.uniform(5, 9)), 0.08, 400 + i)
        combo = noise(combo.filter(ImageFilter.GaussianBlur(1)), 15, 500 + i)
        out.append((f"combo{i}", jpeg(combo, 40)))
    return out


def reads(picture, expected):
    """{reader: True if it read exactly `expected` (UTF-8 bytes) and nothing else}."""
    want = [expected.encode("utf-8")]
    return {name: found == want for name, found in read_each(picture).items()}


def rates(picture, expected, page=(255, 255, 255), by_variant=None):
    """{reader: passes out of the 18 variants}, and the clean picture's reads.

    `by_variant`, a dict, gathers {variant name: {reader: passes}} across calls."""
    passed = dict.fromkeys(READERS, 0)
    for variant_name, variant in variants(picture, page):
        for name, ok in reads(variant, expected).items():
            passed[name] += ok
            if by_variant is not None:
                by_variant.setdefault(variant_name, dict.fromkeys(READERS, 0))[name] += ok
    return passed, reads(picture, expected)


def percent(passes, total):
    return f"{100 * passes / total:.0f}%"
