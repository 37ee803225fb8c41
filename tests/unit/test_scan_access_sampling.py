"""Sampled scan lines in the access log: one in N logged, every other one counted exactly."""
import logging

from exaroutes.edge.access_log import ScanSampler
from exaroutes.edge.paths import is_scan as is_scan_path


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_one_in_n_scans_is_logged_and_the_rest_are_summed_exactly(caplog):
    clock = Clock()
    sampler = ScanSampler(every=3, interval=60, clock=clock)
    with caplog.at_level(logging.INFO, logger="exaroutes.access"):
        logged = [sampler.wanted("302") for _ in range(7)]
        assert sampler.wanted("404") and sampler.wanted("503")     # never sampled away
        clock.now += 61
        assert sampler.wanted("302") is False                      # the 8th: counted, and the summary is due
    assert logged == [False, False, True, False, False, True, False]
    assert [r.getMessage() for r in caplog.records] == ["scans not logged in 61 s: 302=6"]


def test_sampling_off_logs_every_scan():
    sampler = ScanSampler(every=1)
    assert all(sampler.wanted("302") for _ in range(5))


def test_only_the_scan_route_is_sampled():
    assert is_scan_path("/r/Ab3xK9pQ")
    assert not is_scan_path("/r/Ab3xK9pQ/contact.vcf")
    assert not is_scan_path("/api/qr/codes")
