"""The OpenAPI 3.1 document is generated from what runs: every service, schema field and plugin, nothing else."""
import colander
import cornice
import cornice.service
from pyramid.config import Configurator
from pyramid.interfaces import IRoutesMapper

from exaroutes.schemas.design import CreateCodeBody
from exaroutes.api.openapi import openapi_document, responds
from exaroutes.schemas.types import StrictInteger
from exaroutes.settings import load_settings


def document_of_an_app_with(service):
    """The document of a small app that has our plugins and this one Cornice service."""
    with Configurator(settings=load_settings({"sqlalchemy.url": "sqlite://"})) as config:
        config.include("cornice")
        config.include("exaroutes.plugins")
        config.add_cornice_service(service)
        config.commit()
        return openapi_document(config.registry)


def test_served_without_a_key_and_lists_every_api_route(testapp, app):
    document = testapp.get("/api/openapi.json").json
    assert document["openapi"] == "3.1.0"
    routes = {r.pattern for r in app.registry.getUtility(IRoutesMapper).get_routes()}
    services = {s.path for s in cornice.service.get_services() if s.path in routes}
    assert set(document["paths"]) == services
    assert all("head" not in item for item in document["paths"].values())
    assert document["servers"] == [{"url": "http://localhost"}]


def test_request_schemas_come_from_colander_and_the_plugins(testapp, app):
    document = testapp.get("/api/openapi.json").json
    body = document["paths"]["/api/qr/codes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["properties"]) == {child.name for child in CreateCodeBody().children}
    assert body["required"] == ["data"] and body["additionalProperties"] is False
    assert {"type": "integer", "minimum": 64, "maximum": 4096}.items() <= body["properties"]["size"].items()
    assert body["properties"]["dataType"]["enum"] == sorted(app.registry["datatypes"])
    assert body["properties"]["returnType"]["enum"] == sorted(app.registry["renderers"])
    refs = {ref["$ref"].rsplit("/", 1)[1] for ref in body["properties"]["data"]["anyOf"]}
    assert refs == {f"data.{name}" for name in app.registry["datatypes"]}
    assert document["components"]["schemas"]["data.url"]["format"] == "uri"
    query = {p["name"]: p for p in document["paths"]["/api/qr/codes"]["get"]["parameters"]}
    assert set(query) == {"limit", "cursor", "type", "status"} and query["limit"]["schema"]["maximum"] == 100
    post = document["paths"]["/api/qr/codes"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert post["security"] == [{"bearer": []}]
    assert {"201", "400", "401", "413", "415", "422", "429"} <= set(post["responses"])


def test_a_new_service_appears_without_touching_the_generator():
    """Another engineer's endpoint: a Cornice service with a colander schema and a declared response."""
    widgets = cornice.Service(name="test_widgets", path="/api/test-widgets/{widgetId}")
    stray = cornice.Service(name="test_stray", path="/api/not-in-this-app")

    class WidgetBody(colander.MappingSchema):
        count = colander.SchemaNode(StrictInteger(), validator=colander.Range(1, 9))

    class Widget(colander.MappingSchema):
        body = WidgetBody()

    @widgets.post(schema=Widget(), content_type="application/json")
    @responds({202: colander.SchemaNode(colander.Mapping(), description="accepted")})
    def widgets_post(request):
        """Queue widgets."""
        return {}

    try:
        document = document_of_an_app_with(widgets)
    finally:
        for service in (widgets, stray):
            cornice.service.SERVICES.remove(service)
    assert set(document["paths"]) == {"/api/test-widgets/{widgetId}"}  # the stray service is not this app's
    operation = document["paths"]["/api/test-widgets/{widgetId}"]["post"]
    assert operation["operationId"] == "test_widgets_post" and operation["summary"] == "Queue widgets."
    assert operation["parameters"] == [{"name": "widgetId", "in": "path", "required": True,
                                        "schema": {"type": "string"}}]
    count = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["count"]
    assert count == {"type": "integer", "minimum": 1, "maximum": 9}
    assert operation["responses"]["202"]["description"] == "accepted"
    assert operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_the_docs_page_renders_the_document_with_our_own_assets(testapp):
    page = testapp.get("/api/docs")
    assert page.content_type == "text/html" and 'data-spec="/api/openapi.json"' in page.text
    script = testapp.get("/api/docs/assets/docs.js")
    assert "fetch(" in script.text and "innerHTML" not in script.text
    assert testapp.get("/api/docs/assets/docs.css").content_type == "text/css"


def test_the_docs_page_lists_every_operation_of_the_document(testapp):
    """The index is written by the server, so this holds without running the script (the browser test
    checks that the script renders every operation under the anchor the index links to)."""
    document = testapp.get("/api/openapi.json").json
    page = testapp.get("/api/docs")
    listed = {(a.select_one(".method").text, a.select_one(".path").text, a["href"])
              for a in page.html.select("nav#operations a")}
    expected = {(method.upper(), path, f"#{operation['operationId']}")
                for path, item in document["paths"].items() for method, operation in item.items()}
    assert listed == expected and len(expected) >= 10
    assert "box.id = op.operationId" in testapp.get("/api/docs/assets/docs.js").text


def test_a_view_without_declared_answers_is_documented_as_some_success():
    bare = cornice.Service(name="test_bare", path="/api/test-bare")

    @bare.get()
    def bare_get(request):
        return {}

    try:
        document = document_of_an_app_with(bare)
    finally:
        cornice.service.SERVICES.remove(bare)
    responses = document["paths"]["/api/test-bare"]["get"]["responses"]
    assert "2XX" in responses and "content" not in responses["2XX"]
    assert responses["404"]["headers"]["X-Request-Id"]["required"] is True


def test_every_operation_declares_its_success_and_the_merged_fields_are_documented(testapp):
    """No operation is left as an undeclared 2XX; protections' and analytics' fields are in the schemas."""
    document = testapp.get("/api/openapi.json").json
    for path, item in document["paths"].items():
        for method, operation in item.items():
            successes = [status for status in operation["responses"] if status.startswith("2")]
            assert successes and "2XX" not in successes, (method, path)
    paths = document["paths"]
    code = paths["/api/qr/codes/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"expiresAt", "maxScans"} <= set(code["required"])
    assert {"type": "null"} in code["properties"]["maxScans"]["anyOf"]
    analytics = paths["/api/qr/codes/{id}/analytics"]["get"]["responses"]["200"]["content"]["application/json"]
    breakdowns = {"countries": "country", "devices": "device", "os": "os", "browsers": "browser",
                  "referrers": "referrer"}
    for name, key in breakdowns.items():
        assert analytics["schema"]["properties"][name]["items"]["required"] == [key, "scans"]
    bulk = paths["/api/qr/codes/bulk"]["post"]
    items = bulk["requestBody"]["content"]["application/json"]["schema"]
    assert (items["minItems"], items["maxItems"]) == (1, 1000) and "minLength" not in items
    assert "password" not in items["items"]["properties"]
    assert bulk["responses"]["202"]["headers"]["Location"]["required"] is True
    put = paths["/api/qr/codes/{id}"]["put"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {"type": "null"} in put["expiresAt"]["anyOf"] and {"type": "null"} in put["maxScans"]["anyOf"]
    create = paths["/api/qr/codes"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert create["maxScans"]["minimum"] == 1 and create["maxScans"]["maximum"] == 2**31 - 1
    assert create["expiresAt"]["format"] == "date-time" and "anyOf" not in create["expiresAt"]
