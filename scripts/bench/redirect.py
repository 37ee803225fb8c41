"""Redirect benchmark: `GET /r/{id}` with durable scan recording against a bare Pyramid 302, in one run.

Servers, each waitress with the same thread count, loaded in turn by wrk (64 connections):
  bare        scripts/bench/bare_app.py: constant 302, no database
  sqlite      our app, development.ini as shipped (SQLite file), every scan committed before the answer
  postgresql  our app, production.ini as shipped (PostgreSQL, Redis), every scan committed before the answer
Logging stays as shipped (the access log writes one line per request, to a file here). The one
change to the ini files: `exaroutes.rate_limit.scan = off`. wrk sends every request from one
address, and the shipped 600/minute per address would answer nearly all of them with 429.

`--compare-ref REF` also runs the two app servers with the `exaroutes/` package and ini files of git
REF (exported, the package put first on PYTHONPATH), interleaved with this tree's, so a change is
judged within one run.
`--webhook` also runs each app of this tree with one webhook endpoint subscribed to `scan.created`
(a receiver in this process answering 204), right after the same app without one: the price of the
outbox row written in each scan batch and of delivering it. development.ini delivers with its
embedded consumer (in the web process); for production.ini one `exaroutes-worker` runs beside it.
The copied inis allow http and loopback receivers (`exaroutes.webhooks.allow_*`) for this.
`--py-spy DIR` records a py-spy profile (collapsed stacks, `--gil`) of every app server while wrk runs
(needs `pip install py-spy`).

Usage: .venv/bin/python scripts/bench/redirect.py [--duration 15] [--connections 64] [--threads 32]
Needs wrk (installed with apt-get when missing), PostgreSQL at 127.0.0.1:5432 (trust auth), Redis
database 12 and ports 8270-8279 by default (`--redis URL`, `--port FIRST` for another share of the machine).
"""
import argparse
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

import psycopg
import transaction
from sqlalchemy import func, select

from exaroutes.auth.keys import create_key, get_or_create_workspace
from exaroutes.migrations import upgrade
from exaroutes.models import Scan, WebhookDelivery, get_engine, get_session_factory, get_tm_session

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/12"
PORT = 8270    # bare; the app servers take the next ones
USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.0 Mobile/15E148 Safari/604.1")


def ensure_wrk():
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)


def wait_for(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on {port} exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing-here", timeout=1)
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


class Receiver:
    """A webhook receiver in this process: counts POSTs and answers 204."""

    def __init__(self):
        receiver = self
        self.count = 0
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.count += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def subscribe(port, key, url):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/webhooks", method="POST",
                                     data=json.dumps({"url": url, "events": ["scan.created"]}).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["id"]


def app_ini(source_ini, url, port, threads, workdir, tree=ROOT):
    """A copy of `tree`'s development.ini / production.ini pointing at the bench database and port."""
    with open(os.path.join(tree, source_ini)) as f:
        content = f.read()
    content = re.sub(r"^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", content, flags=re.M)
    content = re.sub(r"^exaroutes\.redirect_base = .*$", f"exaroutes.redirect_base = http://127.0.0.1:{port}",
                     content, flags=re.M)
    content = re.sub(r"^threads = .*$", f"threads = {threads}\nport = {port}", content, flags=re.M)
    content = re.sub(r"^exaroutes\.rate_limit\.scan = .*$", "exaroutes.rate_limit.scan = off", content, flags=re.M)
    content = re.sub(r"^exaroutes\.webhooks\.allow_(http|private) = .*$", r"exaroutes.webhooks.allow_\1 = true",
                     content, flags=re.M)
    path = os.path.join(workdir, f"{port}.ini")
    with open(path, "w") as f:
        f.write(content)
    return path


def seed_code(url, port):
    """Migrate the database, make a key, and create one code through the API; returns (engine, id)."""
    engine = get_engine({"sqlalchemy.url": url.replace("postgresql://", "postgresql+psycopg://")})
    upgrade(engine)
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        session = get_tm_session(get_session_factory(engine), tm)
        key = create_key(session, get_or_create_workspace(session, "bench"))
    return engine, key


def create_code(port, key):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/qr/codes",
                                     data=b'{"data": "https://example.com/bench"}', method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["id"]


def run_wrk(port, path, duration, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H",
                          f"User-Agent: {USER_AGENT}", f"http://127.0.0.1:{port}{path}"],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non3xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "", "requests":
            int(re.search(r"(\d+) requests in", out).group(1))}


