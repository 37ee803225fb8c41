"""Rules a style must follow to scan, checked before drawing so the 422 names the field to change.

Contrast uses WCAG 2.x relative luminance and contrast ratio. The minimum, 3:1, is WCAG's minimum
for graphical objects (SC 1.4.11); it still admits the saturated brand colours customers print
(pure red on white is 4:1) and refuses pastel-on-white that cameras binarize badly. The foreground
must also be the darker colour: many phone readers do not try inverted codes.
"""
from exaroutes.errors import field_error
from exaroutes.imaging.logos import LogoError, parse_logo
from exaroutes.renderers.style import hex_to_rgb

MIN_CONTRAST = 3.0


def relative_luminance(color):
    """WCAG relative luminance of `#RRGGBB`, 0 (black) .. 1 (white)."""
    def linear(channel):
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour_errors(style, defaults, prefix=""):
    """Problems with the colour pair, named after the colour(s) the client chose."""
    foreground = style.get("foregroundColor", defaults["foregroundColor"])
    background = style.get("backgroundColor", defaults["backgroundColor"])
    named = [name for name in ("foregroundColor", "backgroundColor") if name in style] or ["foregroundColor"]
    if relative_luminance(foreground) > relative_luminance(background):
        reason = (f"a light foreground ({foreground}) on a darker background ({background}) is an inverted "
                  "code that many phone readers cannot scan; use a dark foreground on a light background")
    else:
        ratio = contrast_ratio(foreground, background)
        if ratio >= MIN_CONTRAST:
            return []
        reason = (f"{foreground} on {background} has a contrast ratio of {ratio:.2f}:1; at least "
                  f"{MIN_CONTRAST:g}:1 is needed to scan reliably")
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
    try:
        parse_logo(style["logo"])
    except LogoError as exc:
        return [field_error("body", f"{prefix}logo", str(exc))]
    return []
