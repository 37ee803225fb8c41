"""Security headers: strict CSP on HTML (no inline script, nothing from elsewhere), SVGs that can run nothing."""
import re

import pytest


def csp(response):
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def test_the_docs_page_allows_scripts_from_our_origin_only(testapp):
    response = testapp.get("/api/docs")
    policy = csp(response)
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # Every script is a file of ours: no inline code, no other host.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S)
    assert scripts and all(body.strip() == "" for _, body in scripts)
    for attributes, _ in scripts:
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        assert src.startswith("/") and not src.startswith("//")
        assert testapp.get(src).content_type in ("text/javascript", "application/javascript")
    assert "http://" not in response.text and "https://" not in response.text


def test_scan_pages_keep_their_own_strict_policy(testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"status": "inactive"}, headers=auth)
    for response in (testapp.get("/r/AAAAAAAA", status=404), testapp.get(f"/r/{code['id']}", status=410)):
        policy = csp(response)
        assert policy["default-src"] == "'none'" and "script-src" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Referrer-Policy"]


@pytest.mark.parametrize("return_type", ["svg"])
def test_svg_images_may_run_nothing(testapp, auth, return_type):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/", "returnType": return_type},
                             headers=auth).json
    response = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth)
    assert response.content_type == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_json_answers_are_not_sniffed(testapp, auth):
    assert testapp.get("/api/qr/codes", headers=auth).headers["X-Content-Type-Options"] == "nosniff"
    assert testapp.get("/api/nothing", headers=auth, status=404).headers["X-Content-Type-Options"] == "nosniff"
