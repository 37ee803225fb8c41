"""Decode what the service emits with three independent readers, as the phones that scan it would.

DESIGN.md §1.4: "scans" means every image decodes to exactly the intended bytes in zxing-cpp, ZBar
and OpenCV alike, not in one library. So every helper here reads the image with all three and
raises `ReadersDisagree` unless they return the same bytes; it then returns those texts, which the
test compares with what it expects. (The service's own create-time proof stays one fast zxing-cpp
decode: exaroutes' `decode_picture`.)

How each reader is called, and why:
- zxing-cpp: `read_barcodes` with its defaults (it tries rotations, inversion and downscaling itself).
- ZBar (Debian libzbar0 through pyzbar): on the grey image, QR codes only. Its `data` is ZBar's own
  text conversion, so a payload without the UTF-8 ECI comes back as Shift-JIS mojibake here.
- OpenCV (opencv-python-headless): `QRCodeDetector`, then OpenCV's second built-in QR reader
  `QRCodeDetectorAruco`, which finds the finder patterns of large versions (v25+) that the first
  misses at 5 px per module. Neither downscales on its own (zxing-cpp does): an image larger than a
  phone camera's view of a code (over 1024 px) is also offered at 1024 px, box-filtered, as a camera
  at a distance would see it.
"""
import base64
import io

import cairosvg
import cv2
import numpy
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

#: OpenCV warns on stderr for every ECI it meets ("ECI is not supported properly") and then reads
#: the bytes as they are, which is what a UTF-8 ECI asks for; the warning is noise in test output.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

READERS = ("zxing-cpp", "zbar", "opencv")
#: the side an image is also offered at to readers that do not downscale themselves
CAMERA_SIDE = 1024


class ReadersDisagree(AssertionError):
    """Not every reader returned the same bytes: the image does not scan everywhere."""


def read_zxing(image):
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text.encode("utf-8") for result in results]


def read_zbar(image):
    return [result.data for result in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def read_opencv(image):
    pixels = numpy.asarray(image)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        try:
            text = detector.detectAndDecode(pixels)[0]
        except UnicodeDecodeError as exc:          # bytes that are not UTF-8: a wrong answer, not none
            return [exc.object]
        except cv2.error:                          # e.g. "mode 14 is not implemented": it read nothing
            continue
        if text:
            return [text.encode("utf-8")]
    return []


def camera_views(image):
    """The image, then (if larger) the same at CAMERA_SIDE px: what a reader is offered, in order."""
    yield image
    if max(image.size) > CAMERA_SIDE:
        scale = CAMERA_SIDE / max(image.size)
        yield image.resize((round(image.width * scale), round(image.height * scale)), Image.BOX)


def read_each(image):
    """{reader: [bytes of every code it read]} for a Pillow image, each reader on the grey picture."""
    grey = image.convert("L")
    answers = {"zxing-cpp": read_zxing(grey)}
    for name, read in (("zbar", read_zbar), ("opencv", read_opencv)):
        answers[name] = []
        for view in camera_views(grey):
            answers[name] = read(view)
            if answers[name]:
                break
    return answers


def decode_picture(image):
    """The texts all three readers agree on, or ReadersDisagree showing what each one read."""
    answers = read_each(image)
    expected = sorted(answers["zxing-cpp"])
    if any(sorted(found) != expected for found in answers.values()):
        raise ReadersDisagree("the readers read different bytes: " + ", ".join(
            f"{name}={found!r}" for name, found in answers.items()))
    return [raw.decode("utf-8") for raw in answers["zxing-cpp"]]


def decode_image(image_bytes):
    """Every text in a raster image (PNG, JPEG, ...), read alike by zxing-cpp, ZBar and OpenCV."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        return decode_picture(image)


def rasterize_svg(svg, width=None):
    """PNG bytes of an SVG, by cairosvg without network or file access."""
    svg_bytes = svg.encode("utf-8") if isinstance(svg, str) else svg
    return cairosvg.svg2png(bytestring=svg_bytes, unsafe=False, output_width=width)


def decode_svg(svg):
    """Rasterize the SVG with cairosvg (no network, no files) and decode it."""
    return decode_image(rasterize_svg(svg))


def decode_data_uri(uri):
    header, _, data = uri.partition(",")
    assert header.endswith(";base64"), header
    return decode_image(base64.b64decode(data))


def decode_pdf(pdf_bytes):
    """Rasterize the single page with PDFium (pypdfium2: no system poppler needed) and decode it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        assert len(document) == 1
        return decode_picture(document[0].render(scale=2).to_pil())
    finally:
        document.close()


def decode_any(body, media_type):
    """Decode any format the service emits: SVG, PDF or a raster image."""
    if media_type.startswith("image/svg"):
        return decode_svg(body)
    if media_type == "application/pdf":
        return decode_pdf(body)
    return decode_image(body)
