"""Which encoder writes a payload's matrix: the versions each one yields, whether the three readers
read the result exactly, and how long a matrix takes. The data behind exaroutes/imaging/matrix.py's
choice (BENCHMARKS.md "Encoders"). Run by hand:

    .venv/bin/python scripts/bench/encoders.py

Payloads: every case of tests/helpers/datatype_cases.py (what the eight data types write) plus the non-ASCII
cases of the readers review (shared/reports/2026-12-readers-review.md, B) that the tables lack
(texts in eight scripts, an EPC transfer, a German URL, a long Latin-1 text), at L, M, Q and H, no
boost. Candidates for non-ASCII payloads, all UTF-8:
- zint + ECI: zxing-cpp's writer with eci="UTF8" (mixed numeric/alphanumeric/byte segments after the ECI);
- segno + ECI: segno.make_qr(encoding="utf-8", eci=True) (one byte segment after the ECI);
- qrcode: UTF-8 bytes, no ECI (qrcode 8.2 cannot write one; what the service wrote before).
Each matrix is drawn at 8 px per module with a 4-module quiet zone and read by the three readers.
"""
import argparse
import statistics
import time

import qrcode
import segno
import zxingcpp
from PIL import Image

from scanning import READERS, reads

from exaroutes.imaging.matrix import encode
from tests.helpers.datatype_cases import CASES

LEVELS = "LMQH"
REVIEW_CASES = [
    "café", "Grüße aus Köln, ça va? Ñandú £5 ©", "東京タワーへようこそ", "https://example.de/über/straße",
    "مرحبا بكم في القاهرة", "שלום עולם 123", "안녕하세요 서울", "你好，北京欢迎你", "Привет, мир! Γειά σου",
    "👨‍👩‍👧 🇩🇪 🎉", "Cafe\u0301 nai\u0308ve",
    "BCD\n002\n1\nSCT\n\nWikimedia Fördergesellschaft\nDE33100205000001194700",
    "BCD\n002\n1\nSCT\n\nZoë Łukasz 東京 🎉\nAT611904300234573201\nEUR999999999.99\n\nRF18539007547034",
    "Grüße " * 150, "東" * 984,
]


def zint_eci(payload, level):
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=level, eci="UTF8")
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    n = image.shape[0]
    pixels = bytes(memoryview(image))
    return [[pixels[y * n + x] == 0 for x in range(n)] for y in range(n)]


def segno_eci(payload, level):
    qr = segno.make_qr(payload, encoding="utf-8", eci=True, error=level, boost_error=False)
    return [[bool(bit) for bit in row] for row in qr.matrix]


def qrcode_bytes(payload, level):
    qr = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), border=0)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    return qr.get_matrix()


def qrcode_text(payload, level):
    qr = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), border=0)
    qr.add_data(payload)            # a str: qrcode splits out numeric/alphanumeric runs itself
    qr.make(fit=True)
    return qr.get_matrix()


def ours(payload, level):
    return encode(payload, level).modules


CANDIDATES = {"ours": ours, "zint + ECI": zint_eci, "segno + ECI": segno_eci, "qrcode (no ECI)": qrcode_bytes}


def picture(matrix, px=8, border=4):
    n = len(matrix) + 2 * border
    image = Image.new("L", (n, n), 255)
    image.putdata([0 if 0 <= y - border < len(matrix) and 0 <= x - border < len(matrix)
                   and matrix[y - border][x - border] else 255 for y in range(n) for x in range(n)])
    return image.resize((n * px, n * px), Image.NEAREST)


def version(matrix):
    return (len(matrix) - 17) // 4


def main(argv=None):
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args(argv)
    non_ascii = [case.payload for case in CASES if not case.payload.isascii()] + REVIEW_CASES
    print(f"{len(non_ascii)} non-ASCII payloads at L, M, Q, H (those that fit):\n")
    print("| candidate | exact in all three readers | " + " | ".join(f"{r} exact" for r in READERS)
          + " | versions vs ours (smaller / same / larger) | median ms per matrix |")
    print("|---|---|" + "---|" * len(READERS) + "---|---|")
    for name, build in CANDIDATES.items():
        exact = dict.fromkeys(READERS, 0)
        all_three = 0
        compare = [0, 0, 0]
        timings = []
        total = 0
        for payload in non_ascii:
            for level in LEVELS:
                try:
                    started = time.perf_counter()
                    matrix = build(payload, level)
                    timings.append(time.perf_counter() - started)
                except ValueError:
                    continue
                total += 1
                result = reads(picture(matrix), payload)
                all_three += all(result.values())
                for reader, ok in result.items():
                    exact[reader] += ok
                delta = version(matrix) - version(ours(payload, level))
                compare[0 if delta < 0 else 1 if delta == 0 else 2] += 1
        print(f"| {name} | {all_three}/{total} | " + " | ".join(f"{exact[r]}/{total}" for r in READERS)
              + f" | {compare[0]} / {compare[1]} / {compare[2]} | {1000 * statistics.median(timings):.2f} |",
              flush=True)
    ascii_cases = [case for case in CASES if case.payload.isascii()]
    print(f"\nASCII payloads ({len(ascii_cases)}) at L, M, Q, H: versions of ours (zint, mixed segments, no ECI)"
          " against segno's and qrcode's defaults (byte/auto mode, no boost):\n")
    for name, build in (("segno", lambda p, lv: [[bool(b) for b in row] for row in segno.make_qr(
            p, error=lv, boost_error=False).matrix]), ("qrcode", qrcode_text)):
        compare = [0, 0, 0]
        for case in ascii_cases:
            for level in LEVELS:
                try:
                    delta = version(ours(case.payload, level)) - version(build(case.payload, level))
                except ValueError:
                    continue
                compare[0 if delta < 0 else 1 if delta == 0 else 2] += 1
        print(f"- ours against {name}: smaller {compare[0]}, same {compare[1]}, larger {compare[2]}")


if __name__ == "__main__":
    main()
