"""Test fixtures and contract tests for ExaRoutes and its plugins (needs the `test` extra: pytest,
WebTest, pyzbar, OpenCV).

Kinto ships its storage tests so that every backend proves the same promises; ExaRoutes ships these
so that every plugin does. A plugin's `tests/conftest.py` takes the fixtures:

    from exaroutes.testing import *  # noqa: F401,F403  (app, testapp, auth, count_rows ...)

and its tests subclass `DataTypeContract` or `RendererContract`, filling in a few class attributes.
The fixtures build a real app on a migrated database, once per backend: SQLite always, PostgreSQL at
`EXAROUTES_TEST_POSTGRES_URL` (default the local server). A missing PostgreSQL skips its runs, or fails
them under `CI=true`, so a green CI run means both were tested. Every image is read with zxing-cpp,
ZBar and OpenCV (DESIGN.md §1.4: "scans" means in all three), which must return the same bytes, and
compared with what it must say, character for character. ZBar comes from the Debian/Ubuntu package
`libzbar0` (macOS: `brew install zbar`), loaded by pyzbar; OpenCV from opencv-python-headless.
"""
import base64
import io
import os
import socket
import uuid
from urllib.parse import urlsplit

import cv2
import numpy
import pytest
import transaction
import webtest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar
from sqlalchemy import text

from exaroutes import main
from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import Base, get_engine, get_session_factory, get_tm_session
from exaroutes.plugins.interfaces import DataType, Renderer, missing_members
from exaroutes.renderers.style import STYLE_FIELDS

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("EXAROUTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIRECT_BASE = "https://qr.example.test"
BACKENDS = ["sqlite", "postgresql"]

__all__ = [
    "backend", "database_url", "dbengine", "extra_app_settings", "app_settings", "app", "testapp", "committed",
    "api_key", "auth", "count_rows", "empty_tables", "DataTypeContract", "RendererContract", "decode_image",
    "ReadersDisagree",
]


# services ------------------------------------------------------------------------------------------

def reachable(url, default_port):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def unavailable(message):
    """Skip the test locally; under CI=true fail it, so a green CI means everything was tested."""
    if IN_CI:
        pytest.fail(message + " (CI=true: required)", pytrace=False)
    pytest.skip(message)


def require(name, url, default_port):
    """Skip (locally) or fail (CI=true) when the server behind `url` does not answer."""
    if not reachable(url, default_port):
        unavailable(f"{name} at {url} is not reachable")


def create_postgres_database():
    """A new, empty database for this test session; returns (url, drop function)."""
    import psycopg

    require("PostgreSQL", POSTGRES_ADMIN_URL, 5432)
    name = f"exaroutes_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parts = urlsplit(POSTGRES_ADMIN_URL)
    return parts._replace(path=f"/{name}").geturl(), drop


# fixtures ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    url, drop = create_postgres_database()
    yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    drop()


@pytest.fixture(scope="session")
def dbengine(database_url):
    engine = get_engine({"sqlalchemy.url": database_url})
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def extra_app_settings():
    """Settings a suite adds to the app's; its conftest overrides this fixture (none by default)."""
    return {}


@pytest.fixture(scope="session")
def app_settings(database_url, tmp_path_factory, extra_app_settings):
    return {
        "sqlalchemy.url": database_url,
        "exaroutes.redirect_base": REDIRECT_BASE,
        # the API's own absolute URLs (Location, OpenAPI servers): WebTest's host, so redirects stay on it
        "exaroutes.public_base": "http://localhost",
        "exaroutes.secret": "test-secret",
        # A private SqliteHuey queue; no consumer runs unless a test starts one.
        "exaroutes.jobs.url": f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite'}",
        **extra_app_settings,
    }


@pytest.fixture(scope="session")
def app(dbengine, app_settings):
    """The WSGI app as served, with every installed plugin loaded through its entry point."""
    return main({}, dbengine=dbengine, **app_settings)


@pytest.fixture(autouse=True)
def empty_tables(request):
    """After each database test, delete every row (children first), so tests never see each other."""
    yield
    if "dbengine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("dbengine")
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def testapp(app):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


@pytest.fixture
def committed(dbengine):
    """Run `fn(dbsession)` in its own committed transaction: how tests seed data outside the API."""
    factory = get_session_factory(dbengine)

    def run(fn):
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            return fn(get_tm_session(factory, tm))

    return run


def make_key(committed, workspace_name, test=False):
    return committed(lambda db: create_key(db, get_or_create_workspace(db, workspace_name, test)))


@pytest.fixture
def api_key(committed):
    return make_key(committed, "acme")


@pytest.fixture
def auth(api_key):
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
def count_rows(dbengine):
    """Rows per table, for "a failed request leaves the database as it was" checks."""

    def count():
        with dbengine.connect() as connection:
            return {table.name: connection.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar()
                    for table in Base.metadata.sorted_tables}

    return count


# decoding ------------------------------------------------------------------------------------------

#: OpenCV warns on stderr for every ECI it meets ("ECI is not supported properly") and then reads the
#: bytes as they are, which is what a UTF-8 ECI asks for; the warning is noise in test output.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

READERS = ("zxing-cpp", "zbar", "opencv")
#: the side an image is also offered at to readers that do not downscale themselves
CAMERA_SIDE = 1024


class ReadersDisagree(AssertionError):
    """Not every reader returned the same bytes: the image does not scan everywhere."""


def read_zxing(image):
    """zxing-cpp with its defaults: it tries rotations, inversion and downscaling itself."""
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text.encode("utf-8") for result in results]


