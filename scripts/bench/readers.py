"""Decode rates per reader (zxing-cpp, ZBar, OpenCV) under the readers review's degradations: our
default and styled codes side by side with plain segno and qrcode output of the same payload, in one
run. Numbers go to BENCHMARKS.md "Readers"; run by hand, never by the test suite:

    .venv/bin/pip install -c constraints.txt -e '.[test,bench]'      # pyzbar, OpenCV, qrcode
    .venv/bin/python scripts/bench/readers.py [--payloads redirect,vcard,latin1] [--markdown]

Goal (issue 15): our default at least as robust as segno's default, every accepted style within 5
points of it. The pooled rate is passes over (3 readers x 18 degraded variants). Every subject is drawn
at 8 px per module with a 4-module quiet zone (ours: the service's own renderer; segno and qrcode
their own PNG writers), so the degradations hit all alike; decoding does not depend on machine load.
"""
import argparse
import io
import random
import string
import time

import qrcode
import segno
from PIL import Image

from scanning import MODULE_PX, READERS, drawn, percent, rates

from tests.helpers.logo_images import data_uri, png_logo

#: a payload family's rates are summed over its members: each member is another data mask, so one
#: lucky or unlucky mask does not decide a row (the ids are seeded, the same every run)
_ids = random.Random(15)
REDIRECTS = ["https://qr.exaroutes.com/r/" + "".join(_ids.choices(string.ascii_letters + string.digits, k=8))
             for _ in range(8)]
VCARDS = [(f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\nORG:{org}\r\n"
           f"TEL:{tel}\r\nEMAIL:{first.lower()}.{last.lower()}@example.com\r\nURL:https://example.com/{first.lower()}"
           "\r\nEND:VCARD")
          for first, last, org, tel in (("Jane", "Doe", "Example GmbH", "+49 30 1234567"),
                                        ("Omar", "Haddad", "Haddad & Sons Ltd", "+44 20 7946 0958"),
                                        ("Mei", "Tanaka", "Tanaka Design KK", "+81 3 1234 5678"))]
PAYLOADS = {
    "redirect": REDIRECTS,
    "vcard": VCARDS,
    "latin1": ["Grüße aus Köln, ça va? Ñandú £5 ©", "Café Müller, Straße 5, 1010 Wien – Öffnungszeiten"],
}
LOGO = data_uri(png_logo(), "image/png")
#: our subjects: a name and the style fields a client would send
STYLES = [
    ("ours: default", {}),
    ("ours: rounded", {"shape": "rounded"}),
    ("ours: circle", {"shape": "circle"}),
    ("ours: gapped", {"shape": "gapped"}),
    ("ours: vertical-bars", {"shape": "vertical-bars"}),
    ("ours: horizontal-bars", {"shape": "horizontal-bars"}),
    ("ours: logo", {"logo": LOGO}),
    ("ours: circle+logo", {"shape": "circle", "logo": LOGO}),
    ("ours: navy-yellow", {"foregroundColor": "#1A237E", "backgroundColor": "#FFF9C4"}),
    ("ours: lightest accepted grey #7D7D7D", {"foregroundColor": "#7D7D7D"}),
    ("ours: margin 2", {"margin": 2}),
]


def ours(payload, style):
    picture, symbol = drawn(payload, style)
    return picture, f"{symbol.version}-{symbol.error_correction}"


def segno_default(payload):
    qr = segno.make_qr(payload)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=MODULE_PX, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB"), f"{qr.version}-{qr.error}"


def qrcode_default(payload):
    qr = qrcode.QRCode(box_size=MODULE_PX, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    level = {v: k for k, v in {"L": 1, "M": 0, "Q": 3, "H": 2}.items()}[qr.error_correction]
    return qr.make_image().get_image().convert("RGB"), f"{qr.version}-{level}"


def subjects():
    """(name, draw(payload) -> (picture, "version-EC")) for every subject, the baseline first."""
    yield "segno: default", segno_default
    yield "qrcode: default", qrcode_default
    for name, style in STYLES:
        yield name, lambda payload, style=style: ours(payload, style)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payloads", default=",".join(PAYLOADS))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    for key in args.payloads.split(","):
        payloads = PAYLOADS[key]
        variants = 18 * len(payloads)
        print(f"\n**{key}** ({len(payloads)} payload(s), {len(payloads[0].encode('utf-8'))} bytes): passes of "
              f"{variants} degraded variants per reader; clean = the undegraded pictures read by all three\n")
        print("| subject | version-EC | clean | " + " | ".join(READERS) + " | pooled | vs segno |")
        print("|---|---|---|" + "---|" * len(READERS) + "---|---|")
        baseline = None
        by_variant = {}
        for name, draw in subjects():
            passed = dict.fromkeys(READERS, 0)
            clean_ok, versions = 0, set()
            for payload in payloads:
                picture, version = draw(payload)
                versions.add(version)
                found, clean = rates(picture, payload, by_variant=by_variant)
                clean_ok += all(clean.values())
                for reader in READERS:
                    passed[reader] += found[reader]
            pooled = sum(passed.values()) / (variants * len(READERS))
            baseline = pooled if baseline is None else baseline
            print(f"| {name} | {', '.join(sorted(versions))} | {clean_ok}/{len(payloads)} | "
                  + " | ".join(f"{passed[r]}/{variants}" for r in READERS)
                  + f" | {percent(pooled, 1)} | {100 * (pooled - baseline):+.0f} |", flush=True)
        subjects_read = len(list(subjects())) * len(payloads)
        print(f"\nPer degradation, every subject of **{key}** ({subjects_read} pictures each):\n")
        print("| variant | " + " | ".join(READERS) + " |")
        print("|---|" + "---|" * len(READERS))
        for variant_name, passes in by_variant.items():
            print(f"| {variant_name} | " + " | ".join(f"{passes[r]}/{subjects_read}" for r in READERS) + " |")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
