"""Redirect benchmark: `GET /r/{id}` with durable scan recording against a bare Pyramid 302 (and YOURLS), in one run.

Servers, all started first and then loaded in interleaved rounds by wrk (one short link each):
  bare        scripts/bench/bare_app.py: constant 302, no database, waitress with the same threads
  sqlite      our app, development.ini as shipped (SQLite file; the web process folds its scans)
  postgresql  our app, production.ini as shipped (PostgreSQL, Redis) plus one `exaroutes-worker`
              that folds the scans (production.ini keeps folding out of the web processes)
  yourls      YOURLS on nginx + php-fpm + MariaDB (scripts/bench/yourls.py), when `--yourls SOURCE`
              is given and those programs are installed
Logging stays as shipped (the access log writes one line per request, to a file here). The one
change to the ini files: `exaroutes.rate_limit.scan = off`. wrk sends every request from one
address, and the shipped 600/minute per address would answer nearly all of them with 429.
`--set NAME=VALUE` changes one more ini setting of both apps (e.g. `exaroutes.scan.synchronous_commit=false`).
`--webhook` also runs each app with one webhook endpoint subscribed to `scan.created` (a receiver in
this process answering 204): the price of the outbox row each folded scan gets, and of delivering it.
The copied inis allow http and loopback receivers (`exaroutes.webhooks.allow_*`) for this.

Every answered scan must be recorded: after each wrk run the rows recorded are compared with the 3xx
answers wrk saw (`lost` must be 0). CPU is reported per answered request for the web process, the
worker (folding) and the database server (PostgreSQL backends of the bench database; mysqld), since
moving work out of the web process is only a win if the total stays sane.

`--routing` also creates, on each app server of this tree, a code with 20 rules and 10 variants
(DESIGN.md §7) and loads it in the same rounds as the plain code of that server ("+ 20 rules + 10
variants" rows, and their ratio to the plain code at the end): the rules are built so that none
matches the benchmark's iPhone, so every scan evaluates all 20 and then picks a variant (the most
work a scan of such a code can do).

`--compare-ref REF` also runs the two app servers with the `exaroutes/` package and ini files of git
REF (exported, the package put first on PYTHONPATH), so a change is judged within one run.

Usage: .venv/bin/python scripts/bench/redirect.py [--duration 10] [--connections 64,8] [--rounds 3]
       [--threads 32] [--only sqlite|postgresql] [--yourls PATH] [--set NAME=VALUE ...] [--routing]
Needs wrk (installed with apt-get when missing), PostgreSQL at 127.0.0.1:5432 (trust auth), Redis
database 12 and ports 8270-8279 by default (`--redis URL`, `--port FIRST` for another share of the machine).
"""
import argparse
import contextlib
import http.server
import json
import os
import re
import shutil
import signal
import statistics
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
from exaroutes.models import PendingScan, Scan, get_engine, get_session_factory, get_tm_session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from yourls import available as yourls_missing, click_rows, tree_cpu_seconds, yourls_server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/12"
PORT = 8270    # bare; the app servers take the next ones
ACCEPT_LANGUAGE = "en-US,en;q=0.9"
ROUTED = " + 20 rules + 10 variants"   # the label suffix of a routed code (--routing)
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
        self.server.handle_error = lambda request, address: None   # a sender stopped mid-request
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def subscribe(port, key, url):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/webhooks", method="POST",
                                     data=json.dumps({"url": url, "events": ["scan.created"]}).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["id"]


def app_ini(source_ini, url, port, threads, workdir, tree=ROOT, overrides=()):
    """A copy of `tree`'s development.ini / production.ini pointing at the bench database and port."""
    with open(os.path.join(tree, source_ini)) as f:
        content = f.read()
    for name, value in overrides:
        content, found = re.subn(rf"^{re.escape(name)} = .*$", f"{name} = {value}", content, flags=re.M)
        if not found:
            content = content.replace("[app:main]\n", f"[app:main]\n{name} = {value}\n", 1)
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


