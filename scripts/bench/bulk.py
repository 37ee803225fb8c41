#!/usr/bin/env python3
"""Bulk benchmark (issue 7): time from POST to `completed` for 1000 URL codes (PNG, default style),
the archive size, and the peak memory of the processes that did the work.

    .venv/bin/python scripts/bench/bulk.py [--items 1000] [--setup embedded|production|both]

embedded:   pserve with SQLite + SqliteHuey, the consumer inside the web process (development.ini's setup)
production: pserve with PostgreSQL + RedisHuey, and 2 separate `exaroutes-worker` processes

Each line also has `render_floor_1_thread_seconds`: the same number of bare renders in one thread,
measured in the same run (the baseline), and the machine's 1-minute load average.

`--py-spy DIR` records a py-spy profile (collapsed stacks) of every working process from POST to
completion (py-spy comes with the `bench` extra).

Needs PostgreSQL at 127.0.0.1:5432 (trust) and Redis at 127.0.0.1:6379 (database 12) for `production`.
Servers listen on ports 8280-8281. Everything lives in a temporary directory and is removed afterwards.
Smallest run (a few seconds per setup): --items 20
"""
import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (environment, load, log_says, make_key, postgres_database, py_spy, serve,  # noqa: E402
                     write_ini)

REDIS = "redis://127.0.0.1:6379/12"
#: the consumers' start line (the clock starts when every consumer is ready) and the workers' slice lines
LOGGERS = {"huey.consumer": "INFO", "exaroutes.bulk": "INFO"}
CONSUMER_STARTED = "Huey consumer started"


def slice_log(logs):
    """The workers' `items a-b done in s` lines, so a run shows how the slices were shared."""
    return [line.split("] ", 1)[-1] for log in logs for line in log.read_text().splitlines() if " done in " in line]


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


def run(setup, items, workdir, embedded_workers=2, spy_directory=None):
    port = {"embedded": 8280, "production": 8281}[setup]
    base = f"http://127.0.0.1:{port}"
    settings = {"exaroutes.redirect_base": base}
    with contextlib.ExitStack() as stack:
        if setup == "embedded":
            settings.update({"sqlalchemy.url": f"sqlite:///{workdir}/bench.sqlite",
                             "exaroutes.jobs.url": f"sqlite:///{workdir}/jobs.sqlite",
                             "exaroutes.jobs.embedded_consumer": "true",
                             "exaroutes.jobs.workers": str(embedded_workers)})
        else:
            settings.update({"sqlalchemy.url": stack.enter_context(postgres_database()), "exaroutes.jobs.url": REDIS,
                             "exaroutes.jobs.name": f"exaroutes-bench-{uuid.uuid4().hex[:8]}",
                             "exaroutes.jobs.embedded_consumer": "false", "exaroutes.jobs.workers": "1"})
        ini = write_ini(workdir / "bench.ini", settings, port=port, threads=8, loggers=LOGGERS)
        env = environment()
        key = make_key(ini, env)
        logs = [workdir / f"process-{i}.log" for i in range(3 if setup == "production" else 1)]
        if setup == "embedded":           # the web process does the work
            working = [stack.enter_context(serve(ini, port, env, log=logs[0],
                                                 ready=log_says(logs[0], CONSUMER_STARTED)))]
        else:
            stack.enter_context(serve(ini, port, env, log=logs[0]))
            working = [stack.enter_context(serve(ini, env=env, program="exaroutes-worker", log=log,
                                                 ready=log_says(log, CONSUMER_STARTED))) for log in logs[1:]]
        time.sleep(0.5)          # a consumer logs its start just before its threads take their first task
        profiling = py_spy(working, spy_directory, setup) if spy_directory else contextlib.nullcontext()
        with profiling:
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
        archive = call("GET", f"{base}/api/qr/codes/bulk/{bulk_id}/result", key)[1]
        return {"setup": setup, "threads": settings["exaroutes.jobs.workers"], "items": items,
                "post_seconds": round(accepted, 3), "to_completed_seconds": round(elapsed, 2),
                "status": job["status"], "succeeded": job["succeeded"],
                "archive_bytes": len(archive),
                "peak_rss_mb": [round(peak_rss_mb(p.pid), 1) for p in working],
                "slices": [f"{log.name}: {line}" for log in logs for line in slice_log([log])]}


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--setup", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--embedded-workers", type=int, default=2, help="consumer threads (development.ini: 2)")
    parser.add_argument("--py-spy", help="directory for py-spy profiles of the working processes")
    args = parser.parse_args(argv)
    if args.py_spy:
        os.makedirs(args.py_spy, exist_ok=True)
    setups = ["embedded", "production"] if args.setup == "both" else [args.setup]
    for setup in setups:
        with tempfile.TemporaryDirectory(prefix="exaroutes-bench-") as workdir:
            result = run(setup, args.items, Path(workdir), args.embedded_workers, args.py_spy)
            result["render_floor_1_thread_seconds"] = render_floor(args.items)
            result["loadavg_1min"] = round(load(), 2)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
