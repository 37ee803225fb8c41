"""What each data type's scan answer costs, next to the `url` redirect measured in the same run.

Run by hand (numbers go to BENCHMARKS.md, never into a timed test):

    .venv/bin/python scripts/bench/scan_answers.py [--rounds 400]

The whole app (pyramid_tm, SQLite file database, scan recording) answers `GET /r/{id}` in process
through WebTest, one code per data type; the types take turns within every round so that load from
other processes on the machine spreads evenly over them. Reported: median and 95th percentile in
microseconds per request, and the median relative to `url`. A second table times the data type's
`scan_response` alone (no database, no transaction): what a type adds to the hot path itself.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pyramid.request import Request

from exaroutes.models import QrCode
from harness import app_client

CODES = {
    "url": "https://example.com/spring",
    "email": {"to": "anna@example.com", "subject": "Hello", "body": "Two\nlines"},
    "phone": "+49 30 1234567",
    "sms": {"number": "+44 7700 900123", "message": "Hi there"},
    "geo": {"latitude": 48.2082, "longitude": 16.3738},
    "text": "A short text shown on the page, with <escaping> & 東京.",
    "wifi": {"ssid": "Café", "password": "correct horse", "encryption": "WPA"},
    "vcard": {"firstName": "Zoë", "lastName": "Doe", "phone": "+1 555 0100", "email": "zoe@example.com",
              "note": "Met at the fair"},
}


def time_answers_alone(registry, rounds):
    """µs per `scan_response` call, with a real request bound to the app's registry (routes, static)."""
    timings = {}
    for data_type, data in CODES.items():
        datatype = registry["datatypes"][data_type]
        value = datatype.schema.deserialize(data)
        code = QrCode(short_id="Ab3xK9pQ", data_type=data_type, data=value, destination=datatype.destination(value))
        request = Request.blank("/r/Ab3xK9pQ")
        request.registry = registry
        start = time.perf_counter()
        for _ in range(rounds):
            datatype.scan_response(request, code)
        timings[data_type] = (time.perf_counter() - start) / rounds * 1e6
    return timings


def report(title, medians, p95s=None):
    print(f"\n{title}\n{'dataType':8} {'µs':>10} {'p95 µs':>8} {'vs url':>7}")
    for data_type, median in medians.items():
        p95 = f"{p95s[data_type]:8.0f}" if p95s else f"{'-':>8}"
        print(f"{data_type:8} {median:10.1f} {p95} {median / medians['url']:7.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        testapp, key = app_client(f"sqlite:///{Path(directory) / 'bench.sqlite'}",
                                  {"exaroutes.redirect_base": "http://127.0.0.1", "exaroutes.secret": "bench"})
        auth = {"Authorization": f"Bearer {key}"}
        paths = {}
        for data_type, data in CODES.items():
            code = testapp.post_json("/api/qr/codes", {"dataType": data_type, "data": data}, headers=auth).json
            paths[data_type] = f"/r/{code['id']}"
        timings = {data_type: [] for data_type in CODES}
        for round_ in range(args.rounds + 20):
            for data_type, path in paths.items():
                start = time.perf_counter()
                testapp.get(path, status="*")
                elapsed = time.perf_counter() - start
                if round_ >= 20:                     # the first rounds warm caches up
                    timings[data_type].append(elapsed * 1e6)
        alone = time_answers_alone(testapp.app.registry, args.rounds * 10)
    report("GET /r/{id} through the whole app (SQLite, scan recorded), median",
           {t: statistics.median(v) for t, v in timings.items()},
           {t: statistics.quantiles(v, n=20)[-1] for t, v in timings.items()})
    report("scan_response alone (mean per call)", alone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
