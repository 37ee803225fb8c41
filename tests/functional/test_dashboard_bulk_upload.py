"""Issue 10, bulk from the dashboard: a CSV upload becomes a bulk job, its progress, its archive once."""
import webtest

from exaroutes.bulk.items import MAX_ITEMS
from exaroutes.dashboard.bulk_csv import MAX_UPLOAD_BYTES
from tests.helpers.bulk import all_codes, check_archive, drain
from tests.helpers.dashboard import sign_in

WIFI = "WIFI:T:WPA;S:cafe;P:secret123;;"


def upload(testapp, content, status=303, filename="codes.csv"):
    form = testapp.get("/dashboard/bulk").forms["bulk-upload"]
    form["file"] = webtest.Upload(filename, content, "text/csv")
    return form.submit(status=status)


def upload_errors(page):
    return [li.text.strip() for li in page.html.select("#upload-errors li")]


def job_numbers(page):
    html = page.html
    return (html.select_one("#job-status").text, html.select_one("#job-processed").text,
            html.select_one("#job-succeeded").text, html.select_one("#job-failed").text)


def test_upload_queues_a_job_after_commit_then_progress_then_the_archive_once(testapp, api_key, auth, queue):
    content = ("\ufeffdata,dataType,size,foregroundColor,returnType,maxScans,\r\n"   # a trailing unnamed column
               "https://example.com/a,,,,,,\r\n"
               ",,,,,,\r\n"                                       # an empty row a spreadsheet exported
               '"  Hello, bulk  ",text,300,#123456,svg,,\r\n'
               f"{WIFI},wifi,,,,5,\r\n").encode("utf-8")
    sign_in(testapp, api_key)
    assert queue.pending_count() == 0
    created = upload(testapp, content)
    assert queue.pending_count() == 1                              # one slice, queued after the commit
    job_page = created.follow()
    bulk_id = job_page.request.path.rsplit("/", 1)[1]
    assert job_numbers(job_page) == ("queued", "0 / 3", "0", "0")
    assert job_page.html.select_one('meta[http-equiv="refresh"]')["content"] == "2"
    assert job_page.forms.get("download") is None
    api_status = testapp.get(f"/api/qr/codes/bulk/{bulk_id}", headers=auth).json
    assert (api_status["status"], api_status["total"]) == ("queued", 3)

    assert drain(queue) == 1
    done = testapp.get(f"/dashboard/bulk/{bulk_id}")
    assert job_numbers(done) == ("completed", "3 / 3", "3", "0")
    assert done.html.select_one('meta[http-equiv="refresh"]') is None
    archive = done.forms["download"].submit()
    assert archive.content_type == "application/zip" and archive.headers["Cache-Control"] == "no-store"
    assert f'filename="bulk-{bulk_id}.zip"' in archive.headers["Content-Disposition"]
    codes = check_archive(archive.body, ["https://example.com/a", "  Hello, bulk  ", WIFI],
                          all_codes(testapp, auth))
    assert [code["format"] for code in codes] == ["png", "svg", "png"]
    assert codes[1]["style"] == {"size": 300, "foregroundColor": "#123456"}
    assert codes[2]["dataType"] == "wifi" and codes[2]["maxScans"] == 5

    again = done.forms["download"].submit(status=410)
    assert "Already downloaded" in again.html.select_one("h1").text
    gone = testapp.get(f"/dashboard/bulk/{bulk_id}")
    assert gone.forms.get("download") is None and gone.html.select_one("#archive-gone") is not None
    listed = testapp.get("/dashboard/bulk")
    assert [row["data-id"] for row in listed.html.select("tr.job-row")] == [bulk_id]


def test_progress_shows_a_job_half_done(testapp, api_key, app, queue):
    app.registry.settings["exaroutes.jobs.bulk_slice_size"] = 2
    try:
        sign_in(testapp, api_key)
        rows = "".join(f"https://example.com/{n}\n" for n in range(5))
        job_page = upload(testapp, ("data\n" + rows).encode()).follow()
        assert queue.pending_count() == 3
        queue.execute(queue.dequeue())
        page = testapp.get(job_page.request.path)
        assert job_numbers(page) == ("processing", "2 / 5", "2", "0")
        assert page.html.select_one("#job-progress")["value"] == "2"
        assert page.html.select_one('meta[http-equiv="refresh"]') is not None
    finally:
        app.registry.settings["exaroutes.jobs.bulk_slice_size"] = 100


def test_bad_rows_are_listed_with_the_api_messages_and_nothing_is_stored(testapp, api_key, auth, queue,
                                                                         count_rows):
    items = [{"data": "https://example.com/ok"}, {"data": "ftp://example.com/"},
             {"data": "https://example.com/c", "size": 10, "foregroundColor": "blue"},
             {"dataType": "wifi", "data": "WIFI:S:cafe"}]
    api = testapp.post_json("/api/qr/codes/bulk", items, headers=auth, status=422).json
    expected = {error["name"]: error["description"] for error in api["errors"]}
    content = ("data,dataType,size,foregroundColor,encrypt\n"
               "https://example.com/ok,,,,\n"
               "ftp://example.com/,,,,\n"
               "\n"
               "https://example.com/c,,10,blue,\n"
               "WIFI:S:cafe,wifi,,,\n"
               "https://example.com/e,,big,,maybe\n").encode()
    sign_in(testapp, api_key)
    before = count_rows()
    page = upload(testapp, content, status=422, filename="spring.csv")
    assert upload_errors(page) == [
        f"row 2 (item [1]): data: {expected['[1].data']}",
        f"row 4 (item [2]): size: {expected['[2].size']}",
        f"row 4 (item [2]): foregroundColor: {expected['[2].foregroundColor']}",
        f"row 5 (item [3]): data: {expected['[3].data']}",
        "row 6 (item [4]): size: must be a number",
        "row 6 (item [4]): encrypt: must be true or false",
    ]
    assert "spring.csv: nothing was created" in page.html.select_one("#upload-errors").text
    assert count_rows() == before and queue.pending_count() == 0
    assert page.forms["bulk-upload"]["csrf_token"].value     # the form is there to try again


