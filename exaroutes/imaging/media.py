"""What an image's bytes are called on the wire: its media type and, for inline use, its data: URI.

The API (image downloads, static codes) and the dashboard (thumbnails, downloads, previews) serve the
same images; asking here keeps them from disagreeing about a format.
"""
import base64


def media_type(registry, format_name):
    """The Content-Type of an image in `format_name`; a renderer no longer installed serves raw bytes."""
    renderer = registry["renderers"].get(format_name)
    return renderer.media_type if renderer else "application/octet-stream"


def data_uri(content_type, image):
    """`image` inline, as a `data:` URI (previews, the static API's non-SVG answer)."""
    return f"data:{content_type};base64,{base64.b64encode(image).decode('ascii')}"
