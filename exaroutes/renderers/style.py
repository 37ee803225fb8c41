"""Geometry and colours shared by every renderer, so PNG and SVG of one style draw the same picture."""
from dataclasses import dataclass

#: every styling field of DESIGN.md §1.4; a renderer lists those it draws in `supported_style`
STYLE_FIELDS = frozenset({"size", "margin", "errorCorrection", "foregroundColor", "backgroundColor", "shape",
                          "logo"})

#: below this many pixels per module a shape other than `square` cannot be drawn recognisably
MIN_SHAPED_MODULE_PX = 4


@dataclass(frozen=True)
class Layout:
    modules: int        # modules across, quiet zone included
    module_px: int      # pixels per module
    offset_px: int      # extra background on each side, so the image is exactly `size` wide
    size: int
    margin: int         # quiet zone in modules

    @property
    def origin_px(self):
        """Where the first module of the symbol (after the quiet zone) starts."""
        return self.offset_px + self.margin * self.module_px


class ImageTooSmall(ValueError):
    pass


def layout(matrix, style):
    modules = len(matrix) + 2 * style["margin"]
    module_px = style["size"] // modules
    if module_px < 1:
        raise ImageTooSmall(f"{style['size']} px cannot draw {modules} modules; use at least {modules} px")
    if style.get("shape", "square") != "square" and module_px < MIN_SHAPED_MODULE_PX:
        need = modules * MIN_SHAPED_MODULE_PX
        raise ImageTooSmall(f"the {style['shape']} shape needs at least {MIN_SHAPED_MODULE_PX} px per module: "
                            f"use at least {need} px for {modules} modules")
    return Layout(modules, module_px, (style["size"] - module_px * modules) // 2, style["size"], style["margin"])


def hex_to_rgb(color):
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def blend_palette(background, foreground, levels=256):
    """A flat palette whose index i is `i/(levels-1)` of the way from background to foreground.

    Antialiased shapes are drawn as coverage (0..255) straight into a palette image, so a styled
    PNG stays 8-bit and costs no compositing pass.
    """
    bg, fg = hex_to_rgb(background), hex_to_rgb(foreground)
    palette = []
    for i in range(levels):
        palette += [round(b + (f - b) * i / (levels - 1)) for b, f in zip(bg, fg)]
    return palette
