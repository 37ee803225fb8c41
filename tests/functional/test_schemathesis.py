"""Schema-driven fuzzing: schemathesis reads /api/openapi.json from the live app (WSGI) and calls every
operation with generated valid and invalid requests, on SQLite and PostgreSQL.

For every response: never a 5xx, the status is one the document lists, the Content-Type is the one it
lists, the body matches its schema (so every error body has the `Error` shape) and the headers it
marks required are there (X-Request-Id, WWW-Authenticate on 401, Retry-After on 429). The number of
examples is bounded so the suite stays fast (EXAROUTES_FUZZ_EXAMPLES raises it for a deeper run).

The generated `uri` and `date-time` strings come from tests/helpers/hostile_strategies.py: the classes the
2026-12 security review found by hand (NUL, lone surrogates, bidi and invisible characters, IDN and
emoji hosts, offsets that overflow UTC), which schemathesis' own generators never produced. The
generated cases run with rate limits off, so none of them is answered 429 instead of being tried.
"""
import os
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from exaroutes import main
from exaroutes.codes.analytics import BREAKDOWNS
from tests.helpers.agents import IPHONE
from tests.helpers.bulk import all_codes, check_archive, drain
from tests.helpers.hostile_strategies import hostile_timestamp, hostile_url
from tests.helpers.http import scan
from tests.helpers.qr_decode import decode_any, decode_data_uri

MAX_EXAMPLES = int(os.environ.get("EXAROUTES_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


# The document as the app serves it; it depends on the installed plugins, not on the database, so
# one app without a database connection serves it, and each test calls the real app of its backend.
# Its job queue lives in a temp dir, so importing this module writes nothing in the checkout.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", main({}, **{
    "sqlalchemy.url": "sqlite://",
    "exaroutes.jobs.url": f"sqlite:///{tempfile.mkdtemp(prefix='exaroutes-openapi-')}/jobs.sqlite"}))
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
schemathesis.openapi.format("uri", hostile_url(surrogates_too=False))  # see hostile_text
schemathesis.openapi.format("date-time", hostile_timestamp())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_as_documented(case, unlimited_app, auth):
    case.call_and_validate(app=unlimited_app, headers=auth, checks=CHECKS)


def media_type(response):
    """The Content-Type without parameters (schemathesis keeps each header as a list)."""
    value = {name.lower(): values for name, values in response.headers.items()}["content-type"]
    return (value[0] if isinstance(value, list) else value).split(";")[0]


def check(app, auth, path, method, status, body=None, **case):
    """One call through schemathesis with every check; the status must be the one this step expects."""
    operation = schema[path][method]
    if body is not None:
        case.update(body=body, media_type="application/json")
    response = operation.Case(**case).call_and_validate(app=app, headers=auth, checks=CHECKS)
    assert response.status_code == status, (method, path, response.status_code, response.text[:300])
    return response


