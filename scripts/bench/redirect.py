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
Delivery must keep up, not merely be put off: each such run reports the events received during it,
and waits (at most 120 s) until one event per recorded scan has arrived before the next run starts;
the report pairs each round's req/s with and without the endpoint.
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

`--baseline REV` (also spelled `--compare-ref`) also runs the two app servers with the `exaroutes/`
package and ini files of git REV (exported, the package put first on PYTHONPATH), so a change is judged
within one run. There is no default: without it only this tree runs.

Usage: .venv/bin/python scripts/bench/redirect.py [--duration 10] [--connections 64,8] [--rounds 3]
       [--threads 32] [--only sqlite|postgresql] [--yourls PATH] [--set NAME=VALUE ...] [--routing]
       [--baseline REV]
Smallest run (a few seconds per server): --duration 1 --rounds 1 --connections 8 --only sqlite
Needs wrk (installed with apt-get when missing), PostgreSQL at 127.0.0.1:5432 (trust auth), Redis
database 12 and ports 8270-8279 by default (`--redis URL`, `--port FIRST` for another share of the machine).
"""
import argparse
import contextlib
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import func, select

from exaroutes.models import PendingScan, Scan, get_engine

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ADMIN_URL, HERE, ROOT, baseline_tree, environment, load, make_key,  # noqa: E402
                     postgres_database, require_tool, run_wrk, running, serve, tree_cpu_seconds, write_ini)
from yourls import available as yourls_missing, click_rows, yourls_server  # noqa: E402

REDIS = "redis://127.0.0.1:6379/12"
PORT = 8270    # bare; the app servers take the next ones
ACCEPT_LANGUAGE = "en-US,en;q=0.9"
ROUTED = " + 20 rules + 10 variants"   # the label suffix of a routed code (--routing)
USER_AGENT = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
              "Version/17.0 Mobile/15E148 Safari/604.1")
HEADERS = {"User-Agent": USER_AGENT, "Accept-Language": ACCEPT_LANGUAGE}


class Receiver:
    """A webhook receiver in this process: counts POSTs and answers 204, keeping connections open.

    Raw sockets rather than http.server, whose parsing cost ~150 µs of CPU per event: on a real
    deployment the receiver runs elsewhere, here it shares the 2 cores with the server under test, so
    it takes as little of them as it can. Signatures are not checked here (the tests do).
    """

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            connection, _ = self.listener.accept()
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        buffer = b""
        with connection:
            while True:
                while (end := buffer.find(b"\r\n\r\n")) < 0:
                    if not (data := connection.recv(65536)):
                        return
                    buffer += data
                length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", buffer[:end + 2]).group(1))
                while len(buffer) < end + 4 + length:
                    if not (data := connection.recv(65536)):
                        return
                    buffer += data
                buffer = buffer[end + 4 + length:]
                with self.lock:
                    self.count += 1
                connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")


def subscribe(port, key, url):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/webhooks", method="POST",
                                     data=json.dumps({"url": url, "events": ["scan.created"]}).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())["id"]


def app_ini(source_ini, url, port, args, workdir, tree=ROOT):
    """A copy of `tree`'s development.ini / production.ini pointing at the bench database and port,
    with the scan limit off, loopback webhook receivers allowed (--webhook), a job queue of its own and
    the --set settings."""
    settings = {"sqlalchemy.url": url, "exaroutes.redirect_base": f"http://127.0.0.1:{port}",
                "exaroutes.rate_limit.scan": "off", "exaroutes.webhooks.allow_http": "true",
                "exaroutes.webhooks.allow_private": "true",
                # a queue of its own: servers sharing one (the SQLite file next to the copied inis, the
                # Redis database) took each other's webhook wake-ups, leaving them to the minute's sweep
                "exaroutes.jobs.name": f"exaroutes-bench-{port}", **dict(args.set)}
    return write_ini(os.path.join(workdir, f"{port}.ini"), settings, source=source_ini, tree=tree, port=port,
                     threads=args.threads)


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


def start_app(stack, label, source_ini, url, port, args, workdir, tree=None, receiver=None):
    """pserve (and, for production.ini, one worker) of this tree or of the exported `tree`, on a fresh
    database with one code; a Server. The processes stop when `stack` closes.

    With a `receiver`, an endpoint subscribed to scan.created points at it before any load.
    """
    ini = app_ini(source_ini, url, port, args, workdir, tree or ROOT)
    env = environment(tree, EXAROUTES_DATABASE_URL=url, EXAROUTES_SECRET="bench", EXAROUTES_REDIS_URL=args.redis,
                      EXAROUTES_REDIRECT_BASE=f"http://127.0.0.1:{port}")
    key = make_key(ini, env)
    processes = [stack.enter_context(serve(ini, port, env))]
    if source_ini == "production.ini":
        processes.append(stack.enter_context(serve(ini, env=env, program="exaroutes-worker")))
    short_id = create_code(port, key)
    if receiver is not None:
        subscribe(port, key, receiver.url)
    engine = get_engine({"sqlalchemy.url": url})
    stack.callback(engine.dispose)
    database = urlsplit(url).path[1:] if url.startswith("postgresql") else None
    server = Server(label, port, f"/r/{short_id}", processes, lambda: recorded_scans(engine), database)
    server.key = key
    server.receiver = receiver
    return server


def routed_twin(server):
    """The same running server loaded through a code with 20 rules and 10 variants (--routing)."""
    routed_id = create_code(server.port, server.key, routed_code_body())
    return Server(server.label + ROUTED, server.port, f"/r/{routed_id}", server.processes, server.recorded,
                  server.pg_database)


class Server:
    """A server under test: where to send wrk and what to measure."""

    def __init__(self, label, port, path, processes, recorded=None, pg_database=None, db_pids=()):
        self.label, self.port, self.path, self.processes = label, port, path, processes
        self.recorded, self.pg_database, self.db_pids = recorded, pg_database, db_pids

    def cpu(self):
        """(web, worker, database) CPU seconds used so far."""
        web = tree_cpu_seconds([self.processes[0].pid]) if self.processes else 0.0
        worker = tree_cpu_seconds([p.pid for p in self.processes[1:]])
        database = tree_cpu_seconds(postgres_backends(self.pg_database)) if self.pg_database else (
            tree_cpu_seconds(self.db_pids) if self.db_pids else 0.0)
        return web, worker, database


def recorded_scans(engine):
    """Scans recorded so far: folded into `scans` or still pending."""
    with engine.connect() as connection:
        return sum(connection.scalar(select(func.count()).select_from(table)) for table in (Scan, PendingScan))


def postgres_backends(database):
    """PIDs of the PostgreSQL backends serving `database` (their CPU is the database's work for us)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        return [row[0] for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                                     (database,))]


def fresh_url(stack, backend, workdir, port):
    """A new, empty database for one server (a PostgreSQL one is dropped when `stack` closes)."""
    if backend == "sqlite":
        return f"sqlite:///{workdir}/bench-{port}.sqlite"
    return stack.enter_context(postgres_database())


def measure(server, connections, duration):
    """One wrk run against `server`; the result row with CPU per answered request and lost scans."""
    before = server.recorded() if server.recorded else None
    receiver = getattr(server, "receiver", None)
    events_before = receiver.count if receiver else None
    cpu_before = server.cpu()
    result = run_wrk(f"http://127.0.0.1:{server.port}{server.path}", duration, connections, HEADERS)
    cpu_after = server.cpu()
    if receiver:
        result["events in run"] = receiver.count - events_before
    answered = result["requests"] - result["non3xx"]
    for name, b, a in zip(("web", "worker", "db"), cpu_before, cpu_after):
        result[f"cpu {name}"] = 1e6 * (a - b) / max(answered, 1)
    if server.recorded:
        time.sleep(0.5)       # a response may reach wrk an instant before its own counter would show it
        # rows - 3xx: >= 0 when no answered scan is missing (requests still in flight when wrk stops
        # are recorded but not counted by wrk, so a few more rows than answers is normal)
        result["rows-3xx"] = server.recorded() - before - answered
    result["load"] = load()
    if receiver:        # every scan is delivered before the next run: no backlog spills into it
        result["caught up s"] = catch_up(receiver, server.recorded)
    return result


def catch_up(receiver, recorded, timeout=120):
    """Seconds until the receiver has had one event per recorded scan (None: not within `timeout`)."""
    start = time.monotonic()
    while receiver.count < recorded():
        if time.monotonic() - start > timeout:
            return None
        time.sleep(0.1)
    return round(time.monotonic() - start, 1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="64,8", help="comma-separated wrk connection counts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--baseline", "--compare-ref", metavar="REV",
                        help="also run the app of this git revision (e.g. main); none by default")
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
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    require_tool("wrk", apt="wrk")
    if args.yourls and (missing := yourls_missing(args.yourls)):
        raise SystemExit(f"--yourls: {missing}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="exaroutes-bench-") as workdir, contextlib.ExitStack() as stack:
        bare = stack.enter_context(running([sys.executable, HERE / "bare_app.py", args.port, args.threads],
                                           log=os.path.join(workdir, "bare.log"), port=args.port))
        servers = [Server("bare Pyramid 302", args.port, "/r/x", [bare])]
        trees = [("", None)]
        if args.baseline:
            exported = baseline_tree(args.baseline, os.path.join(workdir, "ref"),
                                     ("exaroutes", "development.ini", "production.ini"))
            trees.insert(0, (f" [{args.baseline}]", exported))
        port = args.port
        for backend, source_ini in (("sqlite", "development.ini"), ("postgresql", "production.ini")):
            if args.only and backend != args.only:
                continue
            for suffix, tree in trees:
                port += 1
                url = fresh_url(stack, backend, workdir, port)
                label = f"ExaRoutes {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}{suffix}"
                servers.append(start_app(stack, label, source_ini, url, port, args, workdir, tree))
                if args.routing and tree is None:
                    servers.append(routed_twin(servers[-1]))
                if args.webhook:
                    port += 1
                    url = fresh_url(stack, backend, workdir, port)
                    servers.append(start_app(stack, label + " + webhook", source_ini, url, port, args, workdir,
                                             tree, receiver=Receiver()))
        if args.yourls:
            port += 1
            path, database, pids = stack.enter_context(yourls_server(args.yourls, port, workdir))
            mysqld = [int(open(f).read()) for f in ("/run/mysqld/mysqld.pid",) if os.path.exists(f)]
            servers.append(Server("YOURLS", port, path, [], lambda: click_rows(database)[0], db_pids=mysqld))
            servers[-1].cpu = lambda pids=pids, mysqld=mysqld: (tree_cpu_seconds(pids), 0.0,
                                                                 tree_cpu_seconds(mysqld))
        for server in servers:                      # warm-up, not recorded
            run_wrk(f"http://127.0.0.1:{server.port}{server.path}", 2, 8, HEADERS)
        for round_number in range(1, args.rounds + 1):
            for connections in [int(c) for c in args.connections.split(",")]:
                for server in servers:
                    result = measure(server, connections, args.duration)
                    rows.append((round_number, connections, server.label, result))
                    print(round_number, connections, server.label, json.dumps(result), file=sys.stderr)
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
              f"{'-' if of_yourls is None else f'{of_yourls:.2f}'} | {result['p50']:.2f} ms | {result['p99']:.2f} ms | "
              f"{result['non3xx']} | {result.get('rows-3xx', '-')} | {result['cpu web']:.0f} | "
              f"{result['cpu worker']:.0f} "
              f"| {result['cpu db']:.0f} | {result['load']:.2f} |")
    print()
    print("| conns | server | median % of bare | median x YOURLS | median p50 | worst p99 | smallest rows - 3xx |")
    print("|---|---|---|---|---|---|---|")
    for (c, label), values in ratios.items():
        of_bare = statistics.median(v[0] for v in values)
        yourls = [v[1] for v in values if v[1] is not None]
        p50 = statistics.median(v[2]["p50"] for v in values)
        p99 = max(v[2]["p99"] for v in values)
        margins = [v[2]["rows-3xx"] for v in values if "rows-3xx" in v[2]]
        print(f"| {c} | {label} | {of_bare:.0f}% | {f'{statistics.median(yourls):.2f}' if yourls else '-'} | "
              f"{p50:.2f} ms | {p99:.2f} ms | {min(margins) if margins else '-'} |")
    for (c, label), values in ratios.items():
        if "events in run" in values[0][2]:
            delivered = [v[2]["events in run"] / max(v[2]["requests"] - v[2]["non3xx"], 1) for v in values]
            caught_up = [f"{t} s" if (t := v[2]["caught up s"]) is not None else "never (>120 s)" for v in values]
            print(f"{c} conns, {label}: events received during a run / scans answered in it: "
                  f"{', '.join(f'{100 * d:.0f}%' for d in delivered)}; every scan delivered "
                  f"{', '.join(caught_up)} after the run ended")
            rounds = [r for r, c2, name, _ in rows if c2 == c and name == label]
            paired = sorted(v[2]["rps"] / by_run[(r, c, label.removesuffix(" + webhook"))]["rps"]
                            for r, v in zip(rounds, values))
            print(f"{c} conns, {label}: req/s with / without the endpoint, per round (adjacent runs), sorted: "
                  f"{', '.join(f'{100 * p:.0f}%' for p in paired)}; median {100 * statistics.median(paired):.0f}%")
    for (c, label), values in ratios.items():
        if label.endswith(ROUTED) and (c, label[:-len(ROUTED)]) in ratios:
            plain = ratios[(c, label[:-len(ROUTED)])]
            rps = statistics.median(v[2]["rps"] for v in values) / statistics.median(v[2]["rps"] for v in plain)
            cpu = (statistics.median(v[2]["cpu web"] for v in values),
                   statistics.median(v[2]["cpu web"] for v in plain))
            print(f"{c} conns, {label}: {100 * rps:.1f}% of the plain code's median req/s; web CPU "
                  f"{cpu[0]:.0f} vs {cpu[1]:.0f} µs/request")


if __name__ == "__main__":
    main()
