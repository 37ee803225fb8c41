"""Rendering benchmark: our PNG/SVG renders against segno and bare qrcode, then POST /api/qr/static
through waitress. Run by hand (numbers go to BENCHMARKS.md "Rendering"), never by the test suite:

    .venv/bin/pip install -c constraints.txt -e '.[test,bench]'      # qrcode
    .venv/bin/python scripts/bench/render.py [--seconds 2] [--port 7505] [--clients 4] [--baseline REV]

Every library renders the same payload (a redirect URL) at error correction M with a 4-module quiet
zone, as close to 512 px as its integer module size allows; all are measured in the same run, one
after another, and each figure is the median of 7 rounds that time every case in turn.

The server part measures this tree; `--baseline REV` also measures git revision REV's `exaroutes/`
(same libraries, same ini), alternating with this tree, two rounds each. There is no default baseline:
a fixed commit disappears from a fresh clone as soon as history is rewritten. The smallest run
(a few seconds): --seconds 0.2 --clients 2.
"""
import argparse
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import qrcode
import qrcode.image.svg
import segno
import zxingcpp

from exaroutes.imaging.matrix import build_matrix
from exaroutes.renderers.png import PngRenderer
from exaroutes.renderers.svg import SvgRenderer
from exaroutes.imaging.render import render, resolve_style

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import baseline_tree, environment, machine, make_key, serve, write_ini  # noqa: E402

PAYLOAD = "https://qr.exaroutes.com/r/Ab3xK9pQ"
STYLED = {"shape": "rounded", "foregroundColor": "#1A2B6D", "backgroundColor": "#FFF8E1"}


def batch_size(fn, seconds):
    """Calls that take about `seconds`."""
    fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > seconds / 5:
            return max(1, int(calls * seconds / elapsed))
        calls *= 2


def interleaved_ms(cases, seconds, rounds=7):
    """Median ms per call of each case over `rounds` rounds, each round timing one batch of every case.

    The machine is shared and its load swings: interleaving gives every case the same mix of quiet
    and busy moments, so the comparison holds even when the absolute numbers move.
    """
    sizes = [batch_size(fn, seconds / rounds) for _, fn in cases]
    times = [[] for _ in cases]
    for _ in range(rounds):
        for i, ((_, fn), calls) in enumerate(zip(cases, sizes)):
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            times[i].append((time.perf_counter() - start) / calls * 1000)
    return [statistics.median(t) for t in times]


def segno_png():
    out = io.BytesIO()
    segno.make(PAYLOAD, error="m", boost_error=False, micro=False).save(out, kind="png", scale=15, border=4)
    return out.getvalue()


def segno_svg():
    out = io.BytesIO()
    segno.make(PAYLOAD, error="m", boost_error=False, micro=False).save(out, kind="svg", scale=15, border=4)
    return out.getvalue()


def qrcode_default(image_factory=None):
    def run():
        out = io.BytesIO()
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, image_factory=image_factory)
        qr.add_data(PAYLOAD)
        qr.make(fit=True)
        qr.make_image().save(out)
        return out.getvalue()
    return run


class Registry(dict):
    """What `render` needs of the app registry: the renderer plugins."""


def ours(renderer, style):
    full = resolve_style(style)
    return lambda: renderer.render(build_matrix(PAYLOAD, full["errorCorrection"]), resolve_style(style))


def qrcode_matrix(payload, level):
    """The matrix as qrcode builds it from UTF-8 bytes (how non-ASCII payloads were built before ECI)."""
    qr = qrcode.QRCode(error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), border=0)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    return qr.get_matrix()


