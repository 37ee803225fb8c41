"""A real server and a real headless browser for the end-to-end dashboard tests.

The app is served by waitress on a free port the kernel picks, over its own migrated SQLite
database. Chromium and chromedriver come from Debian
(`chromium`, `chromium-driver`; scripts/test installs them when missing). Locally, without them, the
tests skip; under CI=true they fail, like the PostgreSQL and Redis tests.
"""
import os
import shutil

import pytest
import transaction
from webtest.http import StopableWSGIServer

from exaroutes import main
from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import get_engine, get_session_factory, get_tm_session
from tests.helpers.services import free_port, unavailable

CHROMIUM = os.environ.get("EXAROUTES_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("EXAROUTES_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")


def require_browser():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if not missing:
        return
    unavailable(f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver)")


class LiveServer:
    def __init__(self, url, engine, key):
        self.url, self.engine, self.key = url, engine, key

    def run(self, fn):
        """`fn(dbsession)` in its own committed transaction."""
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            return fn(get_tm_session(get_session_factory(self.engine), tm))


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'dashboard.sqlite'}"
    engine = get_engine({"sqlalchemy.url": database})
    upgrade(engine)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    jobs = f"sqlite:///{tmp_path_factory.mktemp('browser-jobs') / 'jobs.sqlite'}"
    app = main({}, dbengine=engine, **{"sqlalchemy.url": database, "exaroutes.redirect_base": url,
                                        "exaroutes.secret": "browser-test-secret", "exaroutes.jobs.url": jobs})
    server = StopableWSGIServer.create(app, host="127.0.0.1", port=port, threads=4)
    # waitress binds and listens in the constructor: connections queue until the thread serves them
    live = LiveServer(url, engine, None)
    live.huey = app.registry["huey"]       # no consumer: a test runs the queued tasks when it chooses
    live.key = live.run(lambda db: create_key(db, get_or_create_workspace(db, "acme")))
    yield live
    server.shutdown()
    engine.dispose()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory):
    """docs/screenshots/ when EXAROUTES_SCREENSHOTS=1 (to refresh the README's pictures), else a temp dir."""
    if os.environ.get("EXAROUTES_SCREENSHOTS") == "1":
        path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots")
        os.makedirs(path, exist_ok=True)
        return path
    return str(tmp_path_factory.mktemp("screenshots"))
