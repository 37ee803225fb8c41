"""Issue 7: kill -9 the workers in the middle of a 1000-item job, start one again, and the job completes
with exactly `total` codes and a correct archive. Real `exaroutes-worker` processes on RedisHuey,
on SQLite and on PostgreSQL; `processed` is polled and seen to grow while they run.
"""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import webtest
from sqlalchemy import text

from exaroutes import main
from tests.helpers.bulk import all_codes, check_archive, url_items
from tests.helpers.processes import wait_for
from tests.helpers.services import redis_url

TOTAL = 1000
STALE_SECONDS = 2
WORKER = str(Path(sys.executable).parent / "exaroutes-worker")


@pytest.fixture
def redis_jobs(app_settings, database_url, tmp_path):
    """(web app settings, worker ini path) sharing one RedisHuey queue under a name of its own."""
    url = redis_url()
    name = f"exaroutes-test-{uuid.uuid4().hex[:8]}"
    # Chunks of 5 (25 in the shipped ini): progress moves in small committed steps, so the test sees it
    # grow and can stop the workers well before the job is done, even on a loaded machine.
    jobs = {"exaroutes.jobs.url": url, "exaroutes.jobs.name": name,
            "exaroutes.jobs.stale_seconds": str(STALE_SECONDS), "exaroutes.jobs.workers": "1",
            "exaroutes.jobs.bulk_chunk_size": "5"}
    ini = tmp_path / "worker.ini"
    lines = [f"{key} = {value}" for key, value in {**app_settings, **jobs}.items()]
    ini.write_text("[app:main]\nuse = egg:exaroutes\n" + "\n".join(lines).replace("%", "%%") + "\n")
    yield {**app_settings, **jobs}, str(ini)


class Workers:
    def __init__(self, ini, log_dir):
        self.ini, self.log_dir, self.processes = ini, log_dir, []

    def start(self, count):
        for _ in range(count):
            log = open(self.log_dir / f"worker-{len(self.processes)}.log", "wb")
            self.processes.append(subprocess.Popen([WORKER, self.ini], stdout=log, stderr=subprocess.STDOUT))

    def kill(self):
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture
def workers(redis_jobs, tmp_path):
    running = Workers(redis_jobs[1], tmp_path)
    yield running
    running.kill()


def test_killed_workers_neither_lose_nor_duplicate_codes(dbengine, redis_jobs, workers, auth, tmp_path):
    settings, _ = redis_jobs
    client = webtest.TestApp(main({}, dbengine=dbengine, **settings), extra_environ={"HTTP_HOST": "localhost"})
    huey = client.app.registry["huey"]
    try:
        items = url_items(TOTAL, size=80)    # small images: the test decodes all 1000
        bulk_id = client.post_json("/api/qr/codes/bulk", items, headers=auth, status=202).json["bulkId"]

        def status():
            return client.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json

        workers.start(2)
        seen = []

        def midway():
            processed = status()["processed"]
            if not seen or processed != seen[-1]:
                seen.append(processed)
            grown = len([p for p in seen if p > 0]) >= 2
            return processed if processed >= 200 and grown else None

        wait_for(midway, timeout=120, interval=0.02)
        workers.kill()
        before_restart = status()
        assert before_restart["status"] == "processing" and 200 <= before_restart["processed"] < TOTAL
        assert seen == sorted(seen)    # progress only grows, and (midway) showed at least two steps

        time.sleep(STALE_SECONDS + 0.5)      # silent long enough for the restarted worker's sweep
        workers.start(2)
        final = wait_for(lambda: (s := status())["status"] == "completed" and s or None, timeout=180, interval=0.3)
        assert (final["total"], final["processed"], final["succeeded"], final["failed"]) == (TOTAL, TOTAL, TOTAL, 0)
        with dbengine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM qr_codes")).scalar() == TOTAL
            assert connection.execute(text("SELECT COUNT(DISTINCT code_id) FROM bulk_items")).scalar() == TOTAL

        result = client.get(f"/api/qr/codes/bulk/{bulk_id}/result", headers=auth)
        check_archive(result.body, [item["data"] for item in items], all_codes(client, auth))
    finally:
        workers.kill()
        huey.flush()
