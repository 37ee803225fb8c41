"""Hostname rules of custom domains: the stored ASCII form, and every kind of input that is refused."""
import pytest

from exaroutes.domains.hostnames import InvalidHostname, normalize_hostname, request_hostname, unicode_hostname


@pytest.mark.parametrize("given, stored", [
    ("qr.example.org", "qr.example.org"),
    ("QR.Example.ORG", "qr.example.org"),
    ("qr.example.org.", "qr.example.org"),                 # the root label is implied
    ("bücher.example", "xn--bcher-kva.example"),
    ("xn--bcher-kva.example", "xn--bcher-kva.example"),    # the ASCII form is the same domain
    ("faß.de", "xn--fa-hia.de"),                           # IDNA 2008, not 2003's "fass.de"
    ("ＱＲ．example．org", "qr.example.org"),                # UTS 46 maps full-width forms
    ("a-b.c-d.example", "a-b.c-d.example"),
])
def test_accepted_hostnames_are_stored_in_ascii(given, stored):
    assert normalize_hostname(given) == stored


@pytest.mark.parametrize("given, reason", [
    ("https://qr.example.org", "scheme"),
    ("qr.example.org/r/x", "path"),
    ("qr.example.org?x=1", "path"),
    ("qr.example.org:8443", "port"),
    ("192.0.2.1", "IP address"),
    ("2001:db8::1", "IP address"),
    ("[2001:db8::1]", "IP address"),
    ("localhost", "single label"),
    ("intranet", "single label"),
    ("app.localhost", "localhost"),
    ("1.2.3.999", "number"),
    ("a_b.example.org", "not a valid hostname"),
    ("*.example.org", "not a valid hostname"),
    ("example..org", "not a valid hostname"),
    ("-x.example.org", "not a valid hostname"),
    ("qr example.org", "not a valid hostname"),
    ("", "empty"),
    ("x" * 301, "longer than"),
    (("a" * 60 + ".") * 4 + "example", "too long"),
    ("a" * 64 + ".example.org", "not a valid hostname"),
])
def test_refused_hostnames_say_why(given, reason):
    with pytest.raises(InvalidHostname, match=reason):
        normalize_hostname(given)


def test_the_services_own_host_and_its_subdomains_are_reserved():
    for name in ("qr.exaroutes.test", "x.qr.exaroutes.test", "QR.exaroutes.test."):
        with pytest.raises(InvalidHostname, match="belongs to the service"):
            normalize_hostname(name, reserved_host="qr.exaroutes.test")
    assert normalize_hostname("exaroutes.test", reserved_host="qr.exaroutes.test") == "exaroutes.test"


def test_non_strings_are_refused():
    with pytest.raises(InvalidHostname, match="string"):
        normalize_hostname(42)


def test_unicode_form_for_display():
    assert unicode_hostname("xn--bcher-kva.example") == "bücher.example"
    assert unicode_hostname("qr.example.org") == "qr.example.org"


@pytest.mark.parametrize("header, host", [
    ("qr.example.org", "qr.example.org"),
    ("QR.Example.org:443", "qr.example.org"),
    ("qr.example.org.", "qr.example.org"),
    ("qr.example.org.:8080", "qr.example.org"),
    ("[::1]:6543", "[::1]"),
    ("", ""),
    ("bücher.example", ""),          # not what a client sends; matches no stored (ASCII) domain
])
def test_request_hostname(header, host):
    assert request_hostname(header) == host
