"""A logo code downloads from the dashboard in every installed format (security review 2026-12, B14).

The review got a 422 page ("logo: must be a data:image/png...") for download/svg and download/pdf of
a PNG code with a logo: the code keeps only a reference to its logo. Now the logo is kept apart (our
re-encoding, once per workspace) and the other formats draw the same picture.
"""
import base64
import io

from PIL import Image

from tests.helpers.bulk import drain
from tests.helpers.dashboard import api_create, sign_in
from tests.helpers.qr_decode import decode_image, decode_pdf, decode_svg, rasterize_svg


def logo_uri(side=64):
    picture = Image.new("RGB", (side, side), "#c0392b")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_b14_logo_code_downloads_in_every_format(testapp, api_key, auth):
    sign_in(testapp, api_key)
    code = api_create(testapp, auth, logo=logo_uri(), size=600)
    expected = [code["redirectUrl"]]
    png = testapp.get(f"/dashboard/codes/{code['id']}/download/png", status=200)
    assert png.body == testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    svg = testapp.get(f"/dashboard/codes/{code['id']}/download/svg", status=200)
    assert svg.content_type == "image/svg+xml" and decode_svg(svg.body) == expected
    assert "<image" in svg.text       # the logo is drawn, not dropped
    pdf = testapp.get(f"/dashboard/codes/{code['id']}/download/pdf", status=200)
    assert pdf.content_type == "application/pdf" and decode_pdf(pdf.body) == expected
    # The same picture: the PNG and the rasterized SVG both have the logo's colour in the middle.
    for raster in (png.body, rasterize_svg(svg.body, width=600)):
        assert Image.open(io.BytesIO(raster)).convert("RGB").getpixel((300, 300)) == (0xc0, 0x39, 0x2b)
    assert decode_image(png.body) == expected


def test_b14_bulk_logo_codes_download_in_other_formats(testapp, api_key, auth, queue):
    sign_in(testapp, api_key)
    items = [{"data": f"https://example.com/{i}", "logo": logo_uri(48), "returnType": "svg"} for i in range(2)]
    testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202)
    drain(queue)
    for code in testapp.get("/api/qr/codes", headers=auth).json["data"]:
        png = testapp.get(f"/dashboard/codes/{code['id']}/download/png", status=200)
        assert decode_image(png.body) == [code["redirectUrl"]]
