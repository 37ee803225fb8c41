"""Regression tests for the input and edge findings of the 2026-12 security review (issue 14).

Each test is named after its finding (B3, B5, B7, B8, B16, B17, B19, B20, B21 of
`shared/reports/2026-12-security-review.md`) and replays the review's reproduction: every one failed
on the code the review attacked. Functional tests run on SQLite and PostgreSQL (the `testapp` fixture);
the edge tests talk to a real `pserve` started from the shipped ini files.
"""
import base64
import http.client
import json
import os
import pathlib
import re
import select
import socket
import time

import pytest
import webtest
from sqlalchemy import update

from exaroutes.models import QrCode
from tests.helpers.agents import IPHONE
from tests.helpers.bulk import drain, read_archive
from tests.helpers.dashboard import sign_in
from tests.helpers.http import assert_error_shape
from tests.helpers.services import free_port, start_pserve

ROOT = pathlib.Path(__file__).resolve().parents[2]
JSON = "application/json"
URL = "https://example.com/"


def create(testapp, auth, status=201, **body):
    body.setdefault("data", URL)
    body.setdefault("returnType", "svg")
    return testapp.post_json("/api/qr/codes", body, headers=auth, status=status)


def raw_post(testapp, auth, path, raw, status, method="POST"):
    """A JSON body sent as written (lone surrogates cannot be produced by json.dumps of a str)."""
    return testapp.request(path, method=method, body=raw.encode("ascii"),
                           headers={**auth, "Content-Type": JSON}, expect_errors=True, status=status)


def first_error_name(response):
    return assert_error_shape(response)["errors"][0]["name"]


def total_scans(testapp, auth, short_id):
    return testapp.get(f"/api/qr/codes/{short_id}/analytics", headers=auth).json["totalScans"]


def scan(testapp, short_id, status=None):
    return testapp.get(f"/r/{short_id}", headers={"User-Agent": IPHONE}, status=status)


# B3: non-ASCII destinations ------------------------------------------------------------------------

IRIS = [
    ("https://пример.рф/", "https://xn--e1afmkfd.xn--p1ai/"),
    ("https://example.com/café?q=é#à", "https://example.com/caf%C3%A9?q=%C3%A9#%C3%A0"),
    ("https://example.com/😀", "https://example.com/%F0%9F%98%80"),
    ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
    # U+3002 (ideographic full stop) is a dot to IDNA's UTS #46 mapping, as it is to browsers
    ("https://evil.com\u3002example.com/", "https://evil.com.example.com/"),
]


@pytest.mark.parametrize("iri,uri", IRIS, ids=[uri for _, uri in IRIS])
def test_b3_idn_destination_scans(testapp, auth, count_rows, iri, uri):
    """Stored and redirected as its URI, the scan is a 302 with an ASCII Location, counted once."""
    code = create(testapp, auth, data=iri, maxScans=2).json
    assert code["destination"] == uri
    response = scan(testapp, code["id"], status=302)
    assert response.headers["Location"] == uri and response.headers["Location"].isascii()
    assert total_scans(testapp, auth, code["id"]) == 1
    # PUT takes an IRI the same way
    other = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": "https://пример.рф/б"},
                             headers=auth).json
    assert other["destination"] == "https://xn--e1afmkfd.xn--p1ai/%D0%B1"


REFUSED = ["\u202e", "\u200b", "\ufeff", "\x7f", "\u00ad", "\u2066", "\u200f", "\x85", "\ue000", "\u2028"]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_b3_invisible_bidi_and_control_characters_are_422(testapp, auth, count_rows, char):
    code = create(testapp, auth).json
    before = count_rows()
    response = create(testapp, auth, status=422, data=f"https://example.com/a{char}b")
    assert first_error_name(response) == "data"
    assert f"U+{ord(char):04X}" in response.json["error"] or "control characters" in response.json["error"]
    response = testapp.put_json(f"/api/qr/codes/{code['id']}", {"destination": f"https://exa{char}mple.com/"},
                                headers=auth, status=422)
    assert first_error_name(response) == "destination"
    response = testapp.post_json("/api/qr/codes/bulk", [{"data": URL}, {"data": f"https://example.com/{char}"}],
                                 headers=auth, status=422)
    assert first_error_name(response) == "[1].data"
    assert count_rows() == before
    assert testapp.get(f"/api/qr/codes/{code['id']}", headers=auth).json["destination"] == URL


