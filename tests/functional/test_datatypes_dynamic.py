"""Every data type as a dynamic code: what a scan answers (DESIGN.md §1.7), PUT with `data` or a
canonical `destination`, and the image that never changes (issue 4)."""
import re

import pytest
import vobject
from sqlalchemy import func, select

from exaroutes.models import Scan
from exaroutes.codes.fold import catch_up
from tests.helpers.qr_decode import decode_image

REDIRECTS = [
    ("email", {"to": "zoë@example.com", "subject": "Hi & bye", "body": "a\nb"},
     "mailto:zo%C3%AB@example.com?subject=Hi%20%26%20bye&body=a%0D%0Ab"),
    ("phone", "+49 (30) 1234-5678", "tel:+493012345678"),
    ("sms", {"number": "+44 7700 900123", "message": "Hi: ok & 😀"},
     "sms:+447700900123?body=Hi%3A%20ok%20%26%20%F0%9F%98%80"),
    ("sms", {"number": "+44 7700 900123"}, "sms:+447700900123"),
    ("geo", {"latitude": -33.8568, "longitude": 151.2153, "altitude": 12.5}, "geo:-33.8568,151.2153,12.5"),
]

#: a change through PUT: (type, first data, new `data`, new canonical `destination`, what the scan then answers)
UPDATES = [
    ("email", "old@example.com", {"to": "new@example.com", "subject": "Re: x"},
     "mailto:new@example.com?subject=Re%3A%20x"),
    ("phone", "+1 555 0100", "+1 555 0199", "tel:+15550199"),
    ("sms", {"number": "123"}, {"number": "456", "message": "Hello, world"}, "sms:456?body=Hello%2C%20world"),
    ("geo", {"latitude": 1, "longitude": 2}, {"latitude": 3.5, "longitude": -4.25}, "geo:3.5,-4.25"),
    ("text", "first", "second; 東京", "second; 東京"),
    ("wifi", {"ssid": "a", "encryption": "nopass"}, {"ssid": "b;c", "password": "12345678", "encryption": "WPA"},
     "WIFI:T:WPA;S:b\\;c;P:12345678;;"),
    ("vcard", {"firstName": "A", "lastName": "B"}, {"firstName": "C", "lastName": "D, E", "phone": "+1 555"},
     "BEGIN:VCARD\r\nVERSION:3.0\r\nN:D\\, E;C;;;\r\nFN:C D\\, E\r\nTEL:+1 555\r\nEND:VCARD\r\n"),
]


def create(testapp, auth, data_type, data):
    return testapp.post_json("/api/qr/codes", {"dataType": data_type, "data": data}, headers=auth).json


def scans(committed):
    committed(catch_up)
    return committed(lambda db: db.scalar(select(func.count()).select_from(Scan)))


def assert_safe_content_page(page):
    """Phone-sized HTML, our own script only: no inline code, CSP `script-src 'self'`."""
    assert page.content_type == "text/html" and page.headers["Cache-Control"] == "no-store"
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts == [(' src="/assets/copy.js" defer', "")]
    assert 'name="viewport"' in page.text and "http://" not in page.text and "https://" not in page.text


@pytest.mark.parametrize("data_type,data,location", REDIRECTS)
def test_scan_redirects_to_the_uri_of_the_type(testapp, auth, committed, data_type, data, location):
    code = create(testapp, auth, data_type, data)
    assert code["dataType"] == data_type and code["destination"] == location
    response = testapp.get(f"/r/{code['id']}", status=302)
    assert response.headers["Location"] == location
    assert response.headers["Cache-Control"] == "no-store"
    assert scans(committed) == 1


def test_text_scan_page_escapes_and_offers_copy(testapp, auth):
    code = create(testapp, auth, "text", '<img src=x onerror="alert(1)"> & 東京 🎉')
    page = testapp.get(f"/r/{code['id']}", status=200)
    assert_safe_content_page(page)
    assert "<img" not in page.text
    assert '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; 東京 🎉' in page.text
    assert 'data-copy="field-1"' in page.text


def test_wifi_scan_page_shows_network_and_password_with_copy_buttons(testapp, auth):
    code = create(testapp, auth, "wifi", {"ssid": "Café <b>", "password": 'p"w;<x>12', "encryption": "WPA",
                                          "hidden": True})
    assert code["destination"] == 'WIFI:T:WPA;S:Café <b>;P:p\\"w\\;<x>12;H:true;;'
    page = testapp.get(f"/r/{code['id']}", status=200)
    assert_safe_content_page(page)
    assert "<b>" not in page.text and "<x>" not in page.text
    assert '<pre id="field-1">Café &lt;b&gt;</pre>' in page.text
    assert '<pre id="field-2">p&quot;w;&lt;x&gt;12</pre>' in page.text
    assert page.text.count("data-copy=") == 2 and "WPA" in page.text and "Hidden network" in page.text


