"""SVG renderer: the same pixel grid, tiles and logo box as the PNG renderer, written as vectors.

The document is self-contained: no external references, no scripts, no styles; a logo is embedded as
our own PNG re-encoding in a `data:` URI.
"""
import base64
import io

from exaroutes.imaging.logos import fitted, placement
from exaroutes.renderers.shapes import tiles
from exaroutes.renderers.style import STYLE_FIELDS, layout


class SvgRenderer:
    name = "svg"
    media_type = "image/svg+xml"
    supported_style = STYLE_FIELDS

    def render(self, matrix, style):
        box = layout(matrix, style)
        if style.get("shape", "square") == "square":
            path = square_runs(matrix, box)
        else:
            path = "".join(tile_path(box, x, y, tile) for x, y, tile in tiles(matrix, style["shape"]))
        size = box.size
        rendering = ' shape-rendering="crispEdges"' if style.get("shape", "square") == "square" else ""
        logo = logo_elements(style, box) if style.get("logo") is not None else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}">'
            f'<rect width="{size}" height="{size}" fill="{style["backgroundColor"]}"/>'
            f'<path fill="{style["foregroundColor"]}"{rendering} d="{path}"/>{logo}</svg>'
        ).encode("utf-8")


def square_runs(matrix, box):
    """One subpath per horizontal run of dark modules: the smallest exact outline of square modules."""
    step = box.module_px
    origin = box.origin_px
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        n = len(row)
        while x < n:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < n and row[x]:
                x += 1
            parts.append(f"M{origin + start * step} {origin + y * step}h{(x - start) * step}v{step}"
                         f"h-{(x - start) * step}z")
    return "".join(parts)


def num(value):
    """Coordinates with at most 2 decimals and no trailing zeros: compact and exact enough at 4096 px."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def tile_path(box, x, y, tile):
    """The tile as a closed subpath: straight edges, a quarter arc at each rounded corner."""
    step = box.module_px
    left = box.origin_px + (x + tile.x0) * step
    top = box.origin_px + (y + tile.y0) * step
    right = box.origin_px + (x + tile.x1) * step
    bottom = box.origin_px + (y + tile.y1) * step
    r = tile.radius * step
    tl, tr, br, bl = (r if rounded else 0 for rounded in tile.corners)
    arc = "A{0} {0} 0 0 1 {1} {2}"
    parts = [f"M{num(left + tl)} {num(top)}H{num(right - tr)}"]
    if tr:
        parts.append(arc.format(num(tr), num(right), num(top + tr)))
    parts.append(f"V{num(bottom - br)}")
    if br:
        parts.append(arc.format(num(br), num(right - br), num(bottom)))
    parts.append(f"H{num(left + bl)}")
    if bl:
        parts.append(arc.format(num(bl), num(left), num(bottom - bl)))
    parts.append(f"V{num(top + tl)}")
    if tl:
        parts.append(arc.format(num(tl), num(left + tl), num(top)))
    parts.append("Z")
    return "".join(parts)


def logo_elements(style, box):
    logo = style["logo"]
    place = placement(logo, box.size, box.module_px, box.modules - 2 * box.margin)
    out = io.BytesIO()
    fitted(logo, place).save(out, format="PNG")
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return (f'<rect x="{place.box_x}" y="{place.box_x}" width="{place.box_side}" height="{place.box_side}" '
            f'fill="{style["backgroundColor"]}"/>'
            f'<image x="{place.x}" y="{place.y}" width="{place.width}" height="{place.height}" '
            f'preserveAspectRatio="none" href="data:image/png;base64,{data}"/>')
