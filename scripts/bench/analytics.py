"""Analytics benchmark: p50/p95 of `GET /api/qr/codes/{id}/analytics?days=90` through waitress.

Seeds a fresh PostgreSQL database with SQL (generate_series, no Python row by row):
  phase 1  one code with 1,000,000 scans over the last 90 days
  phase 2  the same workspace grows to 10,000,000 scans: 1,000 more codes with 9,000 scans each
The rollups are built from the raw rows in SQL, as the live pipeline would have left them. In each
phase the API call is timed (sequential requests to a production.ini server), next to the raw-row
aggregation the analytics used before rollups (the same numbers from `scans`), as a baseline.

Usage: .venv/bin/python scripts/bench/analytics.py [--scans 1000000] [--workspace-scans 10000000] [--requests 200]
Smallest run (a few seconds): --scans 10000 --workspace-scans 20000 --other-codes 10 --requests 20
Needs PostgreSQL at 127.0.0.1:5432 (trust auth). Port 7673.
"""
import argparse
import contextlib
import datetime
import os
import statistics
import sys
import tempfile
import time
import urllib.request

from sqlalchemy import text

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import environment, migrated_database, postgres_database, serve, write_ini  # noqa: E402

PORT = 7673

SEED_SCANS = """
INSERT INTO scans (code_id, scanned_at, country, device, os, browser, referrer, visitor)
SELECT {code_expr},
       :now - (random() * 90 * 86400) * interval '1 second',
       (ARRAY['US','DE','FR','GB','JP','BR','IN','ES','IT','unknown'])[1 + floor(random() * 10)::int],
       (ARRAY['mobile','mobile','mobile','tablet','desktop'])[1 + floor(random() * 5)::int],
       (ARRAY['iOS','Android','Windows','Mac OS X','Linux'])[1 + floor(random() * 5)::int],
       (ARRAY['Mobile Safari','Chrome Mobile','Chrome','Firefox','Edge','Samsung Internet'])
           [1 + floor(random() * 6)::int],
       (ARRAY[NULL,NULL,NULL,'news.example.org','mail.example.com','t.co'])[1 + floor(random() * 6)::int],
       md5((g % {visitors})::text)
FROM generate_series(1, {count}) AS g
"""

# Every dimension of a scan as (dimension, value) pairs, unnested and counted per code and day.
BUILD_ROLLUPS = """
INSERT INTO scan_rollups (code_id, day, dimension, value, scans)
SELECT code_id, day, dimension, value, COUNT(*)
FROM (SELECT code_id, CAST(scanned_at AS DATE) AS day,
             unnest(ARRAY['scans','country','device','os','browser','referrer']) AS dimension,
             unnest(ARRAY['', country, coalesce(device,'unknown'), coalesce(os,'unknown'),
                          coalesce(browser,'unknown'), coalesce(referrer,'unknown')]) AS value
      FROM scans WHERE code_id >= :first_code) AS facts
GROUP BY code_id, day, dimension, value
"""
BUILD_UNIQUES = """
INSERT INTO scan_rollups (code_id, day, dimension, value, scans)
SELECT code_id, CAST(scanned_at AS DATE), 'unique', '', COUNT(DISTINCT visitor)
FROM scans WHERE code_id >= :first_code GROUP BY code_id, CAST(scanned_at AS DATE)
"""
# What the analytics computed before rollups: every raw row of the window, grouped.
RAW_BASELINE = """
SELECT CAST(scanned_at AS DATE), country, device, os, browser, referrer, COUNT(*), COUNT(DISTINCT visitor)
FROM scans WHERE code_id = :code_id AND scanned_at >= :start
GROUP BY 1, 2, 3, 4, 5, 6
"""


def insert_codes(connection, workspace_id, count):
    """`count` codes straight in SQL; returns their ids, lowest first."""
    rows = connection.execute(text(
        "INSERT INTO qr_codes (short_id, workspace_id, type, data_type, data, destination, format, style, "
        "status, protections, encrypted, image, image_etag, created_at, updated_at) "
        "SELECT substr(md5(random()::text || g::text), 1, 8), :ws, 'dynamic', 'url', '\"https://example.com/\"', "
        "'https://example.com/', 'png', '{}', 'active', '[]', false, '', 'bench', :now, :now "
        "FROM generate_series(1, :count) AS g RETURNING id, short_id"),
        {"ws": workspace_id, "now": now(), "count": count}).all()
    return sorted(rows)


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def timed(label, fn):
    started = time.monotonic()
    result = fn()
    print(f"  {label}: {time.monotonic() - started:.1f} s", flush=True)
    return result


