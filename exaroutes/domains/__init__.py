"""Custom domains (DESIGN.md §8): a workspace prints codes on its own hostname, proven by a DNS TXT
record, and the redirect answers each code only on the host it was printed for."""


def includeme(config):
    """The DNS settings, the per-process verified-host cache and host rule, and the routes.

    Imported here, not at the top: `exaroutes.models` imports `exaroutes.domains.models`, which
    runs this package's __init__ first; top-level imports of the service would go round in a circle.
    """
    from exaroutes.domains.hosts import HostRule, VerifiedHosts
    from exaroutes.domains.verification import DnsSettings

    settings = config.get_settings()
    registry = config.registry
    registry["dns_settings"] = DnsSettings.from_settings(settings)   # a bad nameserver fails at start
    registry["verified_hosts"] = VerifiedHosts(registry["dbsession_factory"],
                                               ttl=settings["exaroutes.scan.code_cache_seconds"])
    registry["host_rule"] = HostRule(settings["exaroutes.redirect_base"], registry["verified_hosts"])
    config.scan(".api")
    config.include(".views")      # GET /internal/domains/allowed, for the TLS proxy
