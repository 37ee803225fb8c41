"""A design is what a create body asks for: a data type with its data, an image format and a style.

`check_design` validates it completely (every problem named, `prefix` for bulk items such as `[3].`)
and `render_design` draws it; create, static and bulk all use these two, so they cannot drift apart.
"""
import hashlib
import json
import math
from dataclasses import dataclass, field

import colander

from exaroutes.errors import ApiError, field_error
from exaroutes.imaging.logos import LogoError, logo_pixels
from exaroutes.imaging.matrix import PayloadTooLong
from exaroutes.imaging.render import DEFAULT_STYLE, Unscannable, render
from exaroutes.imaging.rules import checked_logo, colour_errors
from exaroutes.renderers.style import STYLE_FIELDS, ImageTooSmall
from exaroutes.validation import invalid_errors, raise_if


@dataclass(frozen=True)
class Design:
    data_type: str
    data: object
    return_type: str
    style: dict          # the fields the client gave; defaults are applied when rendering
    #: the parsed `style["logo"]` (exaroutes.imaging.logos.Logo) once check_design has read it: a logo of
    #: up to 1 MiB is decoded and thumbnailed once per request, not again for the render
    logo: object = field(default=None, compare=False, repr=False)

    def stored_style(self):
        """The style as a code object shows it: a logo (up to 1 MiB) by the SHA-256 of its data URI,
        and the error correction it forced (H)."""
        style = dict(self.style)
        if "logo" in style:
            style["logo"] = logo_reference(style["logo"])
            style["errorCorrection"] = "H"
        return style


#: what one unit of render work is: drawing about a megapixel (2^20 px) of PNG, ~10 ms of CPU
UNIT_PIXELS = 2**20
#: formats drawn by the PNG or SVG renderer itself; any other (PDF) draws the SVG and converts it
DIRECT_FORMATS = ("png", "svg")


def render_units(return_type, style):
    """What drawing one image of this look costs, in units (at least 1), from the raw style fields.

    Measured on a quiet core: a 4096 px PNG ~175 ms (16 units), a 4096 px PDF ~200 ms (32), a 512 px
    PNG 4 ms (1); a logo costs its own decoded pixels once. Used before anything is validated or
    drawn, so nonsense values count as the default (validation refuses them later anyway).
    """
    size = style.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 4096:
        size = DEFAULT_STYLE["size"]
    units = max(1, math.ceil(size * size / UNIT_PIXELS)) * (1 if return_type in DIRECT_FORMATS else 2)
    logo = style.get("logo")
    if isinstance(logo, str):
        units += math.ceil(logo_pixels(logo) / UNIT_PIXELS)
    return units


def look_of(body):
    """(format, style as canonical JSON) of a raw, not yet validated create body: what decides how an
    image is drawn. A format that is not even a string counts as PNG (validation refuses it later)."""
    style = {name: body[name] for name in sorted(STYLE_FIELDS) if name in body}
    return_type = body.get("returnType", "png")
    return return_type if isinstance(return_type, str) else "png", json.dumps(style, sort_keys=True)


def logo_reference(uri):
    """How a stored style names a logo: the data URI itself (up to 1 MiB) is not kept in the code."""
    return "sha256:" + hashlib.sha256(uri.encode("utf-8")).hexdigest()


def validate_data(datatype, value, name="data", prefix=""):
    """Deserialize `value` with the data type's schema; errors are named `name` / `name.field`."""
    node = datatype.schema.clone()
    node.name = name
    try:
        return node.deserialize(value if value is not None else colander.null), []
    except colander.Invalid as invalid:
        return None, invalid_errors(invalid, "body", prefix)


def check_design(registry, body, prefix=""):
    """The validated Design of a create body, or ApiError 422 listing every problem."""
    errors = []
    datatype = registry["datatypes"].get(body["dataType"])
    if datatype is None:
        errors.append(field_error("body", f"{prefix}dataType", "unknown data type; installed: "
                                  + ", ".join(sorted(registry["datatypes"]))))
    renderer = registry["renderers"].get(body["returnType"])
    if renderer is None:
        errors.append(field_error("body", f"{prefix}returnType", "unknown image format; installed: "
                                  + ", ".join(sorted(registry["renderers"]))))
    style = {name: body[name] for name in sorted(STYLE_FIELDS) if name in body}
    if renderer is not None:
        errors += [field_error("body", f"{prefix}{name}", f"the {renderer.name} renderer cannot draw it")
                   for name in style if name not in renderer.supported_style]
    errors += colour_errors(style, DEFAULT_STYLE, prefix)
    logo, logo_errors = checked_logo(style, prefix)
    errors += logo_errors
    data = None
    if datatype is not None:
        data, data_errors = validate_data(datatype, body["data"], "data", prefix)
        errors += data_errors
    raise_if(errors)
    return Design(body["dataType"], data, body["returnType"], style, logo)


def render_design(registry, design, payload, prefix="", proven=None):
    """Image bytes of `payload` in the design's format and style, or ApiError 422 naming the cause.

    `proven`: see `exaroutes.imaging.render.render` (bulk jobs prove each look once per chunk)."""
    try:
        return render(registry, payload, design.return_type, design.style, proven, logo=design.logo)
    except PayloadTooLong as exc:
        raise ApiError.for_field(422, "body", f"{prefix}data", str(exc))
    except ImageTooSmall as exc:
        raise ApiError.for_field(422, "body", f"{prefix}size", str(exc))
    except LogoError as exc:
        raise ApiError.for_field(422, "body", f"{prefix}logo", str(exc))
    except Unscannable as exc:
        raise ApiError.for_field(422, "body", f"{prefix}{likely_cause(design.style)}", str(exc))


def likely_cause(style):
    """The field to blame for a design that did not decode: what covers or reshapes modules first."""
    if "logo" in style:
        return "logo"
    if style.get("shape", "square") != "square":
        return "shape"
    return "size"
