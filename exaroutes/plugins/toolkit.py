"""The public plugin toolkit: the one module a data-type or renderer plugin imports from ExaRoutes.

Everything else in `exaroutes` is internal and may move between releases (it did: issue 13 moved half
the package). What is named in `__all__` here stays, with the meaning documented in docs/plugins.md,
for as long as `VERSION`'s major number stays the same: a new name raises the minor number, a removed
or changed one the major number. A plugin that needs a newer toolkit says so at import time:

    from exaroutes.plugins import toolkit
    assert toolkit.VERSION >= (1, 0), "exaroutes-epc needs ExaRoutes' plugin toolkit 1.0 or newer"

Its tests subclass the contract classes of `exaroutes.testing` (flake8's "import nothing internal",
Kinto's shipped storage tests).
"""
from exaroutes.datatypes.fields import (
    ObjectOrString, PayloadDestination, UriDataType, email_address, invalid_field, no_line_breaks, phone_number,
    redirect, text_field)
from exaroutes.datatypes.pages import fields_page
from exaroutes.imaging.logos import Logo
from exaroutes.plugins.interfaces import DataType, Renderer, missing_members
from exaroutes.renderers.svg import SvgRenderer
from exaroutes.schemas.types import StrictBoolean, StrictInteger, StrictNumber, StrictString, http_url

#: (major, minor) of this module's promise; see the module docstring
VERSION = (1, 0)

#: the style fields the SVG drawing (and so `draw_svg`) supports
SVG_STYLE = SvgRenderer.supported_style

_svg = SvgRenderer()


def draw_svg(matrix, style):
    """The SVG bytes ExaRoutes draws for `matrix` and a resolved `style` (what `Renderer.render` receives).

    It uses the very tiles, logo box and pixel grid of the PNG the service decodes before it answers,
    so a renderer that converts this SVG (to PDF, EPS ...) is covered by that scan proof. A renderer
    that draws on its own is not: it must prove its images scan itself (`exaroutes.testing.RendererContract`).
    """
    return _svg.render(matrix, style)


__all__ = [
    "VERSION",
    # the interfaces a plugin implements, and the start-up check of them
    "DataType", "Renderer", "missing_members",
    # strict JSON field types and validators for a data type's colander schema
    "StrictString", "StrictNumber", "StrictInteger", "StrictBoolean", "ObjectOrString", "text_field",
    "invalid_field", "no_line_breaks", "phone_number", "email_address", "http_url",
    # data-type base classes and scan answers
    "PayloadDestination", "UriDataType", "redirect", "fields_page",
    # renderers
    "Logo", "SVG_STYLE", "draw_svg",
]
