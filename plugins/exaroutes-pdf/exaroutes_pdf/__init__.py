"""`returnType: "pdf"`: the SVG renderer's vector drawing converted to a one-page PDF by cairosvg.

A third party's plugin as any other would write it: it registers an entry point in
`exaroutes.renderers` and imports nothing from ExaRoutes but its plugin toolkit. Drawing through
the toolkit's SVG (`draw_svg`) keeps every style field (shapes, logo)
identical to the PNG the service decodes before it answers, so the PDF needs no proof of its own.
The SVG is our own text (no external references); cairosvg gets it as bytes with `unsafe=False`,
never a `url=`, so nothing is fetched from the network or the filesystem.
"""
import cairosvg

from exaroutes.plugins.toolkit import SVG_STYLE, draw_svg


class PdfRenderer:
    name = "pdf"
    media_type = "application/pdf"
    supported_style = SVG_STYLE

    def render(self, matrix, style):
        return cairosvg.svg2pdf(bytestring=draw_svg(matrix, style), unsafe=False)
