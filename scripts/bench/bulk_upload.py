#!/usr/bin/env python3
"""Dashboard bulk upload (issue 10): what a 1000-row CSV costs the request, against the API's JSON POST.

    .venv/bin/python scripts/bench/bulk_upload.py [--rows 1000] [--rounds 7]

Both requests carry the same 1000 items (URL codes, every third with a style, every fifth a text code)
and store the same job; the upload also reads the multipart body, decodes and parses the CSV and
converts each cell. They run in-process through WebTest (the whole WSGI stack, pyramid_tm
included) on a temporary SQLite database, alternating, and the median of each is printed with the
machine's 1-minute load average. No worker runs: this is the request alone.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import app_client, load  # noqa: E402


def items_and_csv(rows):
    items, lines = [], ["data,dataType,size,foregroundColor"]
    for n in range(rows):
        item = {"data": f"https://example.com/item/{n}"} if n % 5 else {"data": f"note {n}", "dataType": "text"}
        if n % 3 == 0:
            item.update(size=300, foregroundColor="#123456")
        items.append(item)
        lines.append(",".join([item["data"], item.get("dataType", ""), str(item.get("size", "")),
                               item.get("foregroundColor", "")]))
    return items, ("\n".join(lines) + "\n").encode()


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    items, content = items_and_csv(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        client, key = app_client(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", {
            "exaroutes.secret": "bench", "exaroutes.jobs.url": f"sqlite:///{Path(tmp) / 'jobs.sqlite'}"})
        form = client.get("/dashboard/signin").forms["signin"]
        form["key"] = key
        form.submit()
        token = client.get("/dashboard/bulk").forms["bulk-upload"]["csrf_token"].value
        auth = {"Authorization": f"Bearer {key}"}

        def upload():
            client.post("/dashboard/bulk", {"csrf_token": token}, upload_files=[("file", "b.csv", content)],
                        status=303)

        def api():
            client.post_json("/api/qr/codes/bulk", items, headers=auth, status=202)

        upload_times, api_times = [], []
        for _ in range(args.rounds):
            upload_times.append(timed(upload))
            api_times.append(timed(api))
        client.app.registry["huey"].flush()
    print(json.dumps({
        "rows": args.rows, "rounds": args.rounds, "csv_bytes": len(content),
        "upload_median_s": round(statistics.median(upload_times), 3),
        "api_json_median_s": round(statistics.median(api_times), 3),
        "upload_min_s": round(min(upload_times), 3), "api_json_min_s": round(min(api_times), 3),
        "load_1min": load(),
    }))


if __name__ == "__main__":
    main()
