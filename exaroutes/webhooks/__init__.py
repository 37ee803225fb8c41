"""Webhooks: workspace events delivered, signed per Standard Webhooks, to the customer's URLs (DESIGN.md §6).

models (endpoints, the outbox of deliveries), outbox (writing events in their cause's transaction),
delivery (the huey tasks that send them), signing, ssrf (which URLs may be called), transport (the
HTTP POST), service (endpoint management for the API and dashboard), api (the Cornice services).
"""


def includeme(config):
    from exaroutes.webhooks.delivery import WebhookSettings
    from exaroutes.webhooks.ssrf import UrlPolicy

    settings = config.get_settings()
    config.registry["webhooks.settings"] = WebhookSettings(settings)
    config.registry["webhooks.url_policy"] = UrlPolicy.from_settings(settings)
    config.scan(".api")