def test_b3_a_host_idna_2008_refuses_is_422(testapp, auth, count_rows):
    before = count_rows()
    response = create(testapp, auth, status=422, data="https://😀.example/")
    assert first_error_name(response) == "data" and "internationalized domain name" in response.json["error"]
    assert count_rows() == before


def store_legacy_destination(committed, short_id, destination, max_scans=None):
    """What codes created before the fix hold: the raw IRI, invisible characters included."""
    committed(lambda db: db.execute(update(QrCode).where(QrCode.short_id == short_id)
                                    .values(destination=destination, data=destination, max_scans=max_scans)))


def real_scan(port, short_id):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/r/{short_id}", headers={"User-Agent": IPHONE})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location"), response.getheader("Content-Type")
    finally:
        connection.close()


def test_b3_a_stored_non_ascii_destination_still_scans_through_waitress(testapp, auth, committed, real_server):
    """The review's `[500, 500, 410]` for a maxScans 2 IDN code: now two redirects, then the cap."""
    code = create(testapp, auth).json
    store_legacy_destination(committed, code["id"], "https://пример.рф/é\u202e", max_scans=2)
    answers = [real_scan(real_server, code["id"]) for _ in range(3)]
    location = "https://xn--e1afmkfd.xn--p1ai/%C3%A9%E2%80%AE"
    assert [answer[:2] for answer in answers[:2]] == [(302, location)] * 2
    assert answers[2][0] == 410
    assert total_scans(testapp, auth, code["id"]) == 2


def test_b3_a_scan_whose_answer_cannot_be_sent_is_not_counted(testapp, auth, app, monkeypatch):
    """A data type (a plugin, say) whose answer carries a header HTTP cannot send: 503, nothing counted."""
    from pyramid.response import Response
    code = create(testapp, auth).json
    url_type = app.registry["datatypes"]["url"]
    monkeypatch.setattr(url_type, "scan_response",
                        lambda request, code: Response(status=302, headers={"Location": "https://пример.рф/"}))
    response = scan(testapp, code["id"], status=503)
    assert response.content_type == "text/html"
    monkeypatch.undo()
    assert total_scans(testapp, auth, code["id"]) == 0


# B5: 500s from input --------------------------------------------------------------------------------

OVERFLOWING = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00"]


@pytest.mark.parametrize("moment", OVERFLOWING)
def test_b5_timestamp_overflow_is_a_named_422(testapp, auth, count_rows, moment):
    code = create(testapp, auth).json
    before = count_rows()
    assert first_error_name(create(testapp, auth, status=422, expiresAt=moment)) == "expiresAt"
    response = testapp.put_json(f"/api/qr/codes/{code['id']}", {"expiresAt": moment}, headers=auth, status=422)
    assert first_error_name(response) == "expiresAt"
    response = testapp.post_json("/api/qr/codes/bulk", [{"data": URL, "expiresAt": moment}], headers=auth,
                                 status=422)
    assert first_error_name(response) == "[0].expiresAt"
    assert count_rows() == before


@pytest.mark.parametrize("moment", OVERFLOWING)
def test_b5_timestamp_overflow_in_the_dashboard_is_a_422_page(testapp, api_key, count_rows, queue, moment):
    sign_in(testapp, api_key)
    before = count_rows()
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = URL
    form["expiresAt"] = moment
    page = form.submit(status=422)
    assert "expiresAt" in page.text and "out of range" in page.text
    upload = testapp.get("/dashboard/bulk").forms["bulk-upload"]
    upload["file"] = webtest.Upload("codes.csv", f"data,expiresAt\r\n{URL},{moment}\r\n".encode(), "text/csv")
    page = upload.submit(status=422)
    assert "out of range" in page.text
    assert count_rows() == before and queue.pending_count() == 0