def measure_api(key, short_id, requests):
    url = f"http://127.0.0.1:{PORT}/api/qr/codes/{short_id}/analytics?days=90"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    samples = []
    for i in range(requests + 10):
        started = time.perf_counter()
        urllib.request.urlopen(request).read()
        if i >= 10:                      # the first requests warm caches and connections
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def measure_raw(engine, code_id, runs=5):
    start = datetime.datetime.combine(now().date() - datetime.timedelta(days=89), datetime.time())
    samples = []
    with engine.connect() as connection:
        for _ in range(runs):
            started = time.perf_counter()
            connection.execute(text(RAW_BASELINE), {"code_id": code_id, "start": start}).all()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def seed(engine, scans, first_code, code_expr, visitors):
    """`scans` raw scans of the codes `code_expr` names, then their rollups, as the live pipeline leaves them."""
    with engine.begin() as connection:
        timed("raw scans", lambda: connection.execute(text(SEED_SCANS.format(
            code_expr=code_expr, visitors=visitors, count=scans)), {"now": now()}))
        timed("rollups", lambda: (connection.execute(text(BUILD_ROLLUPS), {"first_code": first_code}),
                                  connection.execute(text(BUILD_UNIQUES), {"first_code": first_code})))
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--workspace-scans", type=int, default=10_000_000)
    parser.add_argument("--other-codes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    results = []
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="exaroutes-bench-"))
        url = stack.enter_context(postgres_database())
        engine, key = migrated_database(url)
        stack.callback(engine.dispose)
        with engine.begin() as connection:
            workspace_id = connection.scalar(text("SELECT id FROM workspaces WHERE name = 'bench'"))
            [(big_id, big_short)] = insert_codes(connection, workspace_id, 1)
        print(f"phase 1: one code with {args.scans:,} scans", flush=True)
        seed(engine, args.scans, big_id, big_id, args.scans // 3)
        ini = write_ini(os.path.join(workdir, "bench.ini"), {"sqlalchemy.url": url}, source="production.ini",
                        port=PORT)
        stack.enter_context(serve(ini, PORT, environment(EXAROUTES_DATABASE_URL=url, EXAROUTES_SECRET="bench")))
        p50, p95 = measure_api(key, big_short, args.requests)
        results.append((f"code with {args.scans:,} scans (workspace {args.scans:,})", p50, p95,
                        measure_raw(engine, big_id)))

        rest = args.workspace_scans - args.scans
        per_code = rest // args.other_codes
        print(f"phase 2: {args.other_codes:,} more codes with {per_code:,} scans each", flush=True)
        with engine.begin() as connection:
            others = insert_codes(connection, workspace_id, args.other_codes)
        first, last = others[0][0], others[-1][0]
        seed(engine, rest, first, f"{first} + (g % {last - first + 1})", rest // 3)
        with engine.connect() as connection:
            total = connection.scalar(text("SELECT COUNT(*) FROM scans"))
            rollup_rows = connection.scalar(text("SELECT COUNT(*) FROM scan_rollups"))
        p50, p95 = measure_api(key, big_short, args.requests)
        results.append((f"code with {args.scans:,} scans (workspace {total:,})", p50, p95,
                        measure_raw(engine, big_id)))
        p50, p95 = measure_api(key, others[0][1], args.requests)
        results.append((f"code with {per_code:,} scans (workspace {total:,})", p50, p95,
                        measure_raw(engine, others[0][0])))
    print(f"{args.requests} sequential requests each, days=90, production.ini (PostgreSQL), "
          f"{rollup_rows:,} rollup rows in all")
    print("| analytics of | p50 | p95 | raw-row aggregation (old way), median |")
    print("|---|---|---|---|")
    for label, p50, p95, raw in results:
        print(f"| {label} | {p50:.1f} ms | {p95:.1f} ms | {raw:.0f} ms |")


if __name__ == "__main__":
    main()
