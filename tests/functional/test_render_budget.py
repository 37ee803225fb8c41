"""The render work one request may cause is bounded (security review 2026-12, B9).

The review made the service spend seconds of CPU per request: a 65 kB logo PNG of 1 x 16,777,216
pixels, the same logo parsed again for every bulk item, a bulk of 100 distinct 4096 px PDF styles
trial-rendered in the request, and large static PDFs at the full API rate. Here the same requests
are refused before the work (422 / 413 / 429), and work that is allowed is not repeated.
"""
import base64
import struct
import zlib

import pytest
import webtest

from exaroutes import main
from exaroutes.imaging import logos
from tests.helpers.bulk import drain
from tests.helpers.logo_images import png_logo


def png_claiming(width, height, colour_type=6):
    """A tiny, valid PNG of `width` x `height` all-zero pixels: what a decompression bomb looks like."""
    channels = {0: 1, 2: 3, 6: 4}[colour_type]
    raw = zlib.compress(b"".join(b"\x00" + bytes(width * channels) for _ in range(height)), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


@pytest.fixture
def decodes(monkeypatch):
    """How many logo pictures were decoded (each costs CPU in proportion to its pixels)."""
    calls = []
    decode = logos._decode

    def counting(raw, fmt):
        calls.append(len(raw))
        return decode(raw, fmt)

    monkeypatch.setattr(logos, "_decode", counting)
    logos.DECODED.clear()
    return calls


@pytest.mark.parametrize("width, height, words", [
    (1, 16_777_216, "aspect ratio"),
    (16_777_216, 1, "aspect ratio"),
    (4096, 4096, "pixels"),
    (3000, 200, "aspect ratio"),
])
def test_b9_logo_bombs_are_refused_before_decoding(testapp, auth, count_rows, decodes, width, height, words):
    before = count_rows()
    body = {"data": "https://example.com/", "logo": png_claiming(width, height)}
    response = testapp.post_json("/api/qr/codes", body, headers=auth, status=422)
    error = response.json["errors"][0]
    assert error["name"] == "logo" and words in error["description"]
    assert decodes == []                     # refused from the header alone
    assert count_rows() == before


def test_b9_a_large_logo_that_is_drawn_small_is_still_accepted(testapp, auth):
    body = {"data": "https://example.com/", "logo": png_claiming(2048, 1024, colour_type=2), "size": 1024}
    testapp.post_json("/api/qr/codes", body, headers=auth, status=201)


def test_b9_bulk_parses_each_distinct_logo_once(testapp, auth, queue, decodes):
    logo = "data:image/png;base64," + base64.b64encode(png_logo((400, 400))).decode()
    other = "data:image/png;base64," + base64.b64encode(png_logo((300, 200))).decode()
    items = [{"data": f"https://example.com/{i}", "logo": logo if i % 2 else other} for i in range(20)]
    testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202)
    assert len(decodes) == 2
    assert drain(queue) == 1
    assert len(decodes) == 2                 # the worker process reuses them too


def test_b9_bulk_of_many_costly_distinct_looks_is_413_before_rendering(testapp, auth, count_rows, monkeypatch):
    rendered = []
    from exaroutes.bulk import items as bulk_items

    real = bulk_items.render_design
    monkeypatch.setattr(bulk_items, "render_design", lambda *a, **k: rendered.append(1) or real(*a, **k))
    items = [{"data": f"https://example.com/{i}", "returnType": "pdf", "shape": "circle", "size": 4096 - i}
             for i in range(100)]
    before = count_rows()
    response = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=413)
    assert response.json["errors"][0]["name"] == "body"
    assert "distinct looks" in response.json["error"]
    assert rendered == [] and count_rows() == before
    # The same 100 codes in one look are fine: one trial render proves them all.
    same = [{"data": f"https://example.com/{i}", "returnType": "pdf", "shape": "circle", "size": 4096}
            for i in range(100)]
    testapp.post_json("/api/qr/codes/bulk", same, headers=auth, status=202)
    assert rendered == [1]


def test_b9_large_static_pdfs_are_limited_per_key(dbengine, app_settings, auth):
    app = main({}, dbengine=dbengine, **{**app_settings, "exaroutes.rate_limit.render": "70/minute"})
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.80"})
    body = {"dataType": "text", "data": "x" * 300, "returnType": "pdf", "size": 4096, "shape": "circle",
            "errorCorrection": "L"}
    statuses = [client.post_json("/api/qr/static", body, headers=auth, expect_errors=True).status_int
                for _ in range(3)]
    assert statuses[0] == 200 and statuses[-1] == 429
    refused = client.post_json("/api/qr/static", body, headers=auth, status=429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["errors"][0]["name"] == "size"
    # Small images stay within the budget of the same key.
    small = {"dataType": "text", "data": "hello", "size": 256}
    assert client.post_json("/api/qr/static", small, headers=auth, status=200).json["type"] == "static"


def test_b9_costing_a_malformed_bulk_body_leaves_it_to_validation(testapp, auth, count_rows):
    """The cost is read from raw items, before validation: odd values there are a 422, never a 500."""
    before = count_rows()
    items = [{"data": "https://example.com/", "returnType": {}, "size": "4096", "logo": 7},
             {"data": "https://example.com/", "returnType": ["pdf"], "size": True}, "not an object"]
    errors = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=422).json["errors"]
    assert {"[0].returnType", "[0].size", "[0].logo", "[1].returnType", "[1].size", "[2]"} <= \
        {error["name"] for error in errors}
    assert count_rows() == before
