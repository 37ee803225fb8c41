"""The production review's fault runs, repeated on this code (docs/operations.md "Measured").

    .venv/bin/python scripts/fault_runs.py [--redis redis://127.0.0.1:6379/12]

Runs production.ini as an operator would (configuration from the environment), on a PostgreSQL
database of its own (dropped at the end) and a Redis database you name: 2 web processes behind
haproxy, 2 workers. The web processes reach PostgreSQL through a TCP proxy this script controls, so
"PostgreSQL restarts" without touching the shared server. Prints one line per run:

- database outage under load: 302 / 503 / 500 / client errors, and acknowledged scans vs stored rows;
- rolling restart (SIGTERM each web process in turn, start it again) under load: failed requests;
- code-change latency between the two processes (PUT on one, polling the other), 20 trials;
- a 1000-item bulk job with one worker killed (kill -9) mid-slice: takeover and completion times;
- a web process whose Redis is unreachable: scans, warning lines, /readyz, bulk POST;
- a worker whose Redis is unreachable: exit status and time.

Numbers from a shared machine are upper bounds for times and lower bounds for throughput.
"""
import argparse
import os
import http.client
import json
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import text  # noqa: E402

from tests.helpers.own_database import own_postgres  # noqa: E402
from tests.helpers.processes import BIN, Process, start_haproxy, wait_until_ready  # noqa: E402
from tests.helpers.services import free_port  # noqa: E402
from tests.helpers.tcp_proxy import TcpProxy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BROWSER = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                         "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}


def call(port, method, path, body=None, headers=None, timeout=30):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        connection.request(method, path, json.dumps(body) if body is not None else None, all_headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Load:
    """Threads scanning one code through `port` with keep-alive; every outcome counted."""

    def __init__(self, port, short_id, threads=8):
        self.port, self.short_id = port, short_id
        self.counts, self.errors = {}, []
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.run) for _ in range(threads)]
        self.started, self.timeline = time.monotonic(), {}

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            try:
                connection.request("GET", f"/r/{self.short_id}", headers=BROWSER)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
                if response.status == 503 and response.getheader("Retry-After") is None:
                    outcome = "503 from haproxy"     # no server up: the app's 503 carries Retry-After
            except Exception as exc:  # noqa: BLE001 - counted, connection renewed
                outcome = type(exc).__name__
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.counts[outcome] = self.counts.get(outcome, 0) + 1
                second = int(time.monotonic() - self.started)
                self.timeline.setdefault(second, {})
                self.timeline[second][outcome] = self.timeline[second].get(outcome, 0) + 1
        connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def scans_of(engine, short_id):
    with engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM scans JOIN qr_codes ON qr_codes.id = scans.code_id "
                                       "WHERE qr_codes.short_id = :s"), {"s": short_id}).scalar()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, own_postgres("faults") as (url, engine, (key,)):
        run(Path(tmp), url, engine, key, args.redis)


