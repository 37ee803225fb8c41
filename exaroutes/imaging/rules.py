"""Rules a style must follow to scan, checked before drawing so the 422 names the field to change.

Contrast is judged as readers see it: on luma, the grey value zxing-cpp, ZBar and OpenCV binarize
(BT.601, Y = 0.299 R + 0.587 G + 0.114 B on the sRGB values), not on WCAG's luminance ratio, which
admits hue-only pairs such as #451374 on #F70201 (3.11:1, but 30/255 apart in luma) that barely scan
once photographed. The two floors were chosen by measurement (scripts/bench/contrast.py; the data
are in docs/scanning.md "Contrast"): pairs at least MIN_LUMA_DIFFERENCE apart on a background of at
least MIN_BACKGROUND_LUMA stay within 10 points of black on white across the three readers and the
18 degradations, in every family measured (greys on white, black on greys, seeded hue pairs);
closer pairs, and dark backgrounds, fall off (hue pairs at 115 apart: 37-81%; black on #828282: 53%).
WCAG is not kept as a second floor: #00D200 on #FFFFF0 passes both floors at 2.04:1 and reads as well
as the grey of the same luma (#7D7D7D, 4.12:1): readers see luma, not luminance.
The foreground must also be the darker colour: ZBar and OpenCV do not read inverted codes.
"""
from exaroutes.errors import field_error
from exaroutes.imaging.logos import LogoError, parse_logo
from exaroutes.renderers.style import hex_to_rgb

MIN_LUMA_DIFFERENCE = 130
MIN_BACKGROUND_LUMA = 150


def luma(color):
    """BT.601 luma of `#RRGGBB`, 0 (black) .. 255 (white): the grey value a reader binarizes."""
    r, g, b = hex_to_rgb(color)
    return 0.299 * r + 0.587 * g + 0.114 * b


def colour_errors(style, defaults, prefix=""):
    """Problems with the colour pair, named after the colour(s) the client chose."""
    foreground = style.get("foregroundColor", defaults["foregroundColor"])
    background = style.get("backgroundColor", defaults["backgroundColor"])
    named = [name for name in ("foregroundColor", "backgroundColor") if name in style] or ["foregroundColor"]
    dark, light = luma(foreground), luma(background)
    if dark > light:
        reason = (f"a light foreground ({foreground}) on a darker background ({background}) is an inverted "
                  "code that ZBar, OpenCV and many phone readers cannot scan; use a dark foreground on a light "
                  "background")
    elif light - dark < MIN_LUMA_DIFFERENCE:
        reason = (f"{foreground} on {background} are {light - dark:.0f}/255 apart in luma (the grey values "
                  f"readers binarize); at least {MIN_LUMA_DIFFERENCE} is needed to scan once printed or "
                  "photographed")
    elif light < MIN_BACKGROUND_LUMA:
        named = [name for name in ("backgroundColor",) if name in style] or named
        reason = (f"the background {background} is too dark (luma {light:.0f}/255): readers take its quiet "
                  f"zone for part of the code; use a background of luma at least {MIN_BACKGROUND_LUMA}")
    else:
        return []
    return [field_error("body", f"{prefix}{name}", reason) for name in named]


def checked_logo(style, prefix=""):
    """(Logo or None, errors): a logo must be a readable PNG/JPEG of at most 1 MiB (it then forces error
    correction H). The parsed Logo travels on in the Design, so a request decodes it once."""
    if "logo" not in style:
        return None, []
    try:
        return parse_logo(style["logo"]), []
    except LogoError as exc:
        return None, [field_error("body", f"{prefix}logo", str(exc))]
