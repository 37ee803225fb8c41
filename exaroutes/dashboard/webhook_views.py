"""The Webhooks page: subscribe a URL (the secret shown once), events, status, the delivery log, retry, test.

Every action calls exaroutes.webhooks.service, the same functions the API's views call, so the
dashboard checks a URL (SSRF policy), stores the secret encrypted and queues deliveries exactly as
`/api/webhooks` does. A refused form is shown again with its errors; nothing is stored.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from exaroutes.dashboard.pages import require_user, template
from exaroutes.errors import ApiError
from exaroutes.webhooks import service
from exaroutes.webhooks.outbox import EVENT_TYPES

LOG_PAGE = 25
MAX_DESCRIPTION = 500


def list_page(request, user, form=None, errors=None, status=200):
    endpoints, _, _ = service.list_endpoints(request.dbsession, user.workspace_id, 100)
    response = render_to_response(template("webhooks.jinja2"), {
        "endpoints": [service.endpoint_json(e) for e in endpoints], "event_types": EVENT_TYPES,
        "form": form or {"url": "", "events": [], "description": ""}, "errors": errors or {},
    }, request=request)
    response.status_code = status
    return response


def endpoint_page(request, user, endpoint, secret=None):
    """The endpoint, its log (newest first, `?cursor=` pages on) and, right after creation or rotation, its secret."""
    cursor = request.GET.get("cursor", "0")
    try:
        log, total, next_cursor = service.list_deliveries(request.dbsession, endpoint, LOG_PAGE, cursor)
    except ApiError:
        log, total, next_cursor = service.list_deliveries(request.dbsession, endpoint, LOG_PAGE)
    return render_to_response(template("webhook.jinja2"), {
        "endpoint": service.endpoint_json(endpoint), "secret": secret, "event_types": EVENT_TYPES,
        "deliveries": [service.delivery_json(d) for d in log], "total": total, "next_cursor": next_cursor,
    }, request=request)


def form_errors(error):
    """{field: message} of an ApiError about fields (`events[1]` is shown on `events`)."""
    return {e["name"].split("[")[0]: e["description"] for e in error.errors} or {"url": error.message}


def this_endpoint(request, user):
    return service.get_endpoint(request.dbsession, user.workspace_id, request.matchdict["id"])


def back_to(request, endpoint_id):
    return HTTPSeeOther(location=request.route_url("dashboard_webhook", id=endpoint_id))


@view_config(route_name="dashboard_webhooks", request_method="GET")
def webhooks_get(request):
    return list_page(request, require_user(request))


@view_config(route_name="dashboard_webhooks", request_method="POST", require_csrf=True)
def webhooks_post(request):
    """Subscribe; the answer is the endpoint's page with its secret, the only time it is shown."""
    user = require_user(request)
    form = {"url": request.POST.get("url", "").strip(), "events": request.POST.getall("events"),
            "description": request.POST.get("description", "").strip()}
    errors = {name: message for name, message in (
        ("events", "; ".join(e["description"] for e in service.event_errors(form["events"]))),
        ("description", len(form["description"]) > MAX_DESCRIPTION and f"at most {MAX_DESCRIPTION} characters"),
        ("url", not form["url"] and "the URL to send events to is required"),
    ) if message}
    if errors:
        return list_page(request, user, form, errors, status=422)
    try:
        endpoint, secret = service.create_endpoint(
            request.dbsession, request.registry.settings, request.registry["webhooks.url_policy"], user.workspace_id,
            form["url"], form["events"], form["description"])
    except ApiError as error:
        if error.status != 422:
            raise
        return list_page(request, user, form, form_errors(error), status=422)
    return endpoint_page(request, user, endpoint, secret=secret)


@view_config(route_name="dashboard_webhook", request_method="GET")
def webhook_get(request):
    user = require_user(request)
    return endpoint_page(request, user, this_endpoint(request, user))


@view_config(route_name="dashboard_webhook_action", request_method="POST", require_csrf=True)
def webhook_action_post(request):
    """status (enable/disable), test, rotate (shows the new secret once), delete."""
    user = require_user(request)
    endpoint = this_endpoint(request, user)
    action = request.matchdict["action"]
    if action == "status":
        status = request.POST.get("status")
        if status in service.STATUSES:
            service.update_endpoint(request.dbsession, request.registry["webhooks.url_policy"], endpoint,
                                    {"status": status})
    elif action == "test":
        service.send_test(request.dbsession, endpoint)
    elif action == "rotate":
        secret = service.rotate_secret(request.dbsession, request.registry.settings, endpoint)
        return endpoint_page(request, user, endpoint, secret=secret)
    elif action == "delete":
        service.delete_endpoint(request.dbsession, endpoint)
        return HTTPSeeOther(location=request.route_url("dashboard_webhooks"))
    else:
        raise ApiError(404, "There is no such action.")
    return back_to(request, endpoint.public_id)


@view_config(route_name="dashboard_webhook_retry", request_method="POST", require_csrf=True)
def webhook_retry_post(request):
    user = require_user(request)
    endpoint = this_endpoint(request, user)
    service.retry_delivery(request.dbsession, endpoint, request.matchdict["deliveryId"])
    return back_to(request, endpoint.public_id)
