"""What a burst of scans costs with a webhook endpoint subscribed to scan.created (issue 17).

Three timed phases on a fresh database, in this process, through the app's real machinery:
  A  N scans recorded as the redirect records them (one INSERT each), then folded into scans and
     rollups by the folder (exaroutes.codes.fold), no endpoint subscribed (the baseline);
  B  N scans the same way, one endpoint subscribed: each folded batch also writes one outbox row
     holding the batch's events (exaroutes.webhooks.outbox.add_scan_events) in the same commit;
  C  expanding those rows into N deliveries (one per event) and delivering them to a receiver in
     this process (answers 204) with W dispatcher threads, as W huey worker threads would run
     `webhooks.dispatch`.
Scans come from T threads at once (as waitress threads would hand them over), so batches form.
Printed: seconds and scans/s per phase, outbox rows and their body size, deliveries/s.

Usage: .venv/bin/python scripts/bench/webhook_burst.py [--scans 10000] [--backend sqlite|postgresql]
       [--threads 32] [--workers 2]
Smallest run (a few seconds): --scans 200
Needs PostgreSQL at 127.0.0.1:5432 (trust auth) for --backend postgresql.
"""
import argparse
import concurrent.futures
import contextlib
import datetime
import os
import shutil
import sys
import tempfile
import time

import webtest
from sqlalchemy import func, select

from exaroutes import main as make_app
from exaroutes.clock import utcnow
from exaroutes.models import QrCode, WebhookDelivery
from exaroutes.webhooks.delivery import dispatch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import migrated_database, postgres_database  # noqa: E402
from redirect import Receiver  # noqa: E402


def scans_of(code, count, salt):
    now = utcnow()
    return [{"code_id": code["pk"], "workspace_id": code["workspace_id"], "short_id": code["id"],
             "scanned_at": now + datetime.timedelta(microseconds=i), "country": "DE", "device": "mobile", "os": "iOS",
             "browser": "Mobile Safari", "referrer": None, "visitor": f"{salt}-{i:08d}"} for i in range(count)]


def record_all(registry, scans, threads):
    """Record every scan from `threads` threads, then fold them all; seconds until the last fold commits."""
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(registry["scan_recorder"].record, scans, chunksize=16))
    while registry["scan_folder"].fold_once():
        pass
    return time.perf_counter() - started


def deliver_all(registry, workers):
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        attempts = sum(pool.map(lambda _: dispatch(registry), range(workers)))
    return time.perf_counter() - started, attempts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="exaroutes-webhook-burst-")
    database = contextlib.ExitStack()
    try:
        if args.backend == "sqlite":
            url = f"sqlite:///{workdir}/bench.sqlite"
        else:
            url = database.enter_context(postgres_database())
        engine, key = migrated_database(url)
        app = make_app({}, dbengine=engine, **{
            "sqlalchemy.url": url, "exaroutes.secret": "bench", "exaroutes.jobs.url": f"sqlite:///{workdir}/jobs.sqlite",
            "exaroutes.webhooks.allow_http": "true", "exaroutes.webhooks.allow_private": "true"})
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        auth = {"Authorization": f"Bearer {key}"}
        code = client.post_json("/api/qr/codes", {"data": "https://example.com/burst", "returnType": "svg"},
                                headers=auth).json
        with engine.connect() as connection:
            row = connection.execute(select(QrCode.id, QrCode.workspace_id).where(QrCode.short_id == code["id"])).one()
        code.update(pk=row.id, workspace_id=row.workspace_id)
        baseline = record_all(app.registry, scans_of(code, args.scans, "a"), args.threads)
        receiver = Receiver()
        client.post_json("/api/webhooks", {"url": receiver.url, "events": ["scan.created"]}, headers=auth)
        subscribed = record_all(app.registry, scans_of(code, args.scans, "b"), args.threads)
        with engine.connect() as connection:
            rows = connection.scalar(select(func.count()).select_from(WebhookDelivery))
            body_bytes = connection.scalar(select(func.sum(func.length(WebhookDelivery.body))))
        seconds, attempts = deliver_all(app.registry, args.workers)
        with engine.connect() as connection:
            succeeded = connection.scalar(select(func.count()).select_from(WebhookDelivery)
                                          .where(WebhookDelivery.status == "succeeded"))
            table_bytes = (connection.exec_driver_sql("SELECT pg_total_relation_size('webhook_deliveries')").scalar()
                           if args.backend == "postgresql" else None)
        load = os.getloadavg()[0]
    finally:
        database.close()
        shutil.rmtree(workdir, ignore_errors=True)
    n = args.scans
    print(f"{args.backend}, {n} scans from {args.threads} threads, {args.workers} delivery threads, "
          f"{os.cpu_count()} CPUs, load (1 min) {load:.2f}")
    print("| phase | seconds | per second |")
    print("|---|---|---|")
    print(f"| A scans, no endpoint | {baseline:.2f} | {n / baseline:.0f} scans |")
    print(f"| B scans, 1 endpoint subscribed | {subscribed:.2f} | {n / subscribed:.0f} scans |")
    print(f"| C deliver the outbox | {seconds:.2f} | {attempts / seconds:.0f} deliveries |")
    print(f"outbox rows written by the folder in B: {rows} (one per batch), {body_bytes / n:.0f} bytes "
          f"of event data per scan; delivery rows after expansion: {succeeded}"
          + (f", table with indexes {table_bytes / 1e6:.1f} MB" if table_bytes else ""))
    print(f"HTTP requests received: {receiver.count}; deliveries succeeded: {succeeded}; attempts: {attempts}")
    print(f"record + fold time per scan: {1e6 * baseline / n:.0f} µs without, {1e6 * subscribed / n:.0f} µs with "
          f"({100 * (subscribed - baseline) / baseline:+.0f}%)")


if __name__ == "__main__":
    main()