def create_code(port, key, body=None):
    body = body or {"data": "https://example.com/bench"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/qr/codes",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["id"]


def routed_code_body():
    """20 rules of every kind that all fail for the benchmark's iPhone (loopback address, so country
    "unknown"; English), then 10 variants: the longest path through exaroutes.routing. The time rules
    pass their device check and evaluate their window; should the window hold, their language fails."""
    kinds = [{"os": ["Android", "Windows"]},
             {"device": ["desktop", "tablet"]},
             {"country": ["DE", "AT", "CH", "FR"], "language": ["de", "fr"]},
             {"language": ["de", "fr", "it"]},
             {"device": ["mobile"], "language": ["ja"],
              "time": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "22:00", "to": "06:00",
                       "timezone": "Pacific/Kiritimati"}}]
    rules = [{"when": kinds[i % len(kinds)], "destination": f"https://example.com/rule/{i}"} for i in range(20)]
    variants = [{"name": f"V{i}", "destination": f"https://example.com/variant/{i}", "weight": 10 * (i + 1)}
                for i in range(10)]
    return {"data": "https://example.com/bench", "rules": rules, "variants": variants}


def run_wrk(port, path, duration, connections):
    """One wrk run; req/s, latency percentiles and the count of 3xx answers (wrk counts 2xx with them)."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H",
                          f"User-Agent: {USER_AGENT}", "-H", f"Accept-Language: {ACCEPT_LANGUAGE}",
                          f"http://127.0.0.1:{port}{path}"],
                         check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non3xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "", "requests":
            int(re.search(r"(\d+) requests in", out).group(1))}


def start_app(label, source_ini, url, port, args, workdir, pythonpath=None, receiver=None):
    """pserve (and, for production.ini, one worker) on a fresh database with one code; a Server.

    With a `receiver`, an endpoint subscribed to scan.created points at it before any load.
    """
    engine, key = seed_code(url, port)
    ini = app_ini(source_ini, url, port, args.threads, workdir, pythonpath or ROOT, args.set)
    env = dict(os.environ, EXAROUTES_DATABASE_URL=url, EXAROUTES_SECRET="bench", EXAROUTES_REDIS_URL=REDIS,
               EXAROUTES_REDIRECT_BASE=f"http://127.0.0.1:{port}")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    # stderr to a file: an unread pipe fills up with waitress's queue-depth warnings and stalls it
    log = open(os.path.join(workdir, f"{port}.log"), "w")
    processes = [subprocess.Popen([os.path.join(BIN, "pserve"), ini], stdout=log, stderr=log, cwd=ROOT, env=env)]
    wait_for(port, processes[0])
    if source_ini == "production.ini":
        processes.append(subprocess.Popen([os.path.join(BIN, "exaroutes-worker"), ini], stdout=log, stderr=log,
                                          cwd=ROOT, env=env))
    short_id = create_code(port, key)
    if receiver is not None:
        subscribe(port, key, receiver.url)
    database = url.rsplit("/", 1)[1] if url.startswith("postgresql") else None
    server = Server(label, port, f"/r/{short_id}", processes, lambda: recorded_scans(engine), database,
                    cleanup=engine.dispose)
    server.key = key
    return server


def routed_twin(server):
    """The same running server loaded through a code with 20 rules and 10 variants (--routing)."""
    routed_id = create_code(server.port, server.key, routed_code_body())
    return Server(server.label + ROUTED, server.port, f"/r/{routed_id}", server.processes, server.recorded,
                  server.pg_database)


class Server:
    """A server under test: where to send wrk, what to measure, how to stop it."""

    def __init__(self, label, port, path, processes, recorded=None, pg_database=None, db_pids=(), cleanup=None):
        self.label, self.port, self.path, self.processes = label, port, path, processes
        self.recorded, self.pg_database, self.db_pids, self.cleanup = recorded, pg_database, db_pids, cleanup

    def cpu(self):
        """(web, worker, database) CPU seconds used so far."""
        web = tree_cpu_seconds([self.processes[0].pid]) if self.processes else 0.0
        worker = tree_cpu_seconds([p.pid for p in self.processes[1:]])
        database = tree_cpu_seconds(postgres_backends(self.pg_database)) if self.pg_database else (
            tree_cpu_seconds(self.db_pids) if self.db_pids else 0.0)
        return web, worker, database

    def stop(self):
        for process in self.processes:
            stop(process)
        if self.cleanup:
            self.cleanup()


def recorded_scans(engine):
    """Scans recorded so far: folded into `scans` or still pending."""
    with engine.connect() as connection:
        return sum(connection.scalar(select(func.count()).select_from(table)) for table in (Scan, PendingScan))


def postgres_backends(database):
    """PIDs of the PostgreSQL backends serving `database` (their CPU is the database's work for us)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        return [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                     (database,))]


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


def fresh_postgres():
    name = f"exaroutes_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def fresh_url(backend, workdir, port, databases):
    """A new, empty database for one server (PostgreSQL names are added to `databases` for clean-up)."""
    if backend == "sqlite":
        return f"sqlite:///{workdir}/bench-{port}.sqlite"
    databases.append(fresh_postgres())
    return f"postgresql://postgres@127.0.0.1:5432/{databases[-1]}"


def set_machine_share(port, redis):
    """Ports and Redis database are per engineer on the shared machine: the defaults are one share."""
    global PORT, REDIS
    PORT, REDIS = port, redis


def measure(server, connections, duration):
    """One wrk run against `server`; the result row with CPU per answered request and lost scans."""
    before = server.recorded() if server.recorded else None
    cpu_before = server.cpu()
    result = run_wrk(server.port, server.path, duration, connections)
    cpu_after = server.cpu()
    answered = result["requests"] - result["non3xx"]
    for name, b, a in zip(("web", "worker", "db"), cpu_before, cpu_after):
        result[f"cpu {name}"] = 1e6 * (a - b) / max(answered, 1)
    if server.recorded:
        time.sleep(0.5)       # a response may reach wrk an instant before its own counter would show it
        # rows - 3xx: >= 0 when no answered scan is missing (requests still in flight when wrk stops
        # are recorded but not counted by wrk, so a few more rows than answers is normal)
        result["rows-3xx"] = server.recorded() - before - answered
    result["load"] = os.getloadavg()[0]
    return result


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="64,8", help="comma-separated wrk connection counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--compare-ref", help="also run the app of this git ref (e.g. main)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one backend only")
    parser.add_argument("--yourls", help="YOURLS source (checkout or git directory): adds YOURLS as a peer")
    parser.add_argument("--webhook", action="store_true",
                        help="also run each app with a webhook endpoint subscribed to scan.created")
    parser.add_argument("--routing", action="store_true",
                        help="also load a code with 20 rules and 10 variants on each app server of this tree")
    parser.add_argument("--set", action="append", default=[], type=lambda item: tuple(item.split("=", 1)),
                        metavar="NAME=VALUE", help="one more ini setting for both apps")
    parser.add_argument("--port", type=int, default=PORT, help="first of the ports (bare; apps take the next)")
    parser.add_argument("--redis", default=REDIS, help="Redis database URL for production.ini")
    return parser.parse_args()


