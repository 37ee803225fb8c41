"""`GET /r/{shortId}`: redirect or page, and a scan row for every counted request."""
from sqlalchemy import func, select

from exaroutes.models import Scan
from exaroutes.codes.fold import catch_up


def scans(committed):
    committed(catch_up)   # the folder runs in the background in a server; here the test folds
    return committed(lambda db: db.scalar(select(func.count()).select_from(Scan)))


def test_active_url_code_redirects_with_no_store_and_counts(testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/spring"}, headers=auth).json
    response = testapp.get(f"/r/{code['id']}", status=302)
    assert response.headers["Location"] == "https://example.com/spring"
    assert response.headers["Cache-Control"] == "no-store"
    testapp.get(f"/r/{code['id']}", status=302)
    assert scans(committed) == 2


def test_head_is_answered_but_not_counted(testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json
    testapp.head(f"/r/{code['id']}", status=302)
    assert scans(committed) == 0


def test_destination_change_applies_to_the_next_scan(testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/old"}, headers=auth).json
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "https://example.com/new"}, headers=auth)
    assert testapp.get(f"/r/{code['id']}", status=302).headers["Location"] == "https://example.com/new"


def test_inactive_is_410_html_and_unknown_is_404_html(testapp, auth, committed):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"status": "inactive"}, headers=auth)
    gone = testapp.get(f"/r/{code['id']}", status=410)
    assert gone.content_type == "text/html"
    missing = testapp.get("/r/ZZZZZZZZ", status=404)
    assert missing.content_type == "text/html"
    assert scans(committed) == 0


def test_text_code_shows_the_escaped_text(testapp, auth, committed):
    text = '<script>alert("x")</script> & Grüße 🎉'
    code = testapp.post_json("/api/qr/codes", {"dataType": "text", "data": text}, headers=auth).json
    page = testapp.get(f"/r/{code['id']}", status=200)
    assert page.content_type == "text/html"
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Grüße 🎉" in page.text
    assert scans(committed) == 1


def test_wrong_method_on_redirect_is_405(testapp, auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/"}, headers=auth).json
    response = testapp.post(f"/r/{code['id']}", status=405)
    assert "GET" in response.headers["Allow"]
