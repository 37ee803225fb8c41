"""PNG renderer: square modules are one pixel each scaled up without smoothing (the fast path);
other shapes paste one antialiased stamp per distinct tile; a logo is composited last."""
import functools
import io

from PIL import Image, ImageDraw

from exaroutes.imaging.logos import fitted, placement
from exaroutes.renderers.shapes import tiles
from exaroutes.renderers.style import STYLE_FIELDS, blend_palette, hex_to_rgb, layout

#: stamps are drawn this many times larger, then reduced: smooth edges without a full-size supersample
SUPERSAMPLE = 4


class PngRenderer:
    name = "png"
    media_type = "image/png"
    supported_style = STYLE_FIELDS

    def render(self, matrix, style):
        return self.encode(self.draw(matrix, style))

    def draw(self, matrix, style):
        """The picture as a Pillow image: what the scan proof decodes, without a PNG round trip."""
        box = layout(matrix, style)
        if style.get("shape", "square") == "square":
            image = square_modules(matrix, style, box)
        else:
            image = shaped_modules(matrix, style, box)
        if style.get("logo") is not None:
            image = with_logo(image, style, box)
        return image

    @staticmethod
    def encode(image):
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False, compress_level=6)
        return out.getvalue()


def square_modules(matrix, style, box):
    """A 2-colour palette image: one pixel per module, scaled by an integer factor."""
    margin = style["margin"]
    n = len(matrix)
    side = n + 2 * margin
    pixels = bytearray(side * side)             # palette index 0 = background, 1 = foreground
    for y, row in enumerate(matrix):
        start = (y + margin) * side + margin
        pixels[start:start + n] = bytes(row)
    small = Image.frombytes("P", (side, side), bytes(pixels))
    small.putpalette(hex_to_rgb(style["backgroundColor"]) + hex_to_rgb(style["foregroundColor"]))
    scaled = small.resize((side * box.module_px,) * 2, Image.NEAREST)
    if box.offset_px or scaled.width != box.size:
        canvas = Image.new("P", (box.size, box.size), 0)
        canvas.putpalette(small.getpalette())
        canvas.paste(scaled, (box.offset_px, box.offset_px))
        scaled = canvas
    return scaled


@functools.lru_cache(maxsize=1024)
def stamp_rows(tile, module_px):
    """The tile's coverage (palette indices 0..255) in a module_px square, as module_px rows of bytes.

    Cached across renders (a tuple of bytes: immutable, so safe to share between waitress threads):
    a shape has at most 16 tiles, and sizes repeat.
    """
    big = module_px * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    x0, y0, x1, y1 = (round(v * big) for v in (tile.x0, tile.y0, tile.x1, tile.y1))
    r = round(tile.radius * big)
    draw = ImageDraw.Draw(mask)
    draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=255)
    # Each rounded corner: clear its r x r square, then put back the quarter of a 2r circle.
    # (Pillow's rounded_rectangle fails on some corner sets when 2r is the whole side.)
    for rounded, cx, cy in zip(tile.corners, (x0, x1 - r, x1 - r, x0), (y0, y0, y1 - r, y1 - r)):
        if rounded and r:
            draw.rectangle((cx, cy, cx + r - 1, cy + r - 1), fill=0)
            ex = x0 if cx == x0 else x1 - 2 * r
            ey = y0 if cy == y0 else y1 - 2 * r
            draw.ellipse((ex, ey, ex + 2 * r - 1, ey + 2 * r - 1), fill=255)
    pixels = mask.resize((module_px, module_px), Image.BOX).tobytes()
    return tuple(pixels[i:i + module_px] for i in range(0, module_px * module_px, module_px))


def shaped_modules(matrix, style, box):
    """Pixel rows joined from per-tile stamp rows: one bytes join per pixel row, no per-module paste."""
    step = box.module_px
    n = len(matrix)
    blank = [bytes(step)] * step
    cells = [[blank] * n for _ in range(n)]
    for x, y, tile in tiles(matrix, style["shape"]):
        cells[y][x] = stamp_rows(tile, step)
    origin = box.origin_px
    after = box.size - origin - n * step
    left, right = bytes(origin), bytes(after)
    pixels = bytearray(box.size * origin)
    for row_cells in cells:
        for r in range(step):
            pixels += left
            pixels += b"".join([cell[r] for cell in row_cells])
            pixels += right
    pixels += bytes(box.size * after)
    image = Image.frombytes("P", (box.size, box.size), bytes(pixels))
    image.putpalette(blend_palette(style["backgroundColor"], style["foregroundColor"]))
    return image


def with_logo(image, style, box):
    logo = style["logo"]
    place = placement(logo, box.size, box.module_px, box.modules - 2 * box.margin)
    image = image.convert("RGB")
    image.paste(hex_to_rgb(style["backgroundColor"]),
                (place.box_x, place.box_x, place.box_x + place.box_side, place.box_x + place.box_side))
    picture = fitted(logo, place)
    image.paste(picture, (place.x, place.y), picture)
    return image