def main():
    args = parse_args()
    set_machine_share(args.port, args.redis)
    ensure_wrk()
    workdir = tempfile.mkdtemp(prefix="exaroutes-bench-")
    databases, servers = [], []
    rows = []
    try:
        with contextlib.ExitStack() as stack:
            bare = start([sys.executable, os.path.join(HERE, "bare_app.py"), str(PORT), str(args.threads)], PORT)
            servers.append(Server("bare Pyramid 302", PORT, "/r/x", [bare]))
            trees = [("", None)]
            if args.compare_ref:
                trees.insert(0, (f" [{args.compare_ref}]", export_ref(args.compare_ref, workdir)))
            port = PORT
            for backend, source_ini in (("sqlite", "development.ini"), ("postgresql", "production.ini")):
                if args.only and backend != args.only:
                    continue
                for suffix, pythonpath in trees:
                    port += 1
                    url = fresh_url(backend, workdir, port, databases)
                    label = f"ExaRoutes {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}{suffix}"
                    servers.append(start_app(label, source_ini, url, port, args, workdir, pythonpath))
                    if args.routing and pythonpath is None:
                        servers.append(routed_twin(servers[-1]))
                    if args.webhook and pythonpath is None:
                        port += 1
                        url = fresh_url(backend, workdir, port, databases)
                        servers.append(start_app(label + " + webhook", source_ini, url, port, args, workdir,
                                                 receiver=Receiver()))
            missing = yourls_missing(args.yourls)
            if missing is None:
                port += 1
                path, database, pids = stack.enter_context(yourls_server(args.yourls, port, workdir))
                mysqld = [int(open(f).read()) for f in ("/run/mysqld/mysqld.pid",) if os.path.exists(f)]
                servers.append(Server("YOURLS", port, path, [], lambda: click_rows(database)[0], db_pids=mysqld))
                servers[-1].cpu = lambda pids=pids, mysqld=mysqld: (tree_cpu_seconds(pids), 0.0,
                                                                     tree_cpu_seconds(mysqld))
            else:
                print(f"(YOURLS not run: {missing})", file=sys.stderr)
            for server in servers:                      # warm-up, not recorded
                run_wrk(server.port, server.path, 2, 8)
            for round_number in range(1, args.rounds + 1):
                for connections in [int(c) for c in args.connections.split(",")]:
                    for server in servers:
                        result = measure(server, connections, args.duration)
                        rows.append((round_number, connections, server.label, result))
                        print(round_number, connections, server.label, json.dumps(result), file=sys.stderr)
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            for name in databases:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    report(rows, args)


