"""End to end in headless Chromium: sign in, create a code, find it, read its chart, edit a locked code."""
import http.client
import os
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from exaroutes.models import QrCode
from tests.helpers.qr_decode import decode_data_uri, decode_image

pytestmark = pytest.mark.browser


def scan(live_server, short_id):
    """One scan through the real redirect (not followed: the destination is off this machine)."""
    parts = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/r/{short_id}", headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari"})
    response = connection.getresponse()
    connection.close()
    return response.status


def csp_violations(browser):
    return [entry["message"] for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]]


def test_dashboard_end_to_end(live_server, browser, screenshot_dir):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    def shot(name):
        browser.save_screenshot(os.path.join(screenshot_dir, f"{name}.png"))

    def wait_for_url(pattern):
        """Clicking a submit button returns before the next page loads: wait for its address."""
        WebDriverWait(browser, 10).until(lambda driver: re.search(pattern, driver.current_url))

    browser.get(f"{live_server.url}/dashboard/")
    assert browser.current_url.endswith("/dashboard/signin")
    shot("signin")
    browser.find_element(By.ID, "field-key").send_keys(live_server.key)
    browser.find_element(By.CSS_SELECTOR, "#signin button[type=submit]").click()
    wait_for_url(r"/dashboard/codes$")

    # create a code, with a preview first
    browser.find_element(By.LINK_TEXT, "New code").click()
    browser.find_element(By.ID, "field-data").send_keys("https://example.com/browser")
    browser.find_element(By.ID, "field-foregroundColor").send_keys("#1F3A93")
    browser.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    preview = browser.find_element(By.ID, "preview").get_attribute("src")
    assert decode_data_uri(preview) == [f"{live_server.url}/r/PREVIEW0"]
    shot("new-code-preview")
    browser.find_element(By.CSS_SELECTOR, "button[value=create]").click()
    wait_for_url(r"/dashboard/codes/[A-Za-z0-9]{8}$")
    short_id = browser.current_url.rsplit("/", 1)[1]
    assert browser.find_element(By.ID, "destination").text == "https://example.com/browser"

    # what the browser shows is the printed image: decode a screenshot of it, as a phone would
    image = browser.find_element(By.CSS_SELECTOR, "img.big")
    assert decode_image(image.screenshot_as_png) == [f"{live_server.url}/r/{short_id}"]

    # it is in the list, with its thumbnail loaded
    for _ in range(3):
        assert scan(live_server, short_id) == 302
    browser.find_element(By.LINK_TEXT, "Codes").click()
    wait_for_url(r"/dashboard/codes$")
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-id="{short_id}"]')
    assert "https://example.com/browser" in row.text
    assert row.find_elements(By.CSS_SELECTOR, "td")[-1].text == "3"
    thumb = row.find_element(By.CSS_SELECTOR, "img.thumb")
    assert browser.execute_script("return arguments[0].naturalWidth", thumb) > 0
    shot("codes")

    # its chart: 30 bars, today's holds the three scans
    row.find_element(By.CSS_SELECTOR, "a.code-link").click()
    wait_for_url(rf"/dashboard/codes/{short_id}$")
    bars = browser.find_elements(By.CSS_SELECTOR, "#daily-chart rect.bar")
    assert len(bars) == 30 and bars[-1].get_attribute("data-scans") == "3"
    assert bars[-1].size["height"] > 0
    browser.find_element(By.LINK_TEXT, "7 days").click()
    wait_for_url(r"days=7$")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#daily-chart rect.bar")) == 7
    assert browser.find_element(By.ID, "total-scans").text == "3"
    shot("code-analytics")

    # lock it for compliance, then edit it here with a reason
    live_server.run(lambda db: db.execute(update(QrCode).where(QrCode.short_id == short_id)
                                          .values(protections=["compliance"])))
    browser.refresh()
    destination = browser.find_element(By.ID, "field-destination")
    destination.clear()
    destination.send_keys("https://example.com/recalled")
    browser.find_element(By.CSS_SELECTOR, "#edit button[type=submit]").click()
    wait_for_url(r"/edit$")
    assert "a written reason is required" in browser.find_element(By.ID, "error-reason").text
    browser.find_element(By.ID, "field-reason").send_keys("Recall of batch 42")
    browser.find_element(By.CSS_SELECTOR, "#edit button[type=submit]").click()
    wait_for_url(rf"/dashboard/codes/{short_id}$")
    assert browser.find_element(By.ID, "destination").text == "https://example.com/recalled"
    audit = browser.find_element(By.CSS_SELECTOR, "tr.audit-row").text
    assert "Recall of batch 42" in audit and live_server.key[:17] in audit
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "edit"))
    shot("code-locked-edit")

    # a phone-sized screen: the table scrolls inside its box, the page itself does not
    browser.set_window_size(390, 844)
    browser.find_element(By.LINK_TEXT, "Codes").click()
    wait_for_url(r"/dashboard/codes$")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot("codes-phone")
    browser.set_window_size(1280, 900)
    assert csp_violations(browser) == []

    browser.find_element(By.CSS_SELECTOR, "#signout button").click()
    wait_for_url(r"/dashboard/signin$")


def test_bulk_upload_end_to_end(live_server, browser, screenshot_dir, tmp_path):
    """Upload a CSV with the file input, watch the page reload itself to "completed", see a bad file's errors."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    def text_of(element_id):
        return WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda driver: driver.find_element(By.ID, element_id).text)

    good, bad = tmp_path / "codes.csv", tmp_path / "bad.csv"
    good.write_text("data,dataType,foregroundColor\nhttps://example.com/bulk,,#1F3A93\nHello,text,\n",
                    encoding="utf-8-sig")
    bad.write_text("data,size\nhttps://example.com/bulk,10\n", encoding="utf-8")
    browser.get(f"{live_server.url}/dashboard/signin")
    browser.find_element(By.ID, "field-key").send_keys(live_server.key)
    browser.find_element(By.CSS_SELECTOR, "#signin button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: driver.current_url.endswith("/dashboard/codes"))

    browser.find_element(By.LINK_TEXT, "Bulk upload").click()
    browser.find_element(By.ID, "field-file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "#bulk-upload button[type=submit]").click()
    assert text_of("upload-errors").endswith("row 1 (item [0]): size: 10 is less than minimum value 64")
    browser.save_screenshot(os.path.join(screenshot_dir, "bulk-upload-errors.png"))

    browser.find_element(By.ID, "field-file").send_keys(str(good))
    browser.find_element(By.CSS_SELECTOR, "#bulk-upload button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: re.search(r"/dashboard/bulk/[A-Za-z0-9]{16}$",
                                                              driver.current_url))
    assert text_of("job-status") == "queued" and text_of("job-processed") == "0 / 2"
    ran = 0
    while (task := live_server.huey.dequeue()) is not None:
        live_server.huey.execute(task)
        ran += 1
    assert ran == 1
    # nobody clicks: the <meta> refresh brings the finished state
    WebDriverWait(browser, 15, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda driver: driver.find_element(By.ID, "job-status").text == "completed")
    assert text_of("job-processed") == "2 / 2"
    assert browser.find_element(By.CSS_SELECTOR, "#download button").text == "Download archive (once)"
    browser.save_screenshot(os.path.join(screenshot_dir, "bulk-job.png"))
    assert csp_violations(browser) == []
