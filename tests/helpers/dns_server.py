"""A small authoritative DNS server on a loopback port (dnslib), so domain verification is tested
against real DNS answers over real UDP (and TCP), not a mocked resolver.

Tests publish and withdraw TXT records while it runs (`publish`, `withdraw`); names it does not
know answer NXDOMAIN, known names without TXT records answer NOERROR with no answers, as a real
authoritative server does. Run as a script it serves the TXT records of a JSON file, re-read on
every query, so a person can "publish" a record by editing the file (docs/domains.md):

    python -m tests.helpers.dns_server --port 5353 --records /tmp/records.json
    # /tmp/records.json: {"_exaroutes.qr.example.org": ["exaroutes-verify=..."]}
"""
import argparse
import json
import threading

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer

TTL = 60


class RecordsResolver(BaseResolver):
    """Answers TXT queries from `records()`: {name without trailing dot, lower case: [values]}."""

    def __init__(self, records):
        self.records = records
        self.queries = []           # (name, type) of every query, for tests that count lookups

    def resolve(self, request, handler):
        reply = request.reply()     # aa=1: we are the authority for every name we are asked
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append((name, QTYPE[request.q.qtype]))
        records = self.records()
        if name not in records:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if request.q.qtype in (QTYPE.TXT, QTYPE.ANY):
            for value in records[name]:
                # TXT strings are at most 255 bytes each; longer values are split, as zone files do.
                data = value.encode()
                chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, ttl=TTL, rdata=TXT(chunks)))
        return reply


class TestDnsServer:
    """UDP and TCP on one loopback port (kernel-chosen unless given); `nameserver` is the setting's value."""

    __test__ = False     # not a pytest test class despite its name

    def __init__(self, records=None, port=0):
        self._records = {}
        self._lock = threading.Lock()
        self.resolver = RecordsResolver(records or self.snapshot)
        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", logf=lambda _: None)
        for attempt in range(5):
            self.udp = DNSServer(self.resolver, address="127.0.0.1", port=port, logger=quiet)
            self.port = self.udp.server.server_address[1]
            try:       # the same number for TCP (truncated answers are retried over TCP)
                self.tcp = DNSServer(self.resolver, address="127.0.0.1", port=self.port, tcp=True, logger=quiet)
                break
            except OSError:
                self.udp.server.server_close()
                if port or attempt == 4:
                    raise
        self.nameserver = f"127.0.0.1:{self.port}"

    def snapshot(self):
        with self._lock:
            return {name: list(values) for name, values in self._records.items()}

    def publish(self, name, *values):
        """Add TXT values at `name` (appending to what is there); an empty call only creates the name."""
        with self._lock:
            self._records.setdefault(name.rstrip(".").lower(), []).extend(values)

    def clear(self):
        with self._lock:
            self._records.clear()
        self.resolver.queries.clear()

    def withdraw(self, name):
        with self._lock:
            self._records.pop(name.rstrip(".").lower(), None)

    def start(self):
        self.udp.start_thread()
        self.tcp.start_thread()
        return self

    def stop(self):
        for server in (self.udp, self.tcp):
            server.stop()
            server.server.server_close()


def records_from_file(path):
    def read():
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except (OSError, ValueError):
            return {}
        return {name.rstrip(".").lower(): [str(v) for v in values] for name, values in data.items()}
    return read


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve TXT records from a JSON file on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="UDP/TCP port (default: a free one)")
    parser.add_argument("--records", required=True, help='JSON file: {"name": ["txt value", ...]}')
    args = parser.parse_args(argv)
    server = TestDnsServer(records_from_file(args.records), port=args.port)
    server.start()
    print(f"serving TXT records of {args.records} on {server.nameserver} (udp+tcp)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
