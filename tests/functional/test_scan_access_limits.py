"""Password unlocks and scan caps limit access, not only counting (security review 2026-12, B11, B12)."""
import re

import pytest
from sqlalchemy import select

from exaroutes.models import QrCode
from tests.helpers.agents import IPHONE
from tests.helpers.protections import PASSWORD, URL, create, scans

pytestmark = pytest.mark.usefixtures("quick_password_hashes")

BOT = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


# B11: the unlock cookie opens the code once ------------------------------------------------------------

def unlock_cookie(response):
    """The value of the `exr_unlock` cookie the password form's 303 sets."""
    values = [re.match(r"exr_unlock=([^;]*)", header) for header in response.headers.getall("Set-Cookie")]
    return next(match.group(1) for match in values if match and match.group(1))


def test_b11_unlock_cookie_is_single_use(testapp, auth, committed):
    code = create(testapp, auth, password=PASSWORD)
    form = testapp.get(f"/r/{code['id']}", status=200, headers={"User-Agent": IPHONE})
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    unlocked = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": token}, status=303)
    cookie = unlock_cookie(unlocked)
    answers = []
    for _ in range(5):       # the same cookie value replayed, as the review did
        testapp.set_cookie("exr_unlock", cookie)
        answers.append(testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, expect_errors=True))
    assert [a.status_int for a in answers] == [302, 200, 200, 200, 200]
    assert answers[0].headers["Location"] == URL
    assert all(URL not in a.text and "Location" not in a.headers for a in answers[1:])
    assert scans(committed) == 1


def test_b11_an_unlock_spent_by_a_link_preview_is_spent(testapp, auth, committed):
    """A bot that replays a handed-on cookie uses it up; the scan is not counted, and the form comes back."""
    code = create(testapp, auth, password=PASSWORD)
    form = testapp.get(f"/r/{code['id']}", status=200)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    unlocked = testapp.post(f"/r/{code['id']}/password", {"password": PASSWORD, "csrf": token}, status=303)
    cookie = unlock_cookie(unlocked)
    testapp.set_cookie("exr_unlock", cookie)
    testapp.get(f"/r/{code['id']}", headers={"User-Agent": BOT}, status=302)
    testapp.set_cookie("exr_unlock", cookie)
    testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, status=200)
    assert scans(committed) == 0


# B12: a scan cap is a limit on access, for crawlers too ---------------------------------------------------

def test_b12_bots_do_not_pass_a_scan_cap(testapp, auth, committed):
    code = create(testapp, auth, maxScans=1)
    for _ in range(5):
        preview = testapp.get(f"/r/{code['id']}", headers={"User-Agent": BOT}, expect_errors=True)
        assert preview.status_int != 302 and "Location" not in preview.headers
        assert URL not in preview.text
    head = testapp.head(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, expect_errors=True)
    assert "Location" not in head.headers
    assert scans(committed) == 0
    # The one allowed scan still belongs to a person.
    assert testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, status=302).headers["Location"] == URL
    testapp.get(f"/r/{code['id']}", headers={"User-Agent": IPHONE}, status=410)
    testapp.get(f"/r/{code['id']}", headers={"User-Agent": BOT}, status=410)
    assert scans(committed) == 1
    assert committed(lambda db: db.scalar(select(QrCode.scan_count).where(QrCode.short_id == code["id"]))) == 1


def test_b12_uncapped_codes_still_redirect_bots(testapp, auth, committed):
    code = create(testapp, auth)
    assert testapp.get(f"/r/{code['id']}", headers={"User-Agent": BOT}, status=302).headers["Location"] == URL
    assert scans(committed) == 0
