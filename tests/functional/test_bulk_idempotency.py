"""Idempotency-Key on POST /api/qr/codes/bulk (DESIGN.md §1.1): a retry gets the first 202 and one job runs.

A bulk retry matters more than a single create: a lost 202 retried without the key would queue
1000 codes twice. The queue is checked as well as the tables, since the work is queued after commit.
"""
from tests.helpers.bulk import all_codes, check_archive, drain, url_items
from tests.helpers.http import assert_error_shape, concurrent_posts

ITEMS = url_items(3, returnType="svg")


def post(testapp, auth, key, body=ITEMS, status=202):
    return testapp.post_json("/api/qr/codes/bulk", body, headers={**auth, "Idempotency-Key": key}, status=status)


def test_a_retry_gets_the_first_202_and_one_job_makes_the_codes(testapp, auth, count_rows, queue):
    first = post(testapp, auth, "batch-1")
    rows, tasks = count_rows(), queue.pending_count()
    again = post(testapp, auth, "batch-1")
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_rows() == rows and rows["bulk_jobs"] == 1 and queue.pending_count() == tasks
    drain(queue)
    result = testapp.get(f"/api/qr/codes/bulk/{first.json['bulkId']}/result", headers=auth, status=200)
    codes = all_codes(testapp, auth)
    assert len(codes) == len(ITEMS)
    check_archive(result.body, [item["data"] for item in ITEMS], codes)


def test_the_same_key_with_another_body_is_422_and_queues_nothing(testapp, auth, count_rows, queue):
    post(testapp, auth, "batch-2")
    rows, tasks = count_rows(), queue.pending_count()
    body = assert_error_shape(post(testapp, auth, "batch-2", url_items(4), status=422))
    assert body["errors"][0]["location"] == "header" and body["errors"][0]["name"] == "Idempotency-Key"
    assert count_rows() == rows and queue.pending_count() == tasks


def test_a_key_used_for_one_code_is_another_request_for_bulk(testapp, auth, count_rows, queue):
    testapp.post_json("/api/qr/codes", ITEMS[0], headers={**auth, "Idempotency-Key": "mixed"}, status=201)
    rows = count_rows()
    assert post(testapp, auth, "mixed", [ITEMS[0]], status=422).json["errors"][0]["name"] == "Idempotency-Key"
    assert count_rows() == rows and queue.pending_count() == 0


def test_a_rejected_bulk_leaves_the_key_free(testapp, auth, count_rows, queue):
    before = count_rows()
    assert post(testapp, auth, "batch-3", [*ITEMS, {"data": "nope"}], status=422).json["errors"][0]["name"] \
        == "[3].data"
    assert count_rows() == before and queue.pending_count() == 0
    assert post(testapp, auth, "batch-3").json["total"] == len(ITEMS)


def test_concurrent_duplicates_queue_one_job(app, auth, count_rows, queue):
    """Four clients send the same keyed bulk request at the same moment, each on its own thread."""
    results = concurrent_posts(app, "/api/qr/codes/bulk", ITEMS, {**auth, "Idempotency-Key": "race-bulk"})
    assert sorted(r.status_int for r in results) == [202] * 4, [r.text for r in results]
    assert len({r.json["bulkId"] for r in results}) == 1
    assert count_rows()["bulk_jobs"] == 1 and queue.pending_count() == 1  # one slice of 3 items
