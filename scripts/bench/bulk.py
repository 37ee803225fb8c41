#!/usr/bin/env python3
"""Bulk benchmark (issue 7): time from POST to `completed` for 1000 URL codes (PNG, default style),
the archive size, and the peak memory of the processes that did the work.

    .venv/bin/python scripts/bench/bulk.py [--items 1000] [--setup embedded|production|both]

embedded:   pserve with SQLite + SqliteHuey, the consumer inside the web process (development.ini's setup)
production: pserve with PostgreSQL + RedisHuey, and 2 separate `exaroutes-worker` processes

Each line also has `render_floor_1_thread_seconds`: the same number of bare renders in one thread,
measured in the same run (the baseline), and the machine's 1-minute load average.

`--py-spy DIR` records a py-spy profile (collapsed stacks) of every working process from POST to
completion (needs `pip install py-spy`).

Needs PostgreSQL at 127.0.0.1:5432 (trust) and Redis at 127.0.0.1:6379 (database 12) for `production`.
Servers listen on ports 8280-8281. Everything lives in a temporary directory and is removed afterwards.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.helpers.services import create_postgres_database  # noqa: E402

BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379/12"
LOGGING = """
[loggers]
keys = root, consumer, jobs
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[logger_consumer]
level = INFO
handlers =
qualname = huey.consumer
[logger_jobs]
level = INFO
handlers =
qualname = exaroutes.jobs
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def slice_log(logs):
    """The workers' `items a-b done in s` lines, so a run shows how the slices were shared."""
    return [line.split("] ", 1)[-1] for log in logs for line in log.read_text().splitlines() if " done in " in line]


def write_ini(directory, settings, port):
    lines = "\n".join(f"{k} = {v}" for k, v in settings.items())
    path = directory / "bench.ini"
    path.write_text(f"[app:main]\nuse = egg:exaroutes\n{lines}\n\n[server:main]\nuse = egg:exaroutes#waitress\n"
                    f"host = 127.0.0.1\nport = {port}\nthreads = 8\n" + LOGGING)
    return str(path)


def peak_rss_mb(pid):
    """VmHWM: the highest resident set size the process reached."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def call(method, url, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.status, response.read()


def wait_until_up(base, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/openapi.json", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def wait_for_consumers(logs, timeout=60):
    deadline = time.monotonic() + timeout
    while not all("Huey consumer started" in log.read_text() for log in logs):
        if time.monotonic() > deadline:
            raise RuntimeError("consumers did not start: " + " ".join(log.read_text()[-500:] for log in logs))
        time.sleep(0.1)
    time.sleep(0.5)


def spy_on(processes, directory, setup):
    """py-spy (collapsed stacks) on each working process until it exits or the job is done."""
    return [subprocess.Popen(["py-spy", "record", "--format", "raw", "--rate", "200", "--pid", str(p.pid),
                              "--output", os.path.join(directory, f"{setup}-{i}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for i, p in enumerate(processes)]


def run(setup, items, workdir, embedded_workers=2, py_spy=None):
    port = {"embedded": 8280, "production": 8281}[setup]
    base = f"http://127.0.0.1:{port}"
    settings = {"exaroutes.redirect_base": base}
    drop = None
    if setup == "embedded":
        settings.update({"sqlalchemy.url": f"sqlite:///{workdir}/bench.sqlite",
                         "exaroutes.jobs.url": f"sqlite:///{workdir}/jobs.sqlite",
                         "exaroutes.jobs.embedded_consumer": "true",
                         "exaroutes.jobs.workers": str(embedded_workers)})
    else:
        url, drop = create_postgres_database()     # the test suite's throw-away database
        settings.update({"sqlalchemy.url": url, "exaroutes.jobs.url": REDIS,
                         "exaroutes.jobs.name": f"exaroutes-bench-{uuid.uuid4().hex[:8]}",
                         "exaroutes.jobs.embedded_consumer": "false", "exaroutes.jobs.workers": "1"})
    ini = write_ini(workdir, settings, port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXAROUTES_")}
    subprocess.run([BIN / "exaroutes-db", "upgrade", ini], check=True, env=env, capture_output=True)
    key = subprocess.run([BIN / "exaroutes-keys", "create", ini, "--workspace", "bench"], check=True, env=env,
                         capture_output=True, text=True).stdout.strip()
    def start(*argv):
        log = workdir / f"process-{len(logs)}.log"
        logs.append(log)
        return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))

    logs = []
    processes = [start(BIN / "pserve", ini)]
    workers = []
    if setup == "production":
        workers = [start(BIN / "exaroutes-worker", ini) for _ in range(2)]
        processes += workers
    try:
        wait_until_up(base)
        wait_for_consumers(logs[1:] if workers else logs)     # the clock starts when every consumer is ready
        spies = spy_on(workers or processes, py_spy, setup) if py_spy else []
        body = [{"data": f"https://example.com/bench/{i}"} for i in range(items)]
        started = time.monotonic()
        status, answer = call("POST", base + "/api/qr/codes/bulk", key, body)
        accepted = time.monotonic() - started
        bulk_id = json.loads(answer)["bulkId"]
        while True:
            job = json.loads(call("GET", f"{base}/api/qr/codes/bulk/{bulk_id}", key)[1])
            if job["status"] in ("completed", "failed"):
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        for spy in spies:
            spy.send_signal(signal.SIGINT)     # py-spy writes its profile on SIGINT
            spy.wait(30)
        archive = call("GET", f"{base}/api/qr/codes/bulk/{bulk_id}/result", key)[1]
        working = workers or processes[:1]
        return {"setup": setup, "threads": settings["exaroutes.jobs.workers"], "items": items,
                "post_seconds": round(accepted, 3), "to_completed_seconds": round(elapsed, 2),
                "status": job["status"], "succeeded": job["succeeded"],
                "archive_bytes": len(archive),
                "peak_rss_mb": [round(peak_rss_mb(p.pid), 1) for p in working],
                "slices": [f"{log.name}: {line}" for log in logs for line in slice_log([log])]}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
        if drop:
            drop()


def render_floor(items):
    """Seconds for `items` bare renders in one thread: the floor a single worker cannot beat.

    Measured in the same run as the jobs, because the shared machine's load moves every number.
    """
    from exaroutes.plugins.registry import (BUILTIN_DATATYPES, BUILTIN_RENDERERS, DATATYPES, RENDERERS,
                                            load_plugins)
    from exaroutes.imaging.render import render
    registry = {"datatypes": load_plugins(DATATYPES, BUILTIN_DATATYPES),
                "renderers": load_plugins(RENDERERS, BUILTIN_RENDERERS)}
    started = time.monotonic()
    for i in range(items):
        render(registry, f"http://127.0.0.1:8280/r/Bench{i:03d}", "png", {})
    return round(time.monotonic() - started, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--setup", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--embedded-workers", type=int, default=2, help="consumer threads (development.ini: 2)")
    parser.add_argument("--py-spy", help="directory for py-spy profiles of the working processes")
    args = parser.parse_args()
    if args.py_spy:
        os.makedirs(args.py_spy, exist_ok=True)
    setups = ["embedded", "production"] if args.setup == "both" else [args.setup]
    for setup in setups:
        with tempfile.TemporaryDirectory(prefix="exaroutes-bench-") as workdir:
            result = run(setup, args.items, Path(workdir), args.embedded_workers, args.py_spy)
            result["render_floor_1_thread_seconds"] = render_floor(args.items)
            result["loadavg_1min"] = round(os.getloadavg()[0], 2)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
