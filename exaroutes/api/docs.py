"""`GET /api/openapi.json` and `GET /api/docs`: the generated document and a page that renders it.

No auth (DESIGN.md §1.3) and no CDN: the page's script and stylesheet are served by the app itself,
and the page has no inline script, so its Content-Security-Policy can forbid every other source.
The index of operations is written by the server (escaped), so the page lists every endpoint even
without the script, and the script renders each operation under the anchor the index links to.
"""
import copy
import html

from pyramid.httpexceptions import HTTPMethodNotAllowed
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED

from exaroutes.api.openapi import openapi_document

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ExaRoutes API</title>
<link rel="stylesheet" href="{assets}/docs.css">
<script src="{assets}/docs.js" defer></script>
</head><body>
<nav id="operations" aria-label="Operations"><h2>Operations</h2><ul>
{index}</ul></nav>
<main id="docs" data-spec="{spec}"><h1>ExaRoutes API</h1><p>Loading the OpenAPI document…</p></main>
</body></html>
"""
INDEX_ENTRY = ('<li><a href="#{anchor}"><span class="method">{method}</span> <span class="path">{path}</span></a>'
               ' {summary}</li>\n')


def cached_document(registry):
    if "openapi.document" not in registry:  # plugins and services are fixed once the app runs
        registry["openapi.document"] = openapi_document(registry)
    return registry["openapi.document"]


def openapi_view(request):
    document = copy.copy(cached_document(request.registry))
    document["servers"] = [{"url": request.application_url}]
    return document


def operation_index(document):
    """One escaped line per operation, linking to where docs.js renders it (id = operationId)."""
    return "".join(INDEX_ENTRY.format(anchor=html.escape(op["operationId"]), method=method.upper(),
                                      path=html.escape(path), summary=html.escape(op.get("summary", "")))
                   for path, item in document["paths"].items() for method, op in item.items())


def docs_view(request):
    assets = request.static_path("exaroutes.api:docs_assets/").rstrip("/")
    page = DOCS_PAGE.format(assets=assets, spec=request.route_path("openapi"),
                            index=operation_index(cached_document(request.registry)))
    return Response(page, content_type="text/html", charset="utf-8")


def read_only(request):
    """Any other method on the document routes: 405 naming the allowed ones, not a 404."""
    raise HTTPMethodNotAllowed(headers={"Allow": "GET, HEAD"})


def includeme(config):
    config.add_route("openapi", "/api/openapi.json")
    config.add_view(read_only, route_name="openapi", permission=NO_PERMISSION_REQUIRED)
    config.add_view(openapi_view, route_name="openapi", renderer="json", permission=NO_PERMISSION_REQUIRED,
                    request_method=("GET", "HEAD"))
    config.add_route("docs", "/api/docs")
    config.add_view(read_only, route_name="docs", permission=NO_PERMISSION_REQUIRED)
    config.add_view(docs_view, route_name="docs", permission=NO_PERMISSION_REQUIRED,
                    request_method=("GET", "HEAD"))
    config.add_static_view("api/docs/assets", "exaroutes.api:docs_assets", cache_max_age=3600)