def test_every_operation_answers_real_resources_as_documented(app, auth, testapp, queue, quick_password_hashes,
                                                              monkeypatch, dns_server):
    """Generated ids are almost never real, so each operation is also called once on real codes and a real
    bulk job, in the states that give its documented answers: every success, and 409/410 where they exist."""
    called = set()

    def call(path, method, status, body=None, **case):
        called.add((path, method))
        return check(app, auth, path, method, status, body, **case)

    limits = {"expiresAt": "2099-01-01T00:00:00Z", "maxScans": 1000}
    code = call("/api/qr/codes", "POST", 201, {"data": "https://example.com/", "returnType": "svg", **limits}).json()
    assert code["expiresAt"] == "2099-01-01T00:00:00.000Z" and code["maxScans"] == 1000
    locked = call("/api/qr/codes", "POST", 201, {"data": "https://example.com/p", "password": "open sesame",
                                                 "encrypt": True}).json()
    assert sorted(locked["secure"]) == ["encrypt", "password"] and locked["encrypted"] is True
    by_id = {"path_parameters": {"id": code["id"]}}
    call("/api/qr/codes/{id}", "GET", 200, **by_id)
    image = call("/api/qr/codes/{id}/image", "GET", 200, **by_id)
    assert decode_any(image.content, "image/svg+xml") == [code["redirectUrl"]]
    pdf = call("/api/qr/codes", "POST", 201, {"data": "https://example.com/pdf", "returnType": "pdf"}).json()
    image = call("/api/qr/codes/{id}/image", "GET", 200, path_parameters={"id": pdf["id"]})
    assert media_type(image) == "application/pdf"  # a plugin's format is documented too
    assert decode_any(image.content, "application/pdf") == [pdf["redirectUrl"]]
    call("/api/qr/codes/{id}", "PUT", 409, {"status": "inactive"}, path_parameters={"id": locked["id"]})
    call("/api/qr/codes", "GET", 200, query={"limit": 1})
    static = call("/api/qr/static", "POST", 200, {"dataType": "text", "data": "hello"}).json()
    assert decode_data_uri(static["image"]) == ["hello"]

    for address, agent, referer in (("8.8.8.8", IPHONE, "https://news.example.org/a"), ("1.1.1.1", IPHONE, None)):
        scan(testapp, code["id"], address, agent, referer)
    analytics = call("/api/qr/codes/{id}/analytics", "GET", 200, query={"days": 7}, **by_id).json()
    assert analytics["totalScans"] == 2 and all(analytics[name] for name in BREAKDOWNS)
    updated = call("/api/qr/codes/{id}", "PUT", 200, {"destination": "https://example.com/new", "maxScans": None},
                   **by_id).json()
    assert updated["maxScans"] is None

    job = call("/api/qr/codes/bulk", "POST", 202, [{"data": "https://example.com/bulk", "returnType": "svg"}]).json()
    by_job = {"path_parameters": {"bulkId": job["bulkId"]}}
    assert call("/api/qr/codes/bulk/{bulkId}", "GET", 200, **by_job).json()["status"] == "queued"
    call("/api/qr/codes/bulk/{bulkId}/result", "GET", 409, **by_job)
    drain(queue)
    assert call("/api/qr/codes/bulk/{bulkId}", "GET", 200, **by_job).json()["completedAt"] is not None
    archive = call("/api/qr/codes/bulk/{bulkId}/result", "GET", 200, **by_job)
    check_archive(archive.content, ["https://example.com/bulk"], all_codes(testapp, auth))
    call("/api/qr/codes/bulk/{bulkId}/result", "GET", 410, **by_job)

    # Webhooks, under the production URL policy: https to a public address (a name this test resolves).
    monkeypatch.setattr(app.registry["webhooks.url_policy"], "resolve", lambda host, port: ["93.184.215.14"])
    hook = call("/api/webhooks", "POST", 201, {"url": "https://hooks.example.test/in", "events": ["qr.updated"]}).json()
    by_hook = {"path_parameters": {"id": hook["id"]}}
    call("/api/webhooks", "GET", 200, query={"limit": 1})
    call("/api/webhooks/{id}", "GET", 200, **by_hook)
    call("/api/webhooks/{id}", "PUT", 200, {"description": "CRM"}, **by_hook)
    assert call("/api/webhooks/{id}/rotate-secret", "POST", 200, **by_hook).json()["secret"] != hook["secret"]
    call("/api/webhooks/{id}/test", "POST", 202, **by_hook)
    (delivery,) = call("/api/webhooks/{id}/deliveries", "GET", 200, **by_hook).json()["data"]
    call("/api/webhooks/{id}/deliveries/{deliveryId}/retry", "POST", 202,
         path_parameters={"id": hook["id"], "deliveryId": delivery["id"]})
    call("/api/webhooks/{id}", "PUT", 200, {"status": "disabled"}, **by_hook)
    call("/api/webhooks/{id}/test", "POST", 409, **by_hook)
    call("/api/webhooks/{id}", "DELETE", 204, **by_hook)

    # Custom domains, verified against the suite's DNS server; a code on the domain keeps it.
    domain = call("/api/domains", "POST", 201, {"hostname": "qr.example.org"}).json()
    by_host = {"path_parameters": {"hostname": domain["hostname"]}}
    call("/api/domains/{hostname}/verify", "POST", 409, **by_host)
    dns_server.publish(domain["verification"]["name"], domain["verification"]["value"])
    assert call("/api/domains/{hostname}/verify", "POST", 200, **by_host).json()["status"] == "verified"
    call("/api/domains", "GET", 200, query={"limit": 1})
    call("/api/domains/{hostname}", "GET", 200, **by_host)
    printed = call("/api/qr/codes", "POST", 201, {"data": "https://example.com/d", "domain": "qr.example.org"}).json()
    assert printed["redirectUrl"] == f"https://qr.example.org/r/{printed['id']}"
    call("/api/domains/{hostname}", "DELETE", 409, **by_host)
    call("/api/domains", "POST", 201, {"hostname": "spare.example.org"})
    call("/api/domains/{hostname}", "DELETE", 204, path_parameters={"hostname": "spare.example.org"})

    documented = {(path, method.upper()) for path, item in testapp.get("/api/openapi.json").json["paths"].items()
                  for method in item}
    assert called == documented
