"""From payload text to the module matrix: the one place that knows QR versions and capacity.

Two encoders, one contract (UTF-8 text, no ECI, the smallest version that fits, the same versions):
- zxing-cpp's encoder (zint inside) for ASCII payloads, which every dynamic code's redirect URL is.
  It builds the matrix 20-45x faster than qrcode (0.16-0.32 ms against 7-8 ms for a redirect URL in
  the runs of BENCHMARKS.md "Rendering"), and the matrix was the largest cost of a render.
- qrcode for everything else: given a `str` with non-ASCII characters zxing-cpp picks ISO-8859-1 or
  Shift-JIS (Kanji mode), and given `bytes` it marks them binary, so readers show mojibake. qrcode
  writes the UTF-8 bytes in byte mode, which is what every phone reader expects.
"""
import qrcode
import zxingcpp
from qrcode.exceptions import DataOverflowError

ERROR_CORRECTION_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


class PayloadTooLong(ValueError):
    """The payload does not fit in a version-40 symbol at the chosen error correction."""


def build_matrix(payload, error_correction="M"):
    """Rows of booleans (True = dark), without quiet zone, for the smallest version that fits."""
    if payload.isascii():
        return _zxing_matrix(payload, error_correction)
    return _qrcode_matrix(payload, error_correction)


def _too_long(payload, error_correction):
    return PayloadTooLong(f"{len(payload.encode('utf-8'))} bytes do not fit in a QR code at error correction "
                          f"{error_correction}")


def _zxing_matrix(payload, error_correction):
    try:
        barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=error_correction)
    except ValueError as exc:
        # zint's "Error 561: Input too long for ECC level …" / "Error 567: Input too long …"
        raise _too_long(payload, error_correction) from exc
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    n = image.shape[0]
    pixels = bytes(memoryview(image))          # 0 = dark, 255 = light, row-major
    return [[pixel == 0 for pixel in pixels[y * n:(y + 1) * n]] for y in range(n)]


def _qrcode_matrix(payload, error_correction):
    qr = qrcode.QRCode(error_correction=ERROR_CORRECTION_LEVELS[error_correction], border=0, box_size=1)
    try:
        qr.add_data(payload.encode("utf-8"))
        qr.make(fit=True)
    except (DataOverflowError, ValueError) as exc:
        # qrcode 8.2 reports overflow past version 40 as ValueError("Invalid version ...").
        raise _too_long(payload, error_correction) from exc
    return qr.get_matrix()