def render_cases():
    registry = Registry(renderers={"png": PngRenderer(), "svg": SvgRenderer()})
    png, svg = PngRenderer(), SvgRenderer()
    return [
        ("matrix: qrcode (bytes, as before)", lambda: qrcode_matrix(PAYLOAD, "M")),
        ("matrix: segno.make", lambda: segno.make(PAYLOAD, error="m", boost_error=False, micro=False)),
        ("matrix: zxing-cpp (ours now)", lambda: build_matrix(PAYLOAD, "M")),
        ("matrix: zxing-cpp create_barcode only", lambda: zxingcpp.create_barcode(
            PAYLOAD, zxingcpp.BarcodeFormat.QRCode, ec_level="M")),
        ("PNG default: ours", ours(png, {})),
        ("PNG default: segno (495 px)", segno_png),
        ("PNG default: bare qrcode (330 px PilImage)", qrcode_default()),
        ("SVG default: ours", ours(svg, {})),
        ("SVG default: segno", segno_svg),
        ("SVG default: bare qrcode (SvgPathImage)", qrcode_default(qrcode.image.svg.SvgPathImage)),
        ("PNG styled (rounded, colours): ours", ours(png, STYLED)),
        ("SVG styled (rounded, colours): ours", ours(svg, STYLED)),
        ("PNG default + zxing-cpp proof: ours, as the API does", lambda: render(registry, PAYLOAD, "png", {})),
        ("SVG default + PNG proof: ours, as the API does", lambda: render(registry, PAYLOAD, "svg", {})),
        ("PNG styled + proof: ours, as the API does", lambda: render(registry, PAYLOAD, "png", STYLED)),
        ("PNG 4096 px circle: ours", ours(png, {"size": 4096, "shape": "circle"})),
    ]


def static_requests_per_second(port, clients, seconds, tree=None):
    """Start pserve on our port, then `clients` keep-alive connections POST static codes for `seconds`.

    With `tree` (an exported baseline), the server runs that package instead (first on PYTHONPATH),
    with the same libraries, settings and client.
    """
    with tempfile.TemporaryDirectory() as directory:
        env = environment(tree)
        ini = write_ini(Path(directory) / "bench.ini", {"sqlalchemy.url": f"sqlite:///{directory}/bench.sqlite"},
                        source="development.ini", port=port, threads=8, quiet=True)
        key = make_key(ini, env)
        with serve(ini, port, env):
            results = {}
            for return_type in ("png", "svg"):
                body = json.dumps({"data": "https://example.com/spring", "returnType": return_type})
                results[return_type] = hammer(port, key, body, clients, seconds)
            return results


def hammer(port, key, body, clients, seconds):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    counts, failures = [0] * clients, [0] * clients
    deadline = time.perf_counter() + seconds

    def client(i):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            connection.request("POST", "/api/qr/static", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                counts[i] += 1
            else:
                failures[i] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if sum(failures):
        raise SystemExit(f"{sum(failures)} requests failed")
    return sum(counts) / elapsed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per render case")
    parser.add_argument("--port", type=int, default=7505, help="waitress port (ours: 7500-7599)")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--baseline", metavar="REV",
                        help="git revision whose server is measured alongside this tree's (none by default)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="exaroutes-bench-") as exported:
        servers = [("this tree", None)]
        if args.baseline and not args.no_server:      # checked before minutes of rendering
            servers.insert(0, (f"baseline {args.baseline}", baseline_tree(args.baseline, exported)))
        versions = ", ".join(f"{name} {version(name)}" for name in ("segno", "qrcode", "zxing-cpp", "pillow"))
        print(f"{machine()}, {versions}")
        print("| case | ms per render |\n|---|---:|")
        cases = render_cases()
        for (name, _), ms in zip(cases, interleaved_ms(cases, args.seconds)):
            print(f"| {name} | {ms:.3f} |")
        if not args.no_server:
            print(f"\nPOST /api/qr/static, default style, waitress 8 threads, {args.clients} keep-alive clients, "
                  "requests/s (two rounds, alternating)\n| server | png | svg |\n|---|---:|---:|")
            for _ in range(2):
                for label, tree in servers:
                    rates = static_requests_per_second(args.port, args.clients, args.seconds * 3, tree)
                    print(f"| {label} | {rates['png']:.0f} | {rates['svg']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
