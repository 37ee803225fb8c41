"""Absolute URLs of the API and the dashboard come from the configured base, never from the Host header.

`Location` of a 201, the OpenAPI document's `servers` and the dashboard's 303s are absolute URLs, and
Pyramid builds them from `request.application_url`, i.e. from whatever `Host` the client sent. A
client (or a cache in front of us) could then be handed `http://evil.example/...`. The base is
`exaroutes.public_base` (default: `exaroutes.redirect_base`, the host printed codes point at).
Overriding `application_url` makes every `route_url` follow it, so no view can forget.
"""


def public_application_url(request):
    return request.registry.settings["exaroutes.public_base"]


def includeme(config):
    config.add_request_method(public_application_url, "application_url", property=True, reify=True)
