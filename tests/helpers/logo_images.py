"""Logos made here, so the tests need no files: a PNG with transparency and a JPEG photo-like block."""
import base64
import io

from PIL import Image, ImageDraw


def png_logo(size=(120, 80)):
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=12, fill="#3366CC")
    draw.ellipse((10, 10, size[1] - 10, size[1] - 10), fill="#FFCC00")
    return encode(image, "PNG")


def jpeg_logo(size=(90, 90)):
    image = Image.new("RGB", size, "#CC3333")
    ImageDraw.Draw(image).polygon([(0, size[1]), (size[0] // 2, 0), (size[0], size[1])], fill="#222222")
    return encode(image, "JPEG")


def encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def data_uri(raw, media_type):
    return f"data:{media_type};base64,{base64.b64encode(raw).decode('ascii')}"
