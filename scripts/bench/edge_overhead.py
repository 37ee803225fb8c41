"""What the API-surface layer costs on the redirect hot path and on an API read, in-process (no network).

Runs the same requests against two apps on one SQLite file, in the same run (the machine is shared and
noisy, so only the comparison means something): the scan and API limits off, and on (counted in
memory, or in Redis with --redis URL). Both apps have the access log and the other edge layers.
Usage: .venv/bin/python scripts/bench/edge_overhead.py [--requests 3000] [--redis redis://127.0.0.1:6379/8]
"""
import argparse
import logging
import statistics
import tempfile
import time

import webtest

from exaroutes import main as make_app
from harness import migrated_database


def build(database_url, engine, storage, limits):
    settings = {"sqlalchemy.url": database_url, "exaroutes.redirect_base": "http://bench.test",
                "exaroutes.rate_limit.storage_url": storage,
                "exaroutes.rate_limit.api": limits, "exaroutes.rate_limit.scan": limits}
    return make_app({}, dbengine=engine, **settings)


def timed(testapp, path, headers, status, count):
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        testapp.get(path, headers=headers, status=status)
        samples.append((time.perf_counter() - started) * 1e6)
    return statistics.median(samples), max(samples)


def limiter_cost(storage, count):
    """Microseconds per counted request of the limiter alone (what the subscriber adds to a request)."""
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    from exaroutes.edge.rate_limits import Limiter

    limiter = Limiter(FixedWindowRateLimiter(storage_from_string(storage)), "100000000/minute", "bench")
    started = time.perf_counter()
    for i in range(count):
        limiter.hit(f"192.0.2.{i % 200}")
    return (time.perf_counter() - started) * 1e6 / count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the access log's cost is in both apps; its output is not the question
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        engine, key = migrated_database(url)
        auth = {"Authorization": f"Bearer {key}"}
        apps = {"limits off": build(url, engine, "memory://", "off"),
                "limits on (memory)": build(url, engine, "memory://", "100000000/minute")}
        if args.redis:
            apps["limits on (redis)"] = build(url, engine, args.redis, "100000000/minute")
        setup = webtest.TestApp(apps["limits off"])
        code = setup.post_json("/api/qr/codes", {"data": "https://example.com/", "returnType": "svg"},
                               headers=auth).json["id"]
        for storage in ["memory://"] + ([args.redis] if args.redis else []):
            cost = limiter_cost(storage, args.requests)
            print(f"limiter hit alone, {storage.split(':')[0]}: {cost:.1f} us per request")
        print(f"{args.requests} requests per app, in 10 interleaved rounds; medians in microseconds")
        clients = {name: webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "192.0.2.10"})
                   for name, app in apps.items()}
        results = {name: {"scan": [], "read": []} for name in apps}
        for _ in range(10):  # interleaved, so background load hits every variant alike
            for name, client in clients.items():
                results[name]["scan"].append(timed(client, f"/r/{code}", {}, 302, args.requests // 10))
                results[name]["read"].append(timed(client, f"/api/qr/codes/{code}", auth, 200, args.requests // 10))
        for name, result in results.items():
            scan = statistics.median(m for m, _ in result["scan"])
            read = statistics.median(m for m, _ in result["read"])
            print(f"{name:22s} GET /r/{{id}} median {scan:7.0f} | GET /api/qr/codes/{{id}} median {read:7.0f}")


if __name__ == "__main__":
    main()
