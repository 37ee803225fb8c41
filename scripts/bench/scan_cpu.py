"""CPU time of one scan through the whole WSGI app, without waitress and wrk, comparing two trees in one run.

The wrk benchmark (redirect.py) measures what a client sees, but on a shared 2-core machine its numbers
swing with the other processes' load. This one calls the app (edge middleware, scan dispatch, view, the
scan's INSERT; the folder thread folds in the background) in one thread, `--requests` counted scans of one
code on a fresh SQLite file with development.ini's settings (access log at INFO, written to /dev/null), and
reports the process CPU time (all threads, the folder's included) and the wall time per scan. `--compare-ref
REF` runs the same in a child process with the `exaroutes/` package of git REF first on PYTHONPATH,
alternating with this tree, `--rounds` times.

Usage: .venv/bin/python scripts/bench/scan_cpu.py [--requests 3000] [--rounds 3] [--compare-ref 693e118]
       [--method HEAD]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.0 Mobile/15E148 Safari/604.1")


def measure(requests, method):
    """Per-scan CPU and wall microseconds in this process, with whatever `exaroutes` is importable."""
    import transaction
    import webtest

    from exaroutes import main
    from exaroutes.auth.keys import create_key, get_or_create_workspace
    from exaroutes.migrations import upgrade
    from exaroutes.models import get_engine, get_session_factory, get_tm_session

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        engine = get_engine({"sqlalchemy.url": url})
        upgrade(engine)
        tm = transaction.TransactionManager(explicit=True)
        with tm:
            session = get_tm_session(get_session_factory(engine), tm)
            key = create_key(session, get_or_create_workspace(session, "bench"))
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


def export_ref(ref, directory):
    archive = subprocess.run(["git", "-C", ROOT, "archive", ref, "exaroutes"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)


def run_child(requests, method, pythonpath):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = subprocess.run([sys.executable, __file__, "--child", "--requests", str(requests),
                          "--method", method], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare-ref")
    parser.add_argument("--method", choices=["GET", "HEAD"], default="GET",
                        help="HEAD: answered like a scan but not counted, so no write: the request path alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import logging
        # as development.ini logs: the access line of every request is formatted and written (here to nowhere)
        logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))
        print(json.dumps(measure(args.requests, args.method)))
        return
    with tempfile.TemporaryDirectory() as ref_dir:
        trees = [("this tree", None)]
        if args.compare_ref:
            export_ref(args.compare_ref, ref_dir)
            trees.insert(0, (args.compare_ref, ref_dir))
        print(f"{args.requests} {args.method} /r/{{id}} per measurement, {os.cpu_count()} CPUs")
        print("| round | tree | CPU µs/scan | wall µs/scan | load (1 min) |")
        print("|---|---|---|---|---|")
        for round_ in range(1, args.rounds + 1):
            for label, path in trees:
                result = run_child(args.requests, args.method, path)
                print(f"| {round_} | {label} | {result['cpu_us']:.0f} | {result['wall_us']:.0f} | "
                      f"{os.getloadavg()[0]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
