"""`returnType: "pdf"`: the SVG renderer's vector drawing converted to a one-page PDF by cairosvg.

A third party's plugin as any other would write it: it only registers an entry point in
`exaroutes.renderers`. Drawing through ExaRoutes' SVG keeps every style field (shapes, logo)
identical to the PNG the service decodes before it answers, so the PDF needs no proof of its own.
The SVG is our own text (no external references); cairosvg gets it as bytes with `unsafe=False`,
never a `url=`, so nothing is fetched from the network or the filesystem.
"""
import cairosvg
from exaroutes.renderers.svg import SvgRenderer


class PdfRenderer:
    name = "pdf"
    media_type = "application/pdf"
    supported_style = SvgRenderer.supported_style

    def __init__(self):
        self._svg = SvgRenderer()

    def render(self, matrix, style):
        svg = self._svg.render(matrix, style)
        return cairosvg.svg2pdf(bytestring=svg, unsafe=False)
