"""Issue 13 / security review B1: `/r/{id}/contact.vcf` served the card of password-protected, expired,
capped and encrypted vcard codes (it did its own lookup). Every route under `/r/{id}` now gets its code
from the one scan gate; each protection is pinned here on each side route (`contact.vcf`, `password`).
"""
import datetime
import re

import pytest
import vobject
from sqlalchemy import func, select

from exaroutes import clock
from exaroutes.models import QrCode, Scan
from exaroutes.codes.fold import catch_up

pytestmark = pytest.mark.usefixtures("quick_password_hashes")

CARD = {"firstName": "Alice", "lastName": "Secret", "phone": "+4930123456"}
PASSWORD = "hunter22"


def create(testapp, auth, **body):
    body = {"dataType": "vcard", "data": CARD, **body}
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=201).json


def scans(committed):
    committed(catch_up)    # the folder runs in the background in a server; here the test folds
    return committed(lambda db: db.scalar(select(func.count()).select_from(Scan)))


def scan_count(committed, short_id):
    return committed(lambda db: db.scalar(select(QrCode.scan_count).where(QrCode.short_id == short_id)))


def assert_no_card(response):
    """Nothing of the contact (nor its ciphertext) is in the answer."""
    assert response.content_type == "text/html"
    assert "Secret" not in response.text and "4930123456" not in response.text and "gAAAA" not in response.text
    assert "BEGIN:VCARD" not in response.text


def csrf_token(page):
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_contact_vcf_of_a_password_code_answers_the_password_form(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    form = testapp.get(f"/r/{code['id']}/contact.vcf", status=200)
    assert 'type="password"' in form.text
    assert_no_card(form)
    assert_no_card(testapp.head(f"/r/{code['id']}/contact.vcf", status=200))
    assert scans(committed) == 0


def test_a_password_code_unlocked_shows_its_card_without_a_download_link(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    form = testapp.get(f"/r/{code['id']}", status=200)
    unlocked = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": csrf_token(form)},
                            status=303)
    page = unlocked.follow(status=200)
    assert "Secret" in page.text and "contact.vcf" not in page.text
    assert scans(committed) == 1
    assert_no_card(testapp.get(f"/r/{code['id']}/contact.vcf", status=200))   # the unlock was spent


def test_contact_vcf_of_an_expired_code_is_410(testapp, auth, move_clock):
    code = create(testapp, auth, expiresAt=(clock.utcnow() + datetime.timedelta(hours=1)).isoformat() + "Z")
    testapp.get(f"/r/{code['id']}/contact.vcf", status=200)
    move_clock(datetime.timedelta(hours=1, seconds=1))
    gone = testapp.get(f"/r/{code['id']}/contact.vcf", status=410)
    assert "expired" in gone.text
    assert_no_card(gone)


def test_contact_vcf_of_a_capped_code_is_410_and_never_spends_the_cap(testapp, auth, committed):
    code = create(testapp, auth, maxScans=1)
    for _ in range(3):
        testapp.get(f"/r/{code['id']}/contact.vcf", status=200)
    assert scan_count(committed, code["id"]) == 0
    testapp.get(f"/r/{code['id']}", status=200)                   # the one scan
    gone = testapp.get(f"/r/{code['id']}/contact.vcf", status=410)
    assert "scan limit" in gone.text
    assert_no_card(gone)
    assert scans(committed) == 1 and scan_count(committed, code["id"]) == 1


def test_contact_vcf_of_an_encrypted_code_is_the_plaintext_card(testapp, auth, committed):
    code = create(testapp, auth, encrypt=True)
    stored = committed(lambda db: db.scalar(select(QrCode.destination).where(QrCode.short_id == code["id"])))
    assert stored.startswith("gAAAA")                              # encrypted at rest
    card = testapp.get(f"/r/{code['id']}/contact.vcf", status=200)
    assert card.headers["Content-Type"] == "text/vcard; charset=utf-8"
    assert card.body.decode("utf-8") == code["destination"]
    parsed = vobject.readOne(card.body.decode("utf-8"))
    assert (parsed.n.value.given, parsed.n.value.family, parsed.tel.value) == ("Alice", "Secret", "+4930123456")


def test_password_route_of_an_expired_code_is_410(testapp, auth, move_clock):
    expiring = create(testapp, auth, password=PASSWORD,
                      expiresAt=(clock.utcnow() + datetime.timedelta(hours=1)).isoformat() + "Z")
    token = csrf_token(testapp.get(f"/r/{expiring['id']}", status=200))
    move_clock(datetime.timedelta(hours=1, seconds=1))
    gone = testapp.post(f"/r/{expiring['id']}/password", {"password": PASSWORD, "csrf": token}, status=410)
    assert "expired" in gone.text and "Set-Cookie" not in gone.headers


def test_password_route_of_a_switched_off_code_is_410(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    token = csrf_token(testapp.get(f"/r/{code['id']}", status=200))
    committed(lambda db: db.query(QrCode).filter_by(short_id=code["id"]).update({"status": "inactive"}))
    testapp.app.registry["code_cache"].invalidate(code["id"])
    gone = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": token}, status=410)
    assert "no longer active" in gone.text and "Set-Cookie" not in gone.headers
    testapp.get(f"/r/{code['id']}/contact.vcf", status=410)


def test_code_routes_without_a_caller_still_answer_401_or_the_sign_in_page(testapp):
    """The workspace factories leave the answer to the permission / sign-in check when nobody is signed in."""
    for path in ("/api/qr/codes/ZZZZZZZZ", "/api/qr/codes/ZZZZZZZZ/image", "/api/qr/codes/ZZZZZZZZ/analytics",
                 "/api/qr/codes/bulk/ZZZZZZZZ", "/api/qr/codes/bulk/ZZZZZZZZ/result"):
        testapp.get(path, status=401)
    signin = testapp.get("/dashboard/codes/ZZZZZZZZ", status=303)
    assert signin.headers["Location"].endswith("/dashboard/signin")
    assert testapp.get("/dashboard/bulk/ZZZZZZZZ", status=303).headers["Location"].endswith("/dashboard/signin")