def report(rows, args):
    """Every run as a table row, then the medians of the ratios per connection count."""
    print(f"wrk -t2 -d{args.duration}s, waitress threads={args.threads}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds; settings changed: {dict(args.set) or 'none'}")
    print("| round | conns | server | req/s | % of bare | x YOURLS | p50 | p99 | non-3xx | rows - 3xx | "
          "CPU µs/req web | worker | db | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    by_run = {(r, c, label): result for r, c, label, result in rows}
    ratios = {}
    for r, c, label, result in rows:
        bare = by_run[(r, c, "bare Pyramid 302")]["rps"]
        yourls = by_run.get((r, c, "YOURLS"), {}).get("rps")
        of_bare = 100 * result["rps"] / bare
        of_yourls = result["rps"] / yourls if yourls and label not in ("YOURLS", "bare Pyramid 302") else None
        ratios.setdefault((c, label), []).append((of_bare, of_yourls, result))
        print(f"| {r} | {c} | {label} | {result['rps']:.0f} | {of_bare:.0f}% | "
              f"{'-' if of_yourls is None else f'{of_yourls:.2f}'} | {result['p50']} | {result['p99']} | "
              f"{result['non3xx']} | {result.get('rows-3xx', '-')} | {result['cpu web']:.0f} | "
              f"{result['cpu worker']:.0f} "
              f"| {result['cpu db']:.0f} | {result['load']:.2f} |")
    print()
    print("| conns | server | median % of bare | median x YOURLS | median p50 | worst p99 | smallest rows - 3xx |")
    print("|---|---|---|---|---|---|---|")
    for (c, label), values in ratios.items():
        of_bare = statistics.median(v[0] for v in values)
        yourls = [v[1] for v in values if v[1] is not None]
        p50 = statistics.median(to_ms(v[2]["p50"]) for v in values)
        p99 = max(to_ms(v[2]["p99"]) for v in values)
        margins = [v[2]["rows-3xx"] for v in values if "rows-3xx" in v[2]]
        print(f"| {c} | {label} | {of_bare:.0f}% | {f'{statistics.median(yourls):.2f}' if yourls else '-'} | "
              f"{p50:.2f} ms | {p99:.2f} ms | {min(margins) if margins else '-'} |")
    for (c, label), values in ratios.items():
        if label.endswith(ROUTED) and (c, label[:-len(ROUTED)]) in ratios:
            plain = ratios[(c, label[:-len(ROUTED)])]
            rps = statistics.median(v[2]["rps"] for v in values) / statistics.median(v[2]["rps"] for v in plain)
            cpu = (statistics.median(v[2]["cpu web"] for v in values),
                   statistics.median(v[2]["cpu web"] for v in plain))
            print(f"{c} conns, {label}: {100 * rps:.1f}% of the plain code's median req/s; web CPU "
                  f"{cpu[0]:.0f} vs {cpu[1]:.0f} µs/request")


def to_ms(text):
    """wrk's latency ('812.00us', '3.41ms', '1.02s') in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


if __name__ == "__main__":
    main()
