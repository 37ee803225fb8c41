"""Through a real waitress server (as pserve runs it): what WebTest cannot show, such as PEP 3333 header
rules that waitress enforces, chunked bodies and real client addresses for the scan limit."""
import http.client
import json

import pytest


def post(port, headers, body, chunked=False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/qr/codes", body=iter([body]) if chunked else body,
                           headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.msg, response.read()  # msg: case-insensitive headers
    finally:
        connection.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_a_body_over_10_mib_is_a_json_413_from_the_real_server(real_server, auth, count_rows, chunked):
    before = count_rows()
    body = b'{"data": "' + b"a" * (10 * 1024 * 1024) + b'"}'
    status, headers, raw = post(real_server, {**auth, "Content-Type": "application/json"}, body, chunked)
    assert status == 413, raw[:200]
    assert headers["Content-Type"] == "application/json" and headers["X-Request-Id"]
    assert set(json.loads(raw)) == {"error", "errors"}
    assert count_rows() == before


def test_rate_limit_headers_from_the_real_server(real_server, auth):
    status, headers, raw = post(real_server, {**auth, "Content-Type": "application/json"},
                                json.dumps({"data": "https://example.com/", "returnType": "svg"}).encode())
    assert status == 201, raw[:200]
    assert headers["RateLimit-Limit"] == "600" and int(headers["RateLimit-Remaining"]) < 600