SURROGATE = "\\ud800"
SURROGATE_BODIES = [
    ("/api/qr/codes", '{"dataType": "text", "data": "a%sb"}', "data"),
    ("/api/qr/codes", '{"data": "https://example.com/%s"}', "data"),
    ("/api/qr/codes", '{"dataType": "wifi", "data": {"ssid": "x%s", "password": "secret123"}}', "data.ssid"),
    ("/api/qr/codes", '{"dataType": "vcard", "data": {"firstName": "%s", "lastName": "Doe"}}', "data.firstName"),
    ("/api/qr/codes", '{"dataType": "email", "data": {"to": "a@example.com", "subject": "%s"}}',
     "data.subject"),
    ("/api/qr/codes", '{"data": "https://example.com/", "password": "open %s sesame"}', "password"),
    ("/api/qr/codes", '{"data": "https://example.com/", "%s": 1}', "\ud800"),
    ("/api/qr/static", '{"dataType": "text", "data": "%s"}', "data"),
    ("/api/qr/codes/bulk", '[{"dataType": "text", "data": "ok"}, {"dataType": "text", "data": "%s"}]',
     "[1].data"),
    ("PUT {id}", '{"destination": "https://example.com/%s"}', "destination"),
    ("PUT {id}", '{"data": "https://example.com/%s"}', "data"),
]


@pytest.mark.parametrize("path,template,field", SURROGATE_BODIES,
                         ids=[f"{i:02d}-{row[2].encode('ascii', 'backslashreplace').decode()}"
                              for i, row in enumerate(SURROGATE_BODIES)])
def test_b5_lone_surrogates_are_a_named_422(testapp, auth, count_rows, queue, path, template, field):
    code = create(testapp, auth).json
    before = count_rows()
    method = "PUT" if path.startswith("PUT") else "POST"
    target = f"/api/qr/codes/{code['id']}" if method == "PUT" else path
    response = raw_post(testapp, auth, target, template % SURROGATE, 422, method=method)
    assert first_error_name(response) == field
    assert count_rows() == before and queue.pending_count() == 0


NUL_CURSOR = base64.b64encode(b"2026-01-01|a\x00b").decode()


def test_b5_nul_bytes_are_4xx_on_every_backend(testapp, auth, api_key, count_rows, queue):
    """The review's PostgreSQL 500s, three of them without a key."""
    sign_in(testapp, api_key)   # first: signing in stores a dashboard session row
    before = count_rows()
    response = testapp.post_json("/api/qr/codes", {"dataType": "text", "data": "a\u0000b"}, headers=auth,
                                 status=422)
    assert first_error_name(response) == "data"
    response = testapp.post_json("/api/qr/codes", {"dataType": "vcard", "data": {
        "firstName": "A", "lastName": "B", "note": "x\u0000"}}, headers=auth, status=422)
    assert first_error_name(response) == "data.note"
    response = testapp.post_json("/api/qr/codes/bulk", [{"dataType": "text", "data": "ok"},
                                                        {"dataType": "text", "data": "a\u0000b"}],
                                 headers=auth, status=422)
    assert first_error_name(response) == "[1].data"
    # no key needed for these two
    assert testapp.get("/r/%00AAAAAA/contact.vcf", status=404).content_type == "text/html"
    assert testapp.post("/r/AAAA%00AA/password", {"password": "x"}, status=404).content_type == "text/html"
    for path in ("/api/qr/codes/bulk/%00abc", "/api/qr/codes/bulk/%00abc/result"):
        assert first_error_name(testapp.get(path, headers=auth, status=404)) == "bulkId"
    response = testapp.get("/api/qr/codes", {"cursor": NUL_CURSOR}, headers=auth, status=422)
    assert first_error_name(response) == "cursor"
    assert "q" in testapp.get("/dashboard/codes?q=%00", status=422).text
    testapp.get("/dashboard/codes", {"cursor": NUL_CURSOR}, status=422)
    testapp.get("/dashboard/bulk/%00abc", status=404)
    form = testapp.get("/dashboard/codes/new?dataType=text").forms["create"]
    form["data"] = "a\u0000b"
    assert "NUL" in form.submit(status=422).text
    assert count_rows() == before and queue.pending_count() == 0


# B7: CSV formula injection -------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", '+HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "-2+3", "\t=1+1",
            "\r=1+1"]


