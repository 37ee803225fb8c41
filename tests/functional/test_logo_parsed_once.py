"""A logo (up to 1 MiB) is decoded and thumbnailed once per request: the check hands the parsed Logo
to the render inside the Design (the review found it parsed twice per create)."""
import base64
import io

import pytest
import zxingcpp
from PIL import Image

from exaroutes.imaging import logos, render, rules
from tests.helpers.logo_images import data_uri, png_logo

PNG_LOGO = data_uri(png_logo(), "image/png")


@pytest.fixture
def parses(monkeypatch):
    """Every parse_logo call, wherever the imaging package makes it."""
    calls = []

    def counting(value):
        calls.append(value)
        return logos.parse_logo(value)

    monkeypatch.setattr(rules, "parse_logo", counting)
    monkeypatch.setattr(render, "parse_logo", counting)
    return calls


@pytest.mark.parametrize("path, status", [("/api/qr/codes", 201), ("/api/qr/static", 200)])
def test_a_create_with_a_logo_parses_it_once(testapp, auth, parses, path, status):
    body = {"data": "https://example.com/logo-once", "logo": PNG_LOGO, "shape": "circle"}
    response = testapp.post_json(path, body, headers=auth, status=status)
    assert parses == [PNG_LOGO]
    if path == "/api/qr/codes":
        image = testapp.get(f"/api/qr/codes/{response.json['id']}/image", headers=auth, status=200).body
        expected = response.json["redirectUrl"]
    else:
        image, expected = response.body, body["data"]
        if response.content_type == "application/json":
            image = base64.b64decode(response.json["image"].split(",", 1)[1])
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    assert [result.text for result in decoded] == [expected]
