"""/api/docs in headless Chromium: the script renders every operation and schema of the served document.

The page is ours (exaroutes/api/docs*): a server-written index plus a script that fetches
/api/openapi.json. This runs the script for real, under the page's Content-Security-Policy, on a
waitress server on a port the kernel picks. The app serves the
document without a database, so none is migrated.
"""
import json
import os
import urllib.request

import pytest
from webtest.http import StopableWSGIServer

from exaroutes import main
from tests.helpers.services import free_port

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    jobs = tmp_path_factory.mktemp("docs-jobs") / "jobs.sqlite"
    app = main({}, **{"sqlalchemy.url": "sqlite://", "exaroutes.jobs.url": f"sqlite:///{jobs}"})
    port = free_port()
    server = StopableWSGIServer.create(app, host="127.0.0.1", port=port, threads=2)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_the_docs_page_renders_every_operation_and_schema(docs_server, browser, screenshot_dir):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    with urllib.request.urlopen(f"{docs_server}/api/openapi.json", timeout=10) as response:
        document = json.load(response)
    operations = {op["operationId"]: (method.upper(), path)
                  for path, item in document["paths"].items() for method, op in item.items()}
    browser.get_log("browser")  # drop what earlier tests left
    browser.get(f"{docs_server}/api/docs")
    WebDriverWait(browser, 15).until(
        lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "main section.op")) >= len(operations))

    def text(element, selector=None):
        return (element.find_element(By.CSS_SELECTOR, selector) if selector else element).get_attribute("textContent")

    rendered = {section.get_attribute("id"): (text(section, ".method").upper(), text(section, "span.path"))
                for section in browser.find_elements(By.CSS_SELECTOR, "main section.op")}
    assert rendered == operations
    assert {text(h2) for h2 in browser.find_elements(By.CSS_SELECTOR, "main h2.path")} == set(document["paths"])
    schemas = [text(summary) for summary in browser.find_elements(By.CSS_SELECTOR, "main > details > summary")]
    assert schemas == list(document["components"]["schemas"])
    # every index link lands on a rendered operation
    for link in browser.find_elements(By.CSS_SELECTOR, "nav#operations a"):
        assert link.get_attribute("href").split("#", 1)[1] in rendered
    # the 200 of analytics is rendered from its declared schema, breakdowns included
    analytics = browser.find_element(By.ID, "code_analytics_get")
    analytics.find_element(By.XPATH, ".//summary[starts-with(normalize-space(.), '200 application/json')]").click()
    assert '"referrers"' in analytics.text and '"timeseries"' in analytics.text
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "/favicon.ico" not in entry["message"]]  # the browser asks by itself
    assert errors == []

    browser.set_window_size(1280, 1600)  # the title, the index and the first operations
    browser.execute_script("window.scrollTo(0, 0)")
    try:
        browser.save_screenshot(os.path.join(screenshot_dir, "api-docs.png"))
    finally:
        browser.set_window_size(1280, 900)
