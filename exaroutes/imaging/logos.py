"""Logos: a customer's PNG/JPEG drawn in the middle of a code, checked before anything is drawn.

A logo is user input that becomes part of an image we serve, so it is handled as hostile:
- only `data:image/png;base64,` or `data:image/jpeg;base64,` URIs, at most 1 MiB decoded, and the
  bytes must really be that format (magic number and Pillow restricted to it). SVG logos are refused:
  an SVG can carry scripts and external references.
- its dimensions are checked before any pixel is decoded (a 1 MiB PNG can claim 100 000 x 100 000
  pixels, a 65 kB one 1 x 16 777 216), and bounded by what is ever drawn: a logo box is at most
  LARGEST_BOX (819) px wide, so a PNG (which cannot be decoded at reduced scale) may have at most
  2048 x 2048 pixels, a JPEG is decoded at 1/2..1/8 scale (Image.draft) and may claim up to 16 Mpx,
  and a logo more than 8 times wider than high (or higher than wide) is refused, since it would be
  drawn as a line. The picture is shrunk at once to the largest size we ever draw.
- each distinct logo is decoded once: a bulk of 1000 items with one logo, and the worker that makes
  them, reuse the decoded picture (a small cache keyed by the SHA-256 of the client's bytes).
- what we draw (and embed in an SVG) is our own re-encoding of those pixels, never the client's bytes.
"""
import base64
import binascii
import collections
import hashlib
import io
import math
import threading
import warnings
from dataclasses import dataclass

from PIL import Image

MAX_LOGO_BYTES = 1024 * 1024
#: more pixels than this is refused before decoding (4096 x 4096, 64 MiB as RGBA); JPEGs are decoded smaller
MAX_LOGO_PIXELS = 4096 * 4096
#: a PNG is decoded at full size, so it may have at most this many pixels (2048 x 2048: ~2.5 x the box)
MAX_PNG_PIXELS = 2048 * 2048
#: a logo at most this many times wider than high, or higher than wide
MAX_ASPECT_RATIO = 8
#: decoded logos kept per process (each at most LARGEST_BOX square: ~2.7 MB as RGBA)
DECODED_CACHE_SIZE = 16
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


@dataclass(frozen=True)
class LogoPlacement:
    """Pixel geometry, shared by the PNG and SVG renderers: a background box, the logo centred in it."""

    box_x: int
    box_side: int
    x: int
    y: int
    width: int
    height: int


def logo_bytes(uri):
    """(format, the client's decoded bytes) of a logo data URI, or LogoError; nothing is decoded yet."""
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
    return fmt, raw


class DecodedLogos:
    """A small LRU of decoded logos by digest, shared by the threads of a process."""

    def __init__(self, size):
        self.size = size
        self.entries = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, digest):
        with self.lock:
            if digest in self.entries:
                self.entries.move_to_end(digest)
            return self.entries.get(digest)

    def put(self, digest, logo):
        with self.lock:
            self.entries[digest] = logo
            self.entries.move_to_end(digest)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


DECODED = DecodedLogos(DECODED_CACHE_SIZE)


def parse_logo(uri):
    """The Logo of a data URI, or LogoError; a logo decoded before is not decoded again."""
    fmt, raw = logo_bytes(uri)
    digest = hashlib.sha256(raw).hexdigest()
    logo = DECODED.get(digest)
    if logo is None:
        width, height = header_size(raw, fmt)
        refuse_oversized(width, height, fmt)       # from the header: no pixel decoded yet
        logo = Logo(image=_decode(raw, fmt))
        DECODED.put(digest, logo)
    return logo


#: what Pillow raises for a file it cannot read
UNREADABLE = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
              Image.DecompressionBombWarning)


def header_size(raw, fmt):
    """(width, height) from the image header alone, or LogoError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[fmt]) as image:
                return image.size
    except UNREADABLE as exc:
        raise LogoError(f"is not a readable {fmt} image ({type(exc).__name__})") from exc


def logo_pixels(uri):
    """Width x height a logo claims, read from its header only (0 when it is not a readable logo)."""
    try:
        width, height = header_size(*reversed(logo_bytes(uri)))
    except LogoError:
        return 0
    return width * height


def refuse_oversized(width, height, fmt):
    """LogoError for dimensions that would cost more to decode than what is drawn can use."""
    if width < 1 or height < 1:
        raise LogoError(f"has {width} x {height} pixels")
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise LogoError(f"has {width} x {height} pixels, an aspect ratio beyond {MAX_ASPECT_RATIO}:1; "
                        "it would be drawn as a line")
    limit = MAX_PNG_PIXELS if fmt == "PNG" else MAX_LOGO_PIXELS
    if width * height > limit:
        side = math.isqrt(limit)
        raise LogoError(f"has {width} x {height} pixels; a {fmt} logo may have at most {limit} pixels "
                        f"({side} x {side}): it is drawn at most {LARGEST_BOX} px wide")


def _decode(raw, fmt):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[fmt]) as image:    # dimensions checked by parse_logo
                if fmt == "JPEG":
                    image.draft("RGB", (LARGEST_BOX, LARGEST_BOX))    # decode at 1/2..1/8 scale when enough
                image.load()
                image.thumbnail((LARGEST_BOX, LARGEST_BOX), Image.LANCZOS)
                return image.convert("RGBA")
    except LogoError:
        raise
    except UNREADABLE as exc:
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