def run(tmp, url, engine, key, redis_url):
    auth = {"Authorization": f"Bearer {key}"}
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname, parts.port or 5432)
    proxied = parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()
    env = {"EXAROUTES_DATABASE_URL": proxied, "EXAROUTES_REDIS_URL": redis_url,
           "EXAROUTES_REDIRECT_BASE": "https://qr.example.test", "EXAROUTES_SECRET": "fault-runs",
           "EXAROUTES_RATE_LIMIT_SCAN": "off", "EXAROUTES_RATE_LIMIT_API": "off"}
    ini = str(ROOT / "production.ini")
    processes = []

    def web(name, port, extra=None):
        process = Process(name, [str(BIN / "pserve"), ini], tmp / f"{name}.log",
                          {**env, "EXAROUTES_PORT": str(port), **(extra or {})})
        processes.append(process)
        return process

    def worker(name, extra=None):
        process = Process(name, [str(BIN / "exaroutes-worker"), ini], tmp / f"{name}.log",
                          {**env, "EXAROUTES_DATABASE_URL": url, **(extra or {})})
        processes.append(process)
        return process

    try:
        ports = [free_port(), free_port()]
        webs = [web(f"web{i}", port) for i, port in enumerate(ports)]
        for process, port in zip(webs, ports):
            wait_until_ready(process, port, timeout=120)
        workers = [worker(f"worker{i}") for i in range(2)]
        haproxy, lb = start_haproxy(tmp, ports, inter_ms=1000)
        processes.append(haproxy)
        status, _, raw = call(lb, "POST", "/api/qr/codes", {"data": "https://example.com/", "returnType": "svg"},
                              auth)
        short_id = json.loads(raw)["id"]

        # 1. PostgreSQL goes away for 3.4 s under load (as the review's restart took)
        before = scans_of(engine, short_id)
        with Load(lb, short_id) as load:
            time.sleep(4)
            proxy.cut()
            time.sleep(3.4)
            proxy.restore()
            time.sleep(6)
        stored = scans_of(engine, short_id) - before
        print(f"database outage (3.4 s) under load: {load.counts}; acknowledged {load.counts.get('302', 0)}, "
              f"stored {stored}")
        print("  per second:", " ".join(f"{s}:{dict(sorted(c.items()))}" for s, c in sorted(load.timeline.items())))
        if os.environ.get("FAULTS_ONLY_OUTAGE"):
            print(webs[0].log()[-3000:])
            return

        # 2. rolling restart under load (haproxy checks /readyz every second, 2 failures take a process out)
        before = scans_of(engine, short_id)
        exits = []
        with Load(lb, short_id) as load:
            time.sleep(2)
            for index, port in enumerate(ports):
                webs[index].signal(signal.SIGTERM)
                exits.append(webs[index].wait(60))
                webs[index] = web(f"web{index}-again", port)
                wait_until_ready(webs[index], port, timeout=120)
                time.sleep(3)       # haproxy: rise 2 x 1 s
        stored = scans_of(engine, short_id) - before
        print(f"rolling restart under load: {load.counts}; exit codes {exits}; acknowledged "
              f"{load.counts.get('302', 0)}, stored {stored}")

        # 3. code-change latency between the processes
        latencies = []
        for trial in range(20):
            call(ports[1], "GET", f"/r/{short_id}", headers=BROWSER)            # cached on B
            target = f"https://example.com/{trial}"
            call(ports[0], "PUT", f"/api/qr/codes/{short_id}", {"destination": target}, auth)
            started = time.monotonic()
            while call(ports[1], "GET", f"/r/{short_id}", headers=BROWSER)[1]["Location"] != target:
                time.sleep(0.001)
            latencies.append((time.monotonic() - started) * 1000)
        print(f"code change seen by the other process: median {statistics.median(latencies):.0f} ms, "
              f"max {max(latencies):.0f} ms (20 trials; each poll is one HTTP round trip)")

        # 4. a 1000-item bulk job, one worker killed mid-slice
        items = [{"data": f"https://example.com/item/{i}"} for i in range(1000)]
        posted = time.monotonic()
        status, _, raw = call(lb, "POST", "/api/qr/codes/bulk", items, auth)
        bulk_id = json.loads(raw)["bulkId"]
        victim = workers[0]

        def held():
            with engine.connect() as connection:
                return connection.execute(text("SELECT start FROM bulk_slices WHERE owner LIKE :o AND finished_at "
                                               "IS NULL"), {"o": f"%:{victim.pid}:%"}).scalar()

        def processed():
            with engine.connect() as connection:
                return connection.execute(text("SELECT COUNT(*) FROM bulk_items JOIN bulk_jobs ON bulk_jobs.id = "
                                               "bulk_items.job_id WHERE bulk_id = :b"), {"b": bulk_id}).scalar()

        while processed() < 300 or held() is None:
            time.sleep(0.05)
        start = held()
        victim.signal(signal.SIGKILL)
        killed = time.monotonic()
        taken = None
        while True:
            with engine.connect() as connection:
                job = connection.execute(text("SELECT status FROM bulk_jobs WHERE bulk_id = :b"),
                                         {"b": bulk_id}).scalar()
                owner = connection.execute(text("SELECT owner, finished_at FROM bulk_slices JOIN bulk_jobs ON "
                                                "bulk_jobs.id = job_id WHERE bulk_id = :b AND start = :s"),
                                           {"b": bulk_id, "s": start}).one()
            moved = owner.finished_at is not None or (owner.owner and f":{victim.pid}:" not in owner.owner)
            if taken is None and moved:
                taken = time.monotonic() - killed
            if job in ("completed", "failed"):
                break
            time.sleep(0.1)
        done = time.monotonic()
        with engine.connect() as connection:
            counts = connection.execute(text("SELECT COUNT(*), COUNT(DISTINCT code_id) FROM bulk_items "
                                             "JOIN bulk_jobs ON bulk_jobs.id = job_id WHERE bulk_id = :b"),
                                        {"b": bulk_id}).one()
        print(f"bulk 1000 items, kill -9 of a worker at {processed_at_kill(killed, posted)}: slice {start} taken over "
              f"after {taken:.1f} s, job {job} {done - killed:.1f} s after the kill ({done - posted:.1f} s in all); "
              f"items {counts[0]}, distinct codes {counts[1]}")

        # 5. a web process whose Redis is unreachable
        dead = free_port()
        lonely_port = free_port()
        lonely = web("web-noredis", lonely_port, {"EXAROUTES_REDIS_URL": f"redis://127.0.0.1:{dead}/0",
                                                  "EXAROUTES_RATE_LIMIT_SCAN": "600/minute"})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if call(lonely_port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        statuses = {}
        started = time.monotonic()
        for _ in range(700):
            code = call(lonely_port, "GET", f"/r/{short_id}", headers=BROWSER)[0]
            statuses[code] = statuses.get(code, 0) + 1
        per_scan = (time.monotonic() - started) / 700 * 1000
        ready = call(lonely_port, "GET", "/readyz")
        bulk = call(lonely_port, "POST", "/api/qr/codes/bulk", items[:3], auth)
        warnings = sum("Redis unavailable" in line for line in lonely.log().splitlines())
        print(f"web process without Redis: 700 scans {statuses} ({per_scan:.1f} ms each), warning lines {warnings}, "
              f"/readyz {ready[0]} {ready[2].decode()}, bulk POST {bulk[0]} Retry-After={bulk[1]['Retry-After']}")

        # 6. a worker whose Redis is unreachable
        orphan = worker("worker-noredis", {"EXAROUTES_REDIS_URL": f"redis://127.0.0.1:{dead}/0"})
        started = time.monotonic()
        code = orphan.wait(120)
        print(f"worker without Redis: exit status {code} after {time.monotonic() - started:.1f} s")
    finally:
        for process in processes:
            process.stop()
        proxy.close()


def processed_at_kill(killed, posted):
    return f"t={killed - posted:.1f} s"


if __name__ == "__main__":
    main()
