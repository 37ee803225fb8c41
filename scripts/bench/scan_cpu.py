"""CPU time of one scan through the whole WSGI app, without waitress and wrk, comparing two trees in one run.

The wrk benchmark (redirect.py) measures what a client sees, but on a shared 2-core machine its numbers
swing with the other processes' load. This one calls the app (edge middleware, scan dispatch, view, the
scan's INSERT; the folder thread folds in the background) in one thread, `--requests` counted scans of one
code on a fresh SQLite file with development.ini's settings (access log at INFO, written to /dev/null), and
reports the process CPU time (all threads, the folder's included) and the wall time per scan. `--baseline
REV` (also spelled `--compare-ref`) runs the same in a child process with the `exaroutes/` package of git
REV first on PYTHONPATH, alternating with this tree, `--rounds` times; there is no default baseline.

Usage: .venv/bin/python scripts/bench/scan_cpu.py [--requests 3000] [--rounds 3] [--baseline REV]
       [--method HEAD]
Smallest run (a few seconds): --requests 200 --rounds 1
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, baseline_tree, environment, load, machine, migrated_database  # noqa: E402

USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.0 Mobile/15E148 Safari/604.1")


def measure(requests, method):
    """Per-scan CPU and wall microseconds in this process, with whatever `exaroutes` is importable."""
    import webtest

    from exaroutes import main

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        engine, key = migrated_database(url)
        app = main({}, **{"sqlalchemy.url": url, "exaroutes.redirect_base": "http://bench.test",
                          "exaroutes.jobs.url": f"sqlite:///{tmp}/jobs.sqlite", "exaroutes.secret": "bench",
                          "exaroutes.rate_limit.scan": "off"})
        client = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "85.214.132.117", "HTTP_HOST": "bench.test"})
        short_id = client.post_json("/api/qr/codes", {"data": "https://example.com/"},
                                    headers={"Authorization": f"Bearer {key}"}).json["id"]
        headers = {"User-Agent": USER_AGENT}
        call = client.get if method == "GET" else client.head
        for _ in range(200):                       # warm caches (code cache, user-agent parsers)
            call(f"/r/{short_id}", headers=headers, status=302)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            call(f"/r/{short_id}", headers=headers, status=302)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        engine.dispose()
    return {"cpu_us": 1e6 * cpu / requests, "wall_us": 1e6 * wall / requests}


def run_child(requests, method, pythonpath):
    done = subprocess.run([sys.executable, __file__, "--child", "--requests", str(requests), "--method", method],
                          env=environment(pythonpath), cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the measuring child ({pythonpath or 'this tree'}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", "--compare-ref", metavar="REV",
                        help="git revision measured alongside this tree (none by default)")
    parser.add_argument("--method", choices=["GET", "HEAD"], default="GET",
                        help="HEAD: answered like a scan but not counted, so no write: the request path alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import logging
        # as development.ini logs: the access line of every request is formatted and written (here to nowhere)
        logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))
        print(json.dumps(measure(args.requests, args.method)))
        return
    with tempfile.TemporaryDirectory() as ref_dir:
        trees = [("this tree", None)]
        if args.baseline:
            trees.insert(0, (args.baseline, baseline_tree(args.baseline, ref_dir)))
        print(f"{args.requests} {args.method} /r/{{id}} per measurement; {machine()}")
        print("| round | tree | CPU µs/scan | wall µs/scan | load (1 min) |")
        print("|---|---|---|---|---|")
        for round_ in range(1, args.rounds + 1):
            for label, path in trees:
                result = run_child(args.requests, args.method, path)
                print(f"| {round_} | {label} | {result['cpu_us']:.0f} | {result['wall_us']:.0f} | "
                      f"{load():.2f} |", flush=True)


if __name__ == "__main__":
    main()