def read_zbar(image):
    """ZBar, QR only; its text is its own charset conversion, so a missing ECI shows as mojibake."""
    return [result.data for result in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def read_opencv(image):
    """`QRCodeDetector`, then OpenCV's second built-in QR reader `QRCodeDetectorAruco`, which finds the
    finder patterns of large versions (v25+) that the first misses even at 5 px per module."""
    pixels = numpy.asarray(image)
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        try:
            text = detector.detectAndDecode(pixels)[0]
        except UnicodeDecodeError as exc:          # bytes that are not UTF-8: a wrong answer, not none
            return [exc.object]
        except cv2.error:                          # e.g. "mode 14 is not implemented": it read nothing
            continue
        if text:
            return [text.encode("utf-8")]
    return []


def camera_views(image):
    """The image, then (if larger) the same at CAMERA_SIDE px, box-filtered, as a phone camera at a
    distance would see it: offered in turn to ZBar and OpenCV, which do not downscale on their own."""
    yield image
    if max(image.size) > CAMERA_SIDE:
        scale = CAMERA_SIDE / max(image.size)
        yield image.resize((round(image.width * scale), round(image.height * scale)), Image.BOX)


def on_white(image):
    """A Pillow image flattened onto white (a transparent PNG is printed on paper) and made grey."""
    if image.mode in ("RGBA", "LA", "P"):
        ground = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(ground, image.convert("RGBA"))
    return image.convert("L")


def read_each(image):
    """{reader: [bytes of every code it read]} for a Pillow image, each reader on the grey picture."""
    grey = on_white(image)
    answers = {"zxing-cpp": read_zxing(grey)}
    for name, read in (("zbar", read_zbar), ("opencv", read_opencv)):
        answers[name] = []
        for view in camera_views(grey):
            answers[name] = read(view)
            if answers[name]:
                break
    return answers


def decode_image(image):
    """Every text in a Pillow image that zxing-cpp, ZBar and OpenCV all read, byte for byte alike;
    ReadersDisagree (showing what each read) when they differ."""
    answers = read_each(image)
    expected = sorted(answers["zxing-cpp"])
    if any(sorted(found) != expected for found in answers.values()):
        raise ReadersDisagree("the readers read different bytes: " + ", ".join(
            f"{name}={found!r}" for name, found in answers.items()))
    return [raw.decode("utf-8") for raw in answers["zxing-cpp"]]


def static_image_bytes(answer):
    """The bytes of a static answer's `image`: SVG text, or a `data:` URI."""
    image = answer["image"]
    if not image.startswith("data:"):
        return image.encode("utf-8")
    return base64.b64decode(image.split(",", 1)[1])


def raster(body, media_type):
    """A Pillow image of `body`: PNG/JPEG as is, SVG through cairosvg (the pdf plugin's dependency)."""
    if media_type == "image/svg+xml":
        import cairosvg

        body = cairosvg.svg2png(bytestring=body, unsafe=False)
    return Image.open(io.BytesIO(body))


# contracts -----------------------------------------------------------------------------------------

class DataTypeContract:
    """What every data type promises. Subclass it in a test module and set:

    - `datatype`: the `dataType` name;
    - `valid`: [(data, payload)]: `data` a client may send and the exact text its static code encodes;
    - `invalid`: [(data, field)]: bad `data` and the field its 422 names first (`data.iban`);
    - `expected_scan(self, data)`: what a scan of a dynamic code with `data` answers:
      ("redirect", location) or ("page", [texts the page shows]).
    """

    datatype = None
    valid = ()
    invalid = ()

    def expected_scan(self, data):
        raise NotImplementedError("say what a scan of a dynamic code with this data answers")

    def test_the_plugin_is_loaded_and_implements_the_interface(self, app):
        plugin = app.registry["datatypes"][self.datatype]
        assert missing_members(plugin, DataType) == [] and isinstance(plugin, DataType)
        assert plugin.name == self.datatype

    def test_every_static_payload_decodes_to_the_exact_text(self, testapp, auth):
        assert self.valid, "give at least one (data, payload) case"
        for data, payload in self.valid:
            for return_type, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
                body = {"dataType": self.datatype, "data": data, "returnType": return_type}
                answer = testapp.post_json("/api/qr/static", body, headers=auth, status=200).json
                decoded = decode_image(raster(static_image_bytes(answer), media_type))
                assert decoded == [payload], (return_type, data)

    def test_bad_data_is_a_422_naming_the_field_and_stores_nothing(self, testapp, auth, count_rows):
        assert self.invalid, "give at least one (data, field) case"
        before = count_rows()
        for data, field in self.invalid:
            for path in ("/api/qr/static", "/api/qr/codes"):
                error = testapp.post_json(path, {"dataType": self.datatype, "data": data}, headers=auth,
                                          status=422).json
                assert error["errors"][0]["name"] == field, (path, data, error)
        assert count_rows() == before

    def test_a_dynamic_code_scans_to_its_answer_and_its_destination_round_trips(self, testapp, auth, app):
        plugin = app.registry["datatypes"][self.datatype]
        for data, _ in self.valid:
            code = testapp.post_json("/api/qr/codes", {"dataType": self.datatype, "data": data}, headers=auth,
                                     status=201).json
            image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth, status=200)
            assert decode_image(raster(image.body, image.content_type)) == [code["redirectUrl"]]
            kind, expected = self.expected_scan(data)
            if kind == "redirect":
                assert testapp.get(f"/r/{code['id']}", status=302).headers["Location"] == expected
            else:
                page = testapp.get(f"/r/{code['id']}", status=200)
                assert page.content_type == "text/html"
                for shown in expected:
                    assert shown in page.text, shown
            assert plugin.destination(plugin.from_destination(code["destination"])) == code["destination"]
            updated = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": code["destination"]},
                                       headers=auth, status=200).json
            assert updated["destination"] == code["destination"]


