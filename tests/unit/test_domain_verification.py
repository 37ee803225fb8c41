"""TXT verification for real: dnspython asks the suite's DNS server (tests/helpers/dns_server.py) over UDP."""
import socket

import pytest

from exaroutes.domains.verification import DnsSettings, check_txt, parse_nameservers

HOST = "qr.example.org"
NAME = "_exaroutes.qr.example.org"
TOKEN = "tok3n-Abc_123"


@pytest.fixture
def dns(dns_server):
    return DnsSettings(parse_nameservers(dns_server.nameserver), timeout=3.0)


def test_the_right_value_verifies(dns_server, dns):
    dns_server.publish(NAME, "google-site-verification=zzz", f"exaroutes-verify={TOKEN}")
    outcome = check_txt(dns, HOST, TOKEN)
    assert outcome.verified
    assert outcome.found == ("google-site-verification=zzz", f"exaroutes-verify={TOKEN}")
    assert (NAME, "TXT") in dns_server.resolver.queries


def test_a_wrong_value_is_reported_with_what_was_found(dns_server, dns):
    dns_server.publish(NAME, "exaroutes-verify=someone-elses")
    outcome = check_txt(dns, HOST, TOKEN)
    assert not outcome.verified
    assert "does not match" in outcome.message
    assert "'exaroutes-verify=someone-elses'" in outcome.message
    assert f"'exaroutes-verify={TOKEN}'" in outcome.message
    assert outcome.found == ("exaroutes-verify=someone-elses",)


def test_a_missing_name_is_nxdomain(dns_server, dns):
    outcome = check_txt(dns, HOST, TOKEN)
    assert not outcome.verified
    assert f"{NAME} does not exist" in outcome.message


def test_a_name_without_txt_records(dns_server, dns):
    dns_server.publish(NAME)
    outcome = check_txt(dns, HOST, TOKEN)
    assert not outcome.verified
    assert "without TXT records" in outcome.message


def test_a_record_that_appears_later_verifies_then(dns_server, dns):
    assert not check_txt(dns, HOST, TOKEN).verified
    dns_server.publish(NAME, f"exaroutes-verify={TOKEN}")
    assert check_txt(dns, HOST, TOKEN).verified
    assert dns_server.resolver.queries.count((NAME, "TXT")) == 2    # asked again, nothing cached


def test_a_long_value_split_into_strings_is_joined(dns_server, dns):
    long_token = "x" * 300              # over 255 bytes: the server sends two strings in one record
    dns_server.publish(NAME, f"exaroutes-verify={long_token}")
    assert check_txt(dns, HOST, long_token).verified


def test_many_values_are_quoted_briefly(dns_server, dns):
    dns_server.publish(NAME, *[f"v{i}-" + "y" * 150 for i in range(8)])
    message = check_txt(dns, HOST, TOKEN).message
    assert "and 3 more" in message
    assert "y" * 101 not in message


def test_a_silent_nameserver_times_out_with_a_sentence():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:    # bound, never answers
        silent.bind(("127.0.0.1", 0))
        dns = DnsSettings(((("127.0.0.1", silent.getsockname()[1])),), timeout=0.3)
        outcome = check_txt(dns, HOST, TOKEN)
    assert not outcome.verified
    assert "no answer within 0.3 s" in outcome.message


@pytest.mark.parametrize("text, parsed", [
    ("", ()),
    ("127.0.0.1", (("127.0.0.1", 53),)),
    ("127.0.0.1:5353, [::1]:5300, ::1, 9.9.9.9", (("127.0.0.1", 5353), ("::1", 5300), ("::1", 53), ("9.9.9.9", 53))),
])
def test_nameserver_setting(text, parsed):
    assert parse_nameservers(text) == parsed


@pytest.mark.parametrize("text", ["dns.example:53", "127.0.0.1:x", "127.0.0.1:0", "[::1]:70000"])
def test_bad_nameserver_setting_names_the_entry(text):
    with pytest.raises(ValueError, match="exaroutes.domains.nameservers"):
        parse_nameservers(text)
