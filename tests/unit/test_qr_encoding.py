"""What the encoder writes (DESIGN.md §1.4): the UTF-8 ECI for non-ASCII payloads only, the smallest
mixed-segment symbol for ASCII ones, error correction boosted only within the version, and the
capacity ISO/IEC 18004 allows (7089 digits, 4296 alphanumerics at L, version 40).

The ECI is read back from the modules themselves (no reader reports it reliably: zxing-cpp 3.1 says
`]Q1` either way): the format information gives the mask (ISO/IEC 18004 §7.9), and the first data
bits, which sit in the two rightmost columns from the bottom-right corner upwards in every version
(§7.7.3), are unmasked. An ECI 26 stream starts 0111 00011010; a byte-mode one 0100. Up to version 3
at M the data is one block, so those 12 bits are consecutive; from version 4 on the second codeword
placed is the second block's first, so only the first 8 bits (0111 0001) are the stream's.
"""
import pytest
import segno
from PIL import Image

from exaroutes.imaging.matrix import PayloadTooLong, encode
from exaroutes.imaging.render import symbol_for
from tests.helpers.qr_decode import read_each


def picture(symbol, px=4, border=4):
    side = symbol.side + 2 * border
    image = Image.new("L", (side, side), 255)
    image.putdata([0 if 0 <= y - border < symbol.side and 0 <= x - border < symbol.side
                   and symbol.modules[y - border][x - border] else 255
                   for y in range(side) for x in range(side)])
    return image.resize((side * px, side * px), Image.NEAREST)


MASKS = [lambda i, j: (i + j) % 2 == 0, lambda i, j: i % 2 == 0, lambda i, j: j % 3 == 0,
         lambda i, j: (i + j) % 3 == 0, lambda i, j: (i // 2 + j // 3) % 2 == 0,
         lambda i, j: (i * j) % 2 + (i * j) % 3 == 0, lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
         lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0]
ECI_UTF8 = "0111" "00011010"
BYTE_MODE = "0100"


def format_information(modules):
    """(error correction level, mask number) from the copy beside the top-left finder pattern."""
    cells = [(8, x) for x in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(y, 8) for y in range(5, -1, -1)]
    value = 0
    for row, col in cells:
        value = value << 1 | bool(modules[row][col])
    value ^= 0b101010000010010
    return "MLHQ"[value >> 13], (value >> 10) & 7


def leading_bits(modules, count):
    """The first `count` bits of the data stream, unmasked."""
    n = len(modules)
    mask = MASKS[format_information(modules)[1]]
    bits = ""
    for row in range(n - 1, n - 1 - (count + 1) // 2, -1):
        for col in (n - 1, n - 2):
            bits += "1" if bool(modules[row][col]) != mask(row, col) else "0"
    return bits[:count]


def test_the_bit_reader_agrees_with_segno():
    for eci, start in ((True, ECI_UTF8), (False, BYTE_MODE)):
        qr = segno.make_qr("café", encoding="utf-8", eci=eci, error="q", boost_error=False)
        assert format_information(qr.matrix) == ("Q", qr.mask)
        assert leading_bits(qr.matrix, len(start)) == start


@pytest.mark.parametrize("payload", ["café", "東京タワーへようこそ", "WIFI:T:nopass;S:Guest 😀;;",
                                     "BCD\n002\n1\nSCT\n\nWikimedia Fördergesellschaft\nDE33100205000001194700"])
def test_a_non_ascii_payload_carries_the_utf8_eci_and_reads_exactly_everywhere(payload):
    symbol = encode(payload, "M")
    assert symbol.eci and format_information(symbol.modules)[0] == "M"
    known = 12 if symbol.version <= 3 else 8
    assert leading_bits(symbol.modules, known) == ECI_UTF8[:known]
    assert read_each(picture(symbol)) == {"zxing-cpp": [payload.encode()], "zbar": [payload.encode()],
                                          "opencv": [payload.encode()]}


def test_an_ascii_payload_has_no_eci_and_keeps_the_mixed_segments():
    payload = "tel:+493012345678"
    symbol = encode(payload, "M")
    assert not symbol.eci and leading_bits(symbol.modules, 4) == BYTE_MODE
    # zint's numeric segment for the digit run: one version smaller than segno's single byte segment
    assert symbol.version == 1 < segno.make_qr(payload, error="m", boost_error=False).version == 2


def test_unset_error_correction_is_boosted_within_the_version():
    assert (symbol_for("café", {}).version, symbol_for("café", {}).error_correction) == (1, "H")
    redirect = "https://qr.exaroutes.com/r/Ab3xK9pQ"       # fills version 3 at M: nothing to gain
    assert (symbol_for(redirect, {}).version, symbol_for(redirect, {}).error_correction) == (3, "M")
    assert symbol_for("HELLO", {}).error_correction == "H"
    assert symbol_for("HELLO", {"errorCorrection": "L"}).error_correction == "L"     # the client's choice
    assert symbol_for("HELLO", {"logo": "sha256:…"}).error_correction == "H"          # a logo forces H
    for payload in ("café", redirect, "x" * 100, "東" * 40):
        plain = encode(payload, "M")
        boosted = symbol_for(payload, {})
        assert boosted.version == plain.version
        assert "LMQH".index(boosted.error_correction) >= "LMQH".index("M")


@pytest.mark.parametrize("payload,level,version", [
    ("1" * 7089, "L", 40), ("A" * 4296, "L", 40), ("a" * 2953, "L", 40), ("東" * 984, "L", 40)])
def test_the_capacity_is_what_the_standard_allows(payload, level, version):
    assert encode(payload, level).version == version
    with pytest.raises(PayloadTooLong):
        encode(payload + payload[0], level)
