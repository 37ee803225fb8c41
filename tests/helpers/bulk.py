"""What the bulk tests share: running the queue in-process (its `queue` fixture: tests/helpers/queues.py)
and reading a result zip."""
import csv
import io
import json
import zipfile

from tests.helpers.qr_decode import decode_any

MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def url_items(count, **style):
    return [{"data": f"https://example.com/item/{i}", **style} for i in range(count)]


def drain(huey):
    """Run every queued task in this process (huey.dequeue + huey.execute), as a consumer would."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def read_archive(body):
    """(file names, manifest.csv rows, manifest.json rows, {name: bytes}) of a result zip."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        files = {name: archive.read(name) for name in names}
    csv_rows = list(csv.DictReader(io.StringIO(files["manifest.csv"].decode("utf-8"))))
    json_rows = json.loads(files["manifest.json"])
    return names, csv_rows, json_rows, files


def all_codes(testapp, auth):
    """{id: code object} of every code of the workspace, read page by page from the API."""
    codes, cursor = {}, "0"
    while cursor is not None:
        page = testapp.get("/api/qr/codes", {"limit": 100, "cursor": cursor}, headers=auth).json
        codes.update((code["id"], code) for code in page["data"])
        cursor = page["pagination"]["nextCursor"]
    return codes


def check_archive(body, destinations, codes_by_id):
    """Assert the zip holds one decodable image per item, in request order, and matching manifests.

    `destinations[i]` is what item i must lead to; `codes_by_id` the workspace's codes from the API.
    Returns the code objects in request order.
    """
    names, csv_rows, json_rows, files = read_archive(body)
    codes = [codes_by_id[row["id"]] for row in json_rows]
    images = [f"{i + 1:04d}-{code['id']}.{code['format']}" for i, code in enumerate(codes)]
    assert names == images + ["manifest.csv", "manifest.json"]
    assert len({code["id"] for code in codes}) == len(destinations)
    for i, (code, row, text_row) in enumerate(zip(codes, json_rows, csv_rows, strict=True)):
        assert code["destination"] == destinations[i]
        assert row == {"index": i + 1, "id": code["id"], "dataType": code["dataType"],
                       "destination": destinations[i], "redirectUrl": code["redirectUrl"],
                       "file": images[i], "error": None}
        assert text_row == {k: ("" if v is None else str(v)) for k, v in row.items()}
        assert decode_any(files[images[i]], MEDIA_TYPES[code["format"]]) == [code["redirectUrl"]]
    return codes