def test_vcard_scan_page_links_a_vcf_download_that_is_not_a_scan(testapp, auth, committed):
    data = {"firstName": "Zoë", "lastName": "<O'Brien>", "organization": "ACME; Inc", "email": "zoe@example.com"}
    code = create(testapp, auth, "vcard", data)
    page = testapp.get(f"/r/{code['id']}", status=200)
    assert_safe_content_page(page)
    assert "&lt;O&#x27;Brien&gt;" in page.text and "<O'Brien>" not in page.text
    link = re.search(r'<a class="save" href="([^"]+)" download="contact.vcf">Save contact</a>', page.text)
    assert link and link.group(1) == f"/r/{code['id']}/contact.vcf"
    card = testapp.get(link.group(1), status=200)
    assert card.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert card.headers["Content-Disposition"] == 'attachment; filename="contact.vcf"'
    assert card.body.decode("utf-8") == code["destination"]
    parsed = vobject.readOne(card.body.decode("utf-8"))
    assert (parsed.n.value.given, parsed.n.value.family, parsed.org.value) == ("Zoë", "<O'Brien>", ["ACME; Inc"])
    testapp.head(link.group(1), status=200)
    assert scans(committed) == 1            # the page view, not the download


def test_vcf_download_of_other_inactive_or_unknown_codes(testapp, auth):
    url_code = create(testapp, auth, "url", "https://example.com/")
    testapp.get(f"/r/{url_code['id']}/contact.vcf", status=404)
    testapp.get("/r/ZZZZZZZZ/contact.vcf", status=404)
    card = create(testapp, auth, "vcard", {"firstName": "A", "lastName": "B"})
    testapp.put_json(f"/api/qr/codes/{card['id']}", {"status": "inactive"}, headers=auth)
    testapp.get(f"/r/{card['id']}/contact.vcf", status=410)
    testapp.post(f"/r/{card['id']}/contact.vcf", status=405)


def test_copy_script_is_served_by_the_app(testapp):
    script = testapp.get("/assets/copy.js", status=200)
    assert script.content_type in ("application/javascript", "text/javascript")
    assert "navigator.clipboard" in script.text


@pytest.mark.parametrize("data_type,first,data,destination", UPDATES)
def test_put_data_or_destination_changes_the_scan_not_the_image(testapp, auth, data_type, first, data,
                                                                destination):
    code = create(testapp, auth, data_type, first)
    image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body
    assert decode_image(image) == [code["redirectUrl"]]
    by_data = testapp.put_json(f"/api/qr/codes/{code['id']}", {"data": data}, headers=auth).json
    assert by_data["destination"] == destination
    testapp.put_json(f"/api/qr/codes/{code['id']}", {"data": first}, headers=auth)
    by_destination = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": destination},
                                      headers=auth).json
    assert by_destination["destination"] == destination
    assert testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth).body == image
    scan = testapp.get(f"/r/{code['id']}")
    if scan.status_int == 302:
        assert scan.headers["Location"] == destination
    else:
        assert scan.status_int == 200 and scan.content_type == "text/html"


@pytest.mark.parametrize("data_type,first,destination", [
    ("email", "a@example.com", "https://example.com/"),
    ("email", "a@example.com", "mailto:?subject=no%20address"),
    ("phone", "+1 555 0100", "+1 555 0100"),
    ("phone", "+1 555 0100", "tel:0800-FLOWERS"),
    ("sms", {"number": "123"}, "sms:123?subject=x"),
    ("geo", {"latitude": 1, "longitude": 2}, "geo:91,0"),
    ("wifi", {"ssid": "a", "encryption": "nopass"}, "WIFI:T:WPA;S:a;;"),
    ("vcard", {"firstName": "A", "lastName": "B"},
     "BEGIN:VCARD\r\nVERSION:3.0\r\nN:B;A;;;\r\nX-SPY:1\r\nEND:VCARD\r\n"),
    ("vcard", {"firstName": "A", "lastName": "B"}, {"firstName": "C"}),
])
def test_put_with_a_bad_destination_is_422_naming_it_and_changes_nothing(testapp, auth, data_type, first,
                                                                         destination):
    code = create(testapp, auth, data_type, first)
    error = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": destination}, headers=auth,
                             status=422).json
    assert error["errors"][0]["name"] == "destination"
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json == code