def test_files_that_cannot_be_read(testapp, api_key, queue, count_rows):
    sign_in(testapp, api_key)
    before = count_rows()
    cases = [
        ("data\nhttps://example.com/caf\xe9\n".encode("latin-1"), 422, "the file is not UTF-8 (byte 29"),
        (b"", 422, "the file is empty"),
        (b"data,colour\nhttps://example.com/,red\n", 422, "column 2 \u201ccolour\u201d: unknown field"),
        (b"size\n300\n", 422, "the header has no \u201cdata\u201d column"),
        (b"data,size,size\nx,1,2\n", 422, "column \u201csize\u201d appears more than once"),
        (b"data\n", 422, "the file has no rows under the header"),
        (b"data\nhttps://example.com/a,extra\n", 422, "row 1 (item [0]): 2 cells but the header names 1 columns"),
        (b"data,,\nhttps://example.com/a,,x\n", 422, "row 1 (item [0]): a value in column 3, which the header"),
        (b'data\n"https://example.com/a\n', 422, "the file is not valid CSV"),
        (b"data\n" + b"https://example.com/x\n" * (MAX_ITEMS + 1), 422, f"more than {MAX_ITEMS} rows"),
        (b"data\n" + b"x" * MAX_UPLOAD_BYTES, 413, "larger than 2 MiB"),
    ]
    for content, status, message in cases:
        page = upload(testapp, content, status=status)
        assert message in upload_errors(page)[0], (message, upload_errors(page))
    assert count_rows() == before and queue.pending_count() == 0


def test_exactly_the_row_limit_is_accepted(testapp, api_key, queue):
    sign_in(testapp, api_key)
    upload(testapp, b"data\n" + b"https://example.com/x\n" * MAX_ITEMS)
    assert queue.pending_count() == MAX_ITEMS // 100


def test_no_file_chosen(testapp, api_key, queue):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/bulk").forms["bulk-upload"]
    page = form.submit(status=400)
    assert upload_errors(page) == ["choose a CSV file to upload"] and queue.pending_count() == 0


def test_csrf_is_required(testapp, api_key, queue, count_rows):
    sign_in(testapp, api_key)
    before = count_rows()
    page = testapp.post("/dashboard/bulk", upload_files=[("file", "codes.csv", b"data\nhttps://example.com/\n")],
                        status=400)
    assert "The form has expired" in page.text
    job_page = upload(testapp, b"data\nhttps://example.com/\n").follow()
    drain(queue)
    testapp.post(f"{job_page.request.path}/archive", status=400)
    assert count_rows()["bulk_archives"] == before["bulk_archives"] + 1     # still there, not served


def test_another_workspace_sees_nothing(testapp, api_key, other_api_key, auth, queue):
    sign_in(testapp, api_key)
    job_page = upload(testapp, b"data\nhttps://example.com/mine\n").follow()
    drain(queue)
    path = job_page.request.path
    download = testapp.get(path).forms["download"]

    other = webtest.TestApp(testapp.app, extra_environ={"HTTP_HOST": "localhost"})
    sign_in(other, other_api_key)
    assert "Not found" in other.get(path, status=404).text
    other_token = other.get("/dashboard/bulk").forms["bulk-upload"]["csrf_token"].value
    other.post(f"{path}/archive", {"csrf_token": other_token}, status=404)
    assert other.get("/dashboard/bulk").html.select("tr.job-row") == []
    testapp.get("/dashboard/bulk/NOSUCHJOB0000000", status=404)
    assert download.submit().content_type == "application/zip"          # the owner's archive is intact


def test_bulk_pages_are_linked_and_run_no_inline_script(testapp, api_key, queue):
    codes_page = sign_in(testapp, api_key)
    assert codes_page.html.select_one('header nav a[href$="/dashboard/bulk"]').text == "Bulk upload"
    job_page = upload(testapp, b"data\nhttps://example.com/\n").follow()
    for response in (testapp.get("/dashboard/bulk"), job_page):
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "<script" not in response.text and " style=" not in response.text
        assert response.headers["Cache-Control"] == "no-store"


def test_yes_no_cells_and_timestamps_reach_the_codes(testapp, api_key, auth, queue):
    content = ("data,encrypt,expiresAt\n"
               "https://example.com/sealed,Yes,2099-01-01T12:00:00+02:00\n"
               "https://example.com/open,false,\n"
               "https://example.com/plain,,\n").encode()
    sign_in(testapp, api_key)
    upload(testapp, content)
    drain(queue)
    codes = {code["destination"]: code for code in all_codes(testapp, auth).values()}
    assert {name: (code["encrypted"], code["expiresAt"]) for name, code in codes.items()} == {
        "https://example.com/sealed": (True, "2099-01-01T10:00:00.000Z"),
        "https://example.com/open": (False, None),
        "https://example.com/plain": (False, None)}
