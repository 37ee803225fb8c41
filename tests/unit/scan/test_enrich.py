"""Client classification, countries and the visitor hash, without a database."""
import datetime

import pytest

from exaroutes.scan.enrich import (
    classify_user_agent, country_of_address, header_country, referrer_host, visitor_hash)
from tests.helpers.agents import ANDROID_TABLET, IPHONE, WINDOWS_CHROME

PIXEL = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Mobile Safari/537.36")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize("user_agent, expected", [
    (IPHONE, (False, "mobile", "iOS", "Mobile Safari")),
    (PIXEL, (False, "mobile", "Android", "Chrome Mobile")),
    (IPAD, (False, "tablet", "iOS", "Mobile Safari")),
    (ANDROID_TABLET, (False, "tablet", "Android", "Chrome")),
    (WINDOWS_CHROME, (False, "desktop", "Windows", "Chrome")),
    ("", (False, "unknown", "unknown", "unknown")),
])
def test_user_agents_are_classified(user_agent, expected):
    assert tuple(classify_user_agent(user_agent)) == expected


def test_countries_from_the_offline_table():
    assert country_of_address("8.8.8.8") == "US"
    assert country_of_address("85.214.132.117") == "DE"
    assert country_of_address("2a00:1450:4001:80b::200e") == "IE"
    assert country_of_address("127.0.0.1") == "unknown"
    assert country_of_address(None) == "unknown"


@pytest.mark.parametrize("value, expected", [("de", "DE"), (" US ", "US"), ("XX", "unknown"), ("T1", "unknown"),
                                             ("DEU", "unknown"), ("", "unknown"), ("1A", "unknown")])
def test_proxy_country_header(value, expected):
    assert header_country(value) == expected


def test_referrer_keeps_only_the_host():
    assert referrer_host("https://Mail.Example.com:8443/inbox?id=1") == "mail.example.com"
    assert referrer_host("not a url") is None
    assert referrer_host(None) is None


def test_visitor_hash_rotates_daily_and_depends_on_the_secret():
    day = datetime.date(2026, 5, 21)
    first = visitor_hash("s3cret", day, "8.8.8.8", IPHONE)
    assert first == visitor_hash("s3cret", day, "8.8.8.8", IPHONE)
    assert first != visitor_hash("s3cret", day + datetime.timedelta(days=1), "8.8.8.8", IPHONE)
    assert first != visitor_hash("other", day, "8.8.8.8", IPHONE)
    assert first != visitor_hash("s3cret", day, "8.8.4.4", IPHONE)
    assert first != visitor_hash("s3cret", day, "8.8.8.8", WINDOWS_CHROME)
