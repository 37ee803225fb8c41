"""Logos: a customer's PNG/JPEG drawn in the middle of a code, checked before anything is drawn.

A logo is user input that becomes part of an image we serve, so it is handled as hostile:
- only `data:image/png;base64,` or `data:image/jpeg;base64,` URIs, at most 1 MiB decoded, and the
  bytes must really be that format (magic number and Pillow restricted to it). SVG logos are refused:
  an SVG can carry scripts and external references.
- its dimensions are checked before any pixel is decoded (a 1 MiB PNG can claim 100 000 x 100 000
  pixels), JPEGs are decoded at reduced scale, and the picture is shrunk at once to the largest size we
  ever draw, so a render with a logo costs bounded time and memory.
- what we draw (and embed in an SVG) is our own re-encoding of those pixels, never the client's bytes.
"""
import base64
import binascii
import hashlib
import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image

MAX_LOGO_BYTES = 1024 * 1024
#: more pixels than this is refused before decoding (4096 x 4096, 64 MiB as RGBA)
MAX_LOGO_PIXELS = 4096 * 4096
#: the logo box is at most this share of the symbol's side (its modules, quiet zone excluded), so a
#: wider margin never makes a logo cover more modules (DESIGN.md §1.4); the symbol is never wider
#: than the image, so the box is also at most 20% of the image width
LOGO_SHARE = 0.2
#: the largest box ever drawn: 20% of the largest image (4096 px)
LARGEST_BOX = math.floor(4096 * LOGO_SHARE)

FORMATS = {
    "data:image/png;base64,": ("PNG", b"\x89PNG\r\n\x1a\n"),
    "data:image/jpeg;base64,": ("JPEG", b"\xff\xd8\xff"),
}


class LogoError(ValueError):
    """The logo cannot be used; the message says why, for a 422 naming `logo`."""


@dataclass(frozen=True, eq=False)
class Logo:
    image: Image.Image       # RGBA, at most LARGEST_BOX on each side
    digest: str              # sha256 of the client's decoded bytes: how a stored code refers to it


@dataclass(frozen=True)
class LogoPlacement:
    """Pixel geometry, shared by the PNG and SVG renderers: a background box, the logo centred in it."""

    box_x: int
    box_side: int
    x: int
    y: int
    width: int
    height: int


def parse_logo(uri):
    """The Logo of a data URI, or LogoError."""
    prefix = next((p for p in FORMATS if uri[:len(p)].lower() == p), None)
    if prefix is None:
        if uri[:len("data:image/svg")].lower() == "data:image/svg":
            raise LogoError("SVG logos are not accepted (an SVG can carry scripts); use PNG or JPEG")
        raise LogoError("must be a data:image/png;base64,... or data:image/jpeg;base64,... URI")
    fmt, magic = FORMATS[prefix]
    encoded = uri[len(prefix):]
    if len(encoded) > 4 * math.ceil(MAX_LOGO_BYTES / 3) + 4:
        raise LogoError("is larger than 1 MiB")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise LogoError("is not valid base64")
    if len(raw) > MAX_LOGO_BYTES:
        raise LogoError("is larger than 1 MiB")
    if not raw.startswith(magic):
        raise LogoError(f"is not a {fmt} image")
    return Logo(image=_decode(raw, fmt), digest=hashlib.sha256(raw).hexdigest())


def _decode(raw, fmt):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[fmt]) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_LOGO_PIXELS:
                    raise LogoError(f"has {width} x {height} pixels; at most {MAX_LOGO_PIXELS} are accepted")
                if fmt == "JPEG":
                    image.draft("RGB", (LARGEST_BOX, LARGEST_BOX))    # decode at 1/2..1/8 scale when enough
                image.load()
                image.thumbnail((LARGEST_BOX, LARGEST_BOX), Image.LANCZOS)
                return image.convert("RGBA")
    except LogoError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            EOFError) as exc:
        raise LogoError(f"is not a readable {fmt} image ({type(exc).__name__})") from exc


def placement(logo, size, module_px, symbol_modules):
    """Where the logo goes in a `size` px image: centred, its background box at most 20% of the side
    of the symbol (`symbol_modules` modules of `module_px` pixels, without the quiet zone).

    The box is cleared to the background colour with a margin of half a module around the picture,
    so modules never touch the logo's edge.
    """
    box = math.floor(symbol_modules * module_px * LOGO_SHARE)
    box_x = (size - box) // 2
    pad = max(1, module_px // 2)
    inner = max(1, box - 2 * pad)
    scale = min(inner / logo.image.width, inner / logo.image.height)
    width = max(1, round(logo.image.width * scale))
    height = max(1, round(logo.image.height * scale))
    return LogoPlacement(box_x, box, box_x + (box - width) // 2, box_x + (box - height) // 2, width, height)


def fitted(logo, place):
    """The logo's pixels at their drawn size (RGBA)."""
    if logo.image.size == (place.width, place.height):
        return logo.image
    return logo.image.resize((place.width, place.height), Image.LANCZOS)
