"""Adding custom domains in tests the way a customer does: POST, publish the TXT record, verify."""


def add_domain(testapp, auth, hostname, status=201):
    return testapp.post_json("/api/domains", {"hostname": hostname}, headers=auth, status=status)


def publish(dns_server, domain):
    """Publish the TXT record the API asked for in the suite's DNS server."""
    record = domain["verification"]
    dns_server.publish(record["name"], record["value"])


def add_verified_domain(testapp, auth, dns_server, hostname):
    domain = add_domain(testapp, auth, hostname).json
    publish(dns_server, domain)
    return testapp.post(f"/api/domains/{domain['hostname']}/verify", headers=auth).json