def start(command, port):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wait_for(port, process)
    return process


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def export_ref(ref, workdir):
    """The `exaroutes/` package and ini files of git `ref` in a directory of its own (first on PYTHONPATH)."""
    target = os.path.join(workdir, "ref")
    os.makedirs(target)
    archive = subprocess.run(["git", "-C", ROOT, "archive", ref, "exaroutes", "development.ini", "production.ini"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
    return target


def run_app(label, source_ini, url, port, args, workdir, pythonpath=None, receiver=None):
    """Start pserve on a fresh database, create one code, load it with wrk; the result row.

    With a `receiver`, an endpoint subscribed to scan.created points at it before wrk starts (and
    for production.ini an exaroutes-worker delivers)."""
    engine, key = seed_code(url, port)
    ini = app_ini(source_ini, url, port, args.threads, workdir, pythonpath or ROOT)
    env = dict(os.environ, EXAROUTES_DATABASE_URL=url, EXAROUTES_SECRET="bench", EXAROUTES_REDIS_URL=REDIS,
               EXAROUTES_REDIRECT_BASE=f"http://127.0.0.1:{port}")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    # stderr to a file: an unread pipe fills up with waitress's queue-depth warnings and stalls it
    with open(os.path.join(workdir, f"{port}.log"), "w") as log:
        process = subprocess.Popen([os.path.join(BIN, "pserve"), ini], stdout=log, stderr=log, cwd=ROOT, env=env)
    spy = worker = None
    try:
        wait_for(port, process)
        short_id = create_code(port, key)
        if receiver is not None:
            subscribe(port, key, receiver.url)
            receiver.count = 0
            if source_ini == "production.ini":
                with open(os.path.join(workdir, f"{port}-worker.log"), "w") as log:
                    worker = subprocess.Popen([os.path.join(BIN, "exaroutes-worker"), ini], stdout=log, stderr=log,
                                              cwd=ROOT, env=env)
        if args.py_spy:
            name = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")
            spy = subprocess.Popen(["py-spy", "record", "--gil", "--format", "raw", "--rate", "200",
                                    "--duration", str(args.duration), "--pid", str(process.pid),
                                    "--output", os.path.join(args.py_spy, f"{name}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cpu_before = cpu_seconds(process.pid)
        result = run_wrk(port, f"/r/{short_id}", args.duration, args.connections)
        result["cpu"] = cpu_seconds(process.pid) - cpu_before
        result["load"] = os.getloadavg()[0]
        if receiver is not None:
            result["delivered during wrk"] = receiver.count
    finally:
        if spy is not None:
            spy.wait()
        stop(process)
        if worker is not None:
            stop(worker)
    with engine.connect() as connection:
        result["scan rows"] = connection.scalar(select(func.count()).select_from(Scan))
        if receiver is not None:
            result["outbox rows"] = connection.scalar(select(func.count()).select_from(WebhookDelivery))
    engine.dispose()
    return result


def cpu_seconds(pid):
    """User + system CPU time the process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fresh_postgres():
    name = f"exaroutes_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def set_machine_share(port, redis):
    """Ports and Redis database are per engineer on the shared machine: the defaults are one share."""
    global PORT, REDIS
    PORT, REDIS = port, redis


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--compare-ref", help="also run the app of this git ref, interleaved (e.g. main)")
    parser.add_argument("--py-spy", help="directory for py-spy profiles of the app servers")
    parser.add_argument("--webhook", action="store_true",
                        help="also run each app with a webhook endpoint subscribed to scan.created")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one backend only")
    parser.add_argument("--port", type=int, default=PORT, help="first of the ports (bare; apps take the next)")
    parser.add_argument("--redis", default=REDIS, help="Redis database URL for production.ini")
    args = parser.parse_args()
    set_machine_share(args.port, args.redis)
    ensure_wrk()
    if args.py_spy:
        os.makedirs(args.py_spy, exist_ok=True)
    results = {}
    workdir = tempfile.mkdtemp(prefix="exaroutes-bench-")
    databases = []
    try:
        bare = start([sys.executable, os.path.join(HERE, "bare_app.py"), str(PORT), str(args.threads)], PORT)
        try:
            cpu_before = cpu_seconds(bare.pid)
            results["bare Pyramid 302"] = run_wrk(PORT, "/r/x", args.duration, args.connections)
            results["bare Pyramid 302"]["cpu"] = cpu_seconds(bare.pid) - cpu_before
            results["bare Pyramid 302"]["load"] = os.getloadavg()[0]
        finally:
            stop(bare)
        trees = [("", None)]
        if args.compare_ref:
            trees.insert(0, (f" [{args.compare_ref}]", export_ref(args.compare_ref, workdir)))
        port = PORT
        for backend, source_ini in (("sqlite", "development.ini"), ("postgresql", "production.ini")):
            if args.only and backend != args.only:
                continue
            for suffix, pythonpath in trees:
                port += 1
                if backend == "sqlite":
                    url = f"sqlite:///{workdir}/bench-{port}.sqlite"
                else:
                    databases.append(fresh_postgres())
                    url = f"postgresql://postgres@127.0.0.1:5432/{databases[-1]}"
                label = f"ExaRoutes, {source_ini} ({'SQLite' if backend == 'sqlite' else 'PostgreSQL'}){suffix}"
                results[label] = run_app(label, source_ini, url, port, args, workdir, pythonpath)
                if args.webhook and pythonpath is None:
                    port += 1
                    if backend == "sqlite":
                        url = f"sqlite:///{workdir}/bench-{port}.sqlite"
                    else:
                        databases.append(fresh_postgres())
                        url = f"postgresql://postgres@127.0.0.1:5432/{databases[-1]}"
                    results[label + " + webhook"] = run_app(label + " + webhook", source_ini, url, port, args,
                                                            workdir, pythonpath, receiver=Receiver())
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            for name in databases:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    base = results["bare Pyramid 302"]["rps"]
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, waitress threads={args.threads}, "
          f"{os.cpu_count()} CPUs")
    print("| server | req/s | % of bare | p50 | p99 | non-3xx | wrk requests | scan rows | server CPU µs/request "
          "| load (1 min) | outbox rows | delivered during wrk |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['rps']:.0f} | {100 * r['rps'] / base:.0f}% | {r['p50']} | {r['p99']} | "
              f"{r['non3xx']} | {r['requests']} | {r.get('scan rows', '-')} | {1e6 * r['cpu'] / r['requests']:.0f} "
              f"| {r['load']:.2f} | {r.get('outbox rows', '-')} | {r.get('delivered during wrk', '-')} |")
    for label, r in results.items():
        if label.endswith(" + webhook") and label[:-len(" + webhook")] in results:
            without = results[label[:-len(" + webhook")]]["rps"]
            print(f"{label}: {100 * (r['rps'] - without) / without:+.1f}% req/s against the same app without")


if __name__ == "__main__":
    main()