def test_b7_manifest_csv_cells_cannot_start_a_formula(testapp, auth, queue):
    items = [{"dataType": "text", "data": text, "returnType": "svg"} for text in FORMULAS]
    items.append({"data": "https://example.com/plain", "returnType": "svg"})
    job = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json
    drain(queue)
    archive = testapp.get(f"/api/qr/codes/bulk/{job['bulkId']}/result", headers=auth).body
    _, csv_rows, json_rows, _ = read_archive(archive)
    assert [row["destination"] for row in csv_rows] == ["'" + text for text in FORMULAS] + [
        "https://example.com/plain"]
    assert [row["destination"] for row in json_rows] == FORMULAS + ["https://example.com/plain"]
    assert [row["index"] for row in csv_rows] == [str(i) for i in range(1, len(items) + 1)]


def test_b7_spreadsheet_safe_follows_owasp():
    from exaroutes.csv_output import spreadsheet_safe   # here, so the other tests run on code without it
    for start in "=+-@\t\r":
        assert spreadsheet_safe(start + "x") == "'" + start + "x"
    assert spreadsheet_safe("https://example.com/=x") == "https://example.com/=x"
    assert spreadsheet_safe(-3) == -3 and spreadsheet_safe(None) == ""


def test_b7_every_csv_the_service_writes_goes_through_csv_output():
    """One function for every CSV: no other module of the package may build a CSV writer itself."""
    writers = [str(path.relative_to(ROOT)) for path in (ROOT / "exaroutes").rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", path.read_text()) and path.name != "csv_output.py"]
    assert writers == []


# B8 and B17: the edge, through a real pserve from the shipped ini files ----------------------------

@pytest.fixture(params=["development.ini", "production.ini"])
def pserve(request, tmp_path):
    """pserve on a copy of a shipped ini file, on a free port; yields the port."""
    ini = tmp_path / request.param
    ini.write_text((ROOT / request.param).read_text())
    (tmp_path / "var").mkdir()
    port = free_port()
    environment = {**os.environ, "EXAROUTES_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'edge.sqlite'}",
                   "EXAROUTES_SECRET": "edge-test", "EXAROUTES_REDIS_URL": os.environ.get(
                       "EXAROUTES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")}
    process = start_pserve(ini, tmp_path / "server.log", f"http_port={port}", env=environment, port=port)
    yield port
    process.kill()
    process.wait()


def exchange(port, head, body=b"", timeout=10):
    """Send raw bytes, read until the server closes; (status, headers, body). Raises socket.timeout.

    Sent in pieces, stopping as soon as the server answers: a server that refuses early closes the
    connection, and bytes still arriving then would reset it before its answer is read."""
    data = head + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        for start in range(0, len(data), 65536):
            if select.select([connection], [], [], 0)[0]:
                break
            try:
                connection.sendall(data[start:start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                break
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, payload


def assert_json_error(headers, payload):
    assert headers["content-type"].split(";")[0] == "application/json", (headers, payload[:300])
    assert headers["x-request-id"]
    body = json.loads(payload)
    assert set(body) == {"error", "errors"} and body["errors"]
    return body


@pytest.mark.parametrize("length", [10 * 1024 * 1024 + 1, 200 * 1024 * 1024, 2**31])
def test_b8_a_declared_body_over_the_limit_is_refused_before_it_is_read(pserve, length):
    """Only the headers are sent, and no key: the 413 must come without waiting for the body."""
    head = (f"POST /api/qr/codes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()
    started = time.monotonic()
    status, headers, payload = exchange(pserve, head)
    assert status == 413 and time.monotonic() - started < 10
    assert assert_json_error(headers, payload)["errors"][0]["name"] == "Content-Length"


def test_b8_a_body_of_exactly_the_limit_is_still_read(pserve):
    """The waitress limit is the app's plus one: a body of exactly 10 MiB reaches the app (401 without a key)."""
    size = 10 * 1024 * 1024
    head = (f"POST /api/qr/codes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    status, headers, payload = exchange(pserve, head, b" " * size, timeout=60)
    assert status == 401
    assert_json_error(headers, payload)


HEADER_START = b"GET /api/qr/codes HTTP/1.1\r\nHost: x\r\nX-Big: "
WAITRESS_REFUSALS = [
    (b"GET /api/qr/codes HTTP/1.1\r\nHost: x\r\nX-Test: a\x00b\r\n\r\n", 400),
    (b"POST /api/qr/codes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400),
    (b"POST /api/qr/codes HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
    # headers of exactly waitress' 256 kB limit, unfinished: it refuses them having read every byte sent
    # (more bytes than it reads would make its close a TCP reset that loses the answer)
    (HEADER_START + b"a" * (262144 - len(HEADER_START)), 431),
    (b"POST /api/qr/codes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
]


@pytest.mark.parametrize("raw,status", WAITRESS_REFUSALS, ids=["nul-header", "two-lengths", "negative-length",
                                                                "256kB-header", "gzip-chunked"])
def test_b17_what_waitress_refuses_is_a_json_error(pserve, raw, status):
    answer, headers, payload = exchange(pserve, raw)
    assert answer == status, payload[:300]
    assert_json_error(headers, payload)


# B16: colours ---------------------------------------------------------------------------------------

def test_b16_a_colour_with_a_trailing_newline_is_422(testapp, auth, count_rows):
    before = count_rows()
    for field in ("foregroundColor", "backgroundColor"):
        colour = "#000000\n" if field == "foregroundColor" else "#FFFFFF\n"
        assert first_error_name(create(testapp, auth, status=422, **{field: colour})) == field
        response = testapp.post_json("/api/qr/static", {"dataType": "text", "data": "hi", field: colour},
                                     headers=auth, status=422)
        assert first_error_name(response) == field
    assert count_rows() == before


# B19: the Host header --------------------------------------------------------------------------------

def test_b19_the_host_header_is_not_reflected_in_absolute_urls(testapp, auth):
    evil = {"Host": "evil.example"}
    response = create(testapp, {**auth, **evil})
    assert response.headers["Location"] == f"http://localhost/api/qr/codes/{response.json['id']}"
    job = testapp.post_json("/api/qr/codes/bulk", [{"data": URL}], headers={**auth, **evil}, status=202)
    assert job.headers["Location"].startswith("http://localhost/api/qr/codes/bulk/")
    assert testapp.get("/api/openapi.json", headers=evil).json["servers"] == [{"url": "http://localhost"}]
    signin = testapp.get("/dashboard/codes", headers=evil, status=303)
    assert signin.headers["Location"] == "http://localhost/dashboard/signin"


# B20: contract nits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["limit", "type", "status", "cursor"])
def test_b20_an_empty_query_value_is_422(testapp, auth, name):
    assert first_error_name(testapp.get(f"/api/qr/codes?{name}=", headers=auth, status=422)) == name


def test_b20_post_on_the_openapi_document_is_405_with_allow(testapp):
    for path in ("/api/openapi.json", "/api/docs"):
        response = testapp.post(path, status=405)
        assert response.headers["Allow"] == "GET, HEAD"
        assert_error_shape(response)


def test_b20_if_none_match_star_on_an_image_is_304(testapp, auth):
    code = create(testapp, auth).json
    response = testapp.get(f"/api/qr/codes/{code['id']}/image", headers={**auth, "If-None-Match": "*"}, status=304)
    assert response.body == b""


def test_b20_duplicate_json_keys_are_400(testapp, auth, count_rows):
    before = count_rows()
    response = raw_post(testapp, auth, "/api/qr/codes",
                        '{"data": "https://example.com/", "data": "https://evil.example/"}', 400)
    assert first_error_name(response) == "data"
    assert count_rows() == before


# B21: addresses that read as one host and lead to another --------------------------------------------

@pytest.mark.parametrize("destination", ["https://example.com@evil.example/", "https://user:pw@example.com/",
                                         "https://example.com\\@evil.example/", "http://evil.example\\.example.com/"])
def test_b21_userinfo_and_backslash_destinations_are_422(testapp, auth, count_rows, destination):
    before = count_rows()
    assert first_error_name(create(testapp, auth, status=422, data=destination)) == "data"
    assert count_rows() == before
