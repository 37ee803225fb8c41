"""`/api/webhooks`: endpoints, their secrets, test events and the delivery log (DESIGN.md §6)."""
from exaroutes.api.openapi import responds
from exaroutes.api.responses import page_of
from exaroutes.api.service import Service
from exaroutes.api.validation import validate_request
from exaroutes.validation import raise_if
from exaroutes.auth import API_PERMISSION
from exaroutes.webhooks import service
from exaroutes.webhooks.schemas import (CreateEndpoint, Page, UpdateEndpoint, delivery_object, endpoint_object,
                                        secret_object)

JSON_ONLY = "application/json"

webhooks = Service(name="webhooks", path="/api/webhooks", description="Webhook endpoints of the workspace")
webhook = Service(name="webhook", path="/api/webhooks/{id}", description="One webhook endpoint")
webhook_rotate = Service(name="webhook_rotate", path="/api/webhooks/{id}/rotate-secret",
                         description="Replace an endpoint's signing secret")
webhook_test = Service(name="webhook_test", path="/api/webhooks/{id}/test",
                       description="Send a webhook.test event to one endpoint")
webhook_deliveries = Service(name="webhook_deliveries", path="/api/webhooks/{id}/deliveries",
                             description="The delivery log of one endpoint")
webhook_delivery_retry = Service(name="webhook_delivery_retry",
                                 path="/api/webhooks/{id}/deliveries/{deliveryId}/retry",
                                 description="Attempt one delivery again")


def valid_events(request, **kwargs):
    """Second validator: `events` is a list of known event types, each problem named `events[i]`."""
    body = request.validated.get("body") or {}
    if "events" in body:
        raise_if(service.event_errors(body["events"]))


def this_endpoint(request):
    return service.get_endpoint(request.dbsession, request.identity.workspace_id, request.matchdict["id"])


def page_json(query, page, total, next_cursor, present):
    return {"data": [present(item) for item in page],
            "pagination": {"total": total, "limit": query["limit"], "cursor": query["cursor"],
                           "nextCursor": next_cursor}}


@webhooks.post(schema=CreateEndpoint(), validators=(validate_request, valid_events), content_type=JSON_ONLY,
               permission=API_PERMISSION)
@responds({201: endpoint_object(with_secret=True)})
def webhooks_post(request):
    """Subscribe a URL to the workspace's events; the answer holds the signing secret, shown only here."""
    body = request.validated["body"]
    endpoint, secret = service.create_endpoint(
        request.dbsession, request.registry.settings, request.registry["webhooks.url_policy"],
        request.identity.workspace_id, body["url"], body["events"], body["description"])
    request.response.status_code = 201
    request.response.location = request.route_url("webhook", id=endpoint.public_id)
    return {**service.endpoint_json(endpoint), "secret": secret}


@webhooks.get(schema=Page(), validators=(validate_request,), permission=API_PERMISSION)
@responds({200: page_of("One page of webhook endpoints, newest first", endpoint_object())})
def webhooks_get(request):
    query = request.validated["querystring"]
    page = service.list_endpoints(request.dbsession, request.identity.workspace_id, query["limit"], query["cursor"])
    return page_json(query, *page, service.endpoint_json)


@webhook.get(permission=API_PERMISSION)
@responds({200: endpoint_object()})
def webhook_get(request):
    return service.endpoint_json(this_endpoint(request))


@webhook.put(schema=UpdateEndpoint(), validators=(validate_request, valid_events), content_type=JSON_ONLY,
             permission=API_PERMISSION)
@responds({200: endpoint_object()})
def webhook_put(request):
    """Change the URL, events, description or status (enabled/disabled) of an endpoint."""
    endpoint = this_endpoint(request)
    service.update_endpoint(request.dbsession, request.registry["webhooks.url_policy"], endpoint,
                            request.validated["body"])
    return service.endpoint_json(endpoint)


@webhook.delete(permission=API_PERMISSION)
@responds({204: None})
def webhook_delete(request):
    """Delete an endpoint; its pending deliveries are dropped."""
    service.delete_endpoint(request.dbsession, this_endpoint(request))
    request.response.status_code = 204
    request.response.content_type = None      # no body, so no media type
    return request.response


@webhook_rotate.post(permission=API_PERMISSION)
@responds({200: secret_object()})
def webhook_rotate_post(request):
    """A new signing secret; for 24 hours deliveries carry a second signature made with the old one."""
    return {"secret": service.rotate_secret(request.dbsession, request.registry.settings, this_endpoint(request))}


@webhook_test.post(permission=API_PERMISSION)
@responds({202: None, 409: "The endpoint is disabled."})
def webhook_test_post(request):
    """Queue a webhook.test event to this endpoint only; its delivery shows in the log."""
    endpoint = this_endpoint(request)
    service.send_test(request.dbsession, endpoint)
    request.response.status_code = 202
    request.response.content_type = None      # no body
    request.response.location = request.route_url("webhook_deliveries", id=endpoint.public_id)
    return request.response


@webhook_deliveries.get(schema=Page(), validators=(validate_request,), permission=API_PERMISSION)
@responds({200: page_of("One page of deliveries, newest first", delivery_object())})
def webhook_deliveries_get(request):
    query = request.validated["querystring"]
    page = service.list_deliveries(request.dbsession, this_endpoint(request), query["limit"], query["cursor"])
    return page_json(query, *page, service.delivery_json)


@webhook_delivery_retry.post(permission=API_PERMISSION)
@responds({202: None})
def webhook_delivery_retry_post(request):
    """Attempt a delivery once more, now (a failed one, or a replay of a delivered one)."""
    endpoint = this_endpoint(request)
    service.retry_delivery(request.dbsession, endpoint, request.matchdict["deliveryId"])
    request.response.status_code = 202
    request.response.content_type = None      # no body
    request.response.location = request.route_url("webhook_deliveries", id=endpoint.public_id)
    return request.response