class RendererContract:
    """What every renderer promises. Subclass it and set `renderer` (the `returnType`), `media_type`, and,
    for a format Pillow cannot open, `rasterize(self, body)` returning a Pillow image of one page."""

    renderer = None
    media_type = None
    #: styles every drawing is tried with (each must still scan); fields the renderer lacks are skipped
    styles = ({}, {"shape": "circle", "foregroundColor": "#1A2B6D"}, {"shape": "rounded", "size": 300, "margin": 2})

    def rasterize(self, body):
        return raster(body, self.media_type)

    def supported(self, app, style):
        plugin = app.registry["renderers"][self.renderer]
        return {name: value for name, value in style.items() if name in plugin.supported_style}

    def test_the_plugin_is_loaded_and_implements_the_interface(self, app):
        plugin = app.registry["renderers"][self.renderer]
        assert missing_members(plugin, Renderer) == [] and isinstance(plugin, Renderer)
        assert (plugin.name, plugin.media_type) == (self.renderer, self.media_type)

    def test_static_images_scan_in_every_style(self, testapp, auth, app):
        for style in self.styles:
            body = {"dataType": "text", "data": "Grüße aus Köln", "returnType": self.renderer,
                    **self.supported(app, style)}
            answer = testapp.post_json("/api/qr/static", body, headers=auth, status=200).json
            assert answer["format"] == self.renderer
            assert decode_image(self.rasterize(static_image_bytes(answer))) == ["Grüße aus Köln"], style

    def test_a_dynamic_code_is_served_in_its_media_type_and_scans(self, testapp, auth):
        code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/contract",
                                                   "returnType": self.renderer}, headers=auth, status=201).json
        image = testapp.get(f"/api/qr/codes/{code['id']}/image", headers=auth, status=200)
        assert image.content_type == self.media_type
        assert decode_image(self.rasterize(image.body)) == [code["redirectUrl"]]

    def test_it_names_only_known_style_fields_and_the_rest_is_a_422(self, testapp, auth, app):
        plugin = app.registry["renderers"][self.renderer]
        assert set(plugin.supported_style) <= STYLE_FIELDS, set(plugin.supported_style) - STYLE_FIELDS
        value = {"shape": "circle", "logo": "data:image/png;base64,", "foregroundColor": "#000000",
                 "backgroundColor": "#FFFFFF", "margin": 1, "size": 256, "errorCorrection": "H"}
        for field in sorted(set(value) - set(plugin.supported_style)):
            error = testapp.post_json("/api/qr/static", {"data": "x", "returnType": self.renderer,
                                                         field: value[field]}, headers=auth, status=422).json
            assert error["errors"][0]["name"] == field
