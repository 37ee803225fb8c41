"""What a data-type (encoder) plugin and a renderer plugin provide.

Third parties implement these Protocols in their own distributions and register the class under the
entry-point groups `exaroutes.datatypes` / `exaroutes.renderers`; the built-ins do exactly the same.
Payloads (what the QR pattern says) and images (how it looks) stay separate, as in segno.

The registry checks every plugin against its Protocol at start-up (`missing_members`) and refuses to
start naming what is missing, rather than failing on the first request that needs it.
"""
from typing import Protocol, runtime_checkable

import colander


@runtime_checkable
class DataType(Protocol):
    #: the `dataType` value customers send
    name: str
    #: colander node that validates `data` (a string or a mapping); also feeds the OpenAPI document
    schema: colander.SchemaNode

    def payload(self, data) -> str:
        """The text a static code of this type encodes (what a phone reads natively)."""

    def destination(self, data) -> str:
        """The canonical `destination` string of a dynamic code with this `data`."""

    def from_destination(self, destination: str):
        """`data` from a destination in the canonical form (`PUT … {"destination"}`); colander.Invalid if not."""

    def scan_response(self, request, code):
        """The Pyramid response a scan of a dynamic code of this type answers (DESIGN.md §1.7)."""


@runtime_checkable
class Renderer(Protocol):
    #: the `returnType` value customers send
    name: str
    #: the Content-Type of what `render` returns
    media_type: str
    #: the styling fields this renderer can draw; anything else it is asked for is a 422
    supported_style: frozenset

    def render(self, matrix, style) -> bytes:
        """Draw `matrix` (rows of booleans, True = dark module, no quiet zone) with `style`.

        `style` has every field of DESIGN.md §1.4 with its default applied (exaroutes.imaging.render.
        resolve_style); `logo` is None or a `toolkit.Logo` (checked RGBA pixels, never the client's
        bytes). Drawing through `toolkit.draw_svg` keeps a renderer identical to the PNG the service
        decodes before it answers (as the exaroutes-pdf plugin does); only images drawn that way are
        covered by that scan proof.
        """


def members(protocol):
    """The attributes and methods a Protocol asks for, in the order it declares them."""
    declared = list(getattr(protocol, "__annotations__", {}))
    declared += [name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_")]
    return declared


def missing_members(plugin, protocol):
    """What `plugin` lacks of `protocol`: absent attributes, and methods that are not callable."""
    missing = []
    for name in members(protocol):
        if not hasattr(plugin, name):
            missing.append(name)
        elif name in vars(protocol) and callable(vars(protocol)[name]) and not callable(getattr(plugin, name)):
            missing.append(f"{name} (not callable)")
    return missing
