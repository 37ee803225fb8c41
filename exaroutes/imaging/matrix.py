"""From payload text to the module matrix: the one place that knows QR versions and capacity.

Two encoders, chosen by what every reader reads and by the version they yield (BENCHMARKS.md "Encoders"):
- ASCII payloads (every dynamic code's redirect URL): zxing-cpp's writer (zint inside). It splits the
  text into numeric, alphanumeric and byte segments, one version smaller than segno or qrcode for
  digit-heavy payloads (phone numbers, hex WPA keys), needs no ECI (readers read ASCII alike), and
  builds a matrix 20-45x faster than qrcode.
- Any other payload: segno, as UTF-8 in one byte segment after an ECI designator 26 (UTF-8), ISO/IEC
  18004 §7.4.3. Without the ECI readers guess the charset (ZBar reads `café` as Shift-JIS). zint can
  write the ECI too, but then mixes segments after it, and OpenCV 5.0 fails on such streams
  ("mode 14 is not implemented") for payloads like `WIFI:T:nopass;S:Guest é;;`; qrcode 8.2 cannot
  write an ECI at all. segno's single byte segment reads exactly in zxing-cpp, ZBar and OpenCV.

When the client leaves `errorCorrection` unset, `encode(..., boost=True)` raises the level to the
highest that keeps the version the requested level needs (what segno calls "boost"): free robustness.
"""
from dataclasses import dataclass

import segno
import zxingcpp

LEVELS = ("L", "M", "Q", "H")


class PayloadTooLong(ValueError):
    """The payload does not fit in a version-40 symbol at the chosen error correction."""


@dataclass(frozen=True)
class Symbol:
    """What the encoder chose: the modules (rows of booleans, True = dark, no quiet zone) and why."""

    modules: list
    version: int
    error_correction: str
    eci: bool

    @property
    def side(self):
        return len(self.modules)


def encode(payload, error_correction="M", boost=False):
    """The smallest symbol holding `payload` at `error_correction` (or better, with `boost`)."""
    if not payload.isascii():
        return _utf8_eci_symbol(payload, error_correction, boost)
    modules = _modules(_zint(payload, error_correction))
    version = (len(modules) - 17) // 4
    if boost:
        for level in reversed(LEVELS[LEVELS.index(error_correction) + 1:]):
            try:
                modules = _modules(_zint(payload, level, version))
            except PayloadTooLong:
                continue
            error_correction = level
            break
    return Symbol(modules, version, error_correction, eci=False)


def build_matrix(payload, error_correction="M"):
    """Rows of booleans (True = dark), without quiet zone, for the smallest version that fits."""
    return encode(payload, error_correction).modules


def _too_long(payload, error_correction):
    return PayloadTooLong(f"{len(payload.encode('utf-8', 'surrogatepass'))} bytes do not fit in a QR code at "
                          f"error correction {error_correction}")


def _zint(payload, error_correction, version=None):
    options = {"ec_level": error_correction}
    if version is not None:
        options["version"] = version
    try:
        return zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, **options)
    except ValueError as exc:
        # zint's "Error 561: Input too long for ECC level …" / "Error 567: Input too long …" /
        # "Error 569: Input too long for Version …"
        raise _too_long(payload, error_correction) from exc


def _utf8_eci_symbol(payload, error_correction, boost):
    try:
        qr = segno.make_qr(payload, encoding="utf-8", eci=True, error=error_correction, boost_error=boost)
    except segno.DataOverflowError as exc:
        raise _too_long(payload, error_correction) from exc
    return Symbol([[bool(bit) for bit in row] for row in qr.matrix], qr.version, qr.error, eci=True)


def _modules(barcode):
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    n = image.shape[0]
    pixels = bytes(memoryview(image))          # 0 = dark, 255 = light, row-major
    return [[pixel == 0 for pixel in pixels[y * n:(y + 1) * n]] for y in range(n)]
