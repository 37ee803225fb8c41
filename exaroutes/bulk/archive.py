"""The result zip of a bulk job: numbered images in request order, and two manifests of the same rows.

`0001-<id>.png` sorts in request order in every file manager; the manifests say which item became
which code (CSV for spreadsheets, JSON for programs). An item that could not be made has a row with
its `error` and no file, so the numbering still matches the request.

The manifests show each code's real destination (decrypted, as the API shows it). An archive that
names an encrypted code is therefore sealed before it is stored (`exaroutes.bulk.jobs.opened_archive`
opens it when it is served), so its plaintext is at rest nowhere.
"""
import io
import json
import zipfile

from pyramid.response import Response
from sqlalchemy import select
from sqlalchemy.orm import undefer

from exaroutes.codes.ids import redirect_url
from exaroutes.csv_output import csv_bytes
from exaroutes.models import BulkItem, QrCode
from exaroutes.protections.encryption import code_destination, encrypt_bytes

MANIFEST_FIELDS = ("index", "id", "dataType", "destination", "redirectUrl", "file", "error")
# Already-compressed formats are stored as they are; deflating them again costs time and saves nothing.
BATCH = 50
STORED_FORMATS = frozenset({"png", "jpeg", "jpg", "gif", "webp", "pdf"})


def manifest_row(position, code, error, settings):
    index = position + 1
    if code is None:
        return {"index": index, "id": None, "dataType": None, "destination": None, "redirectUrl": None,
                "file": None, "error": error}
    return {"index": index, "id": code.short_id, "dataType": code.data_type,
            "destination": code_destination(settings, code),
            "redirectUrl": redirect_url(settings, code.short_id, code.domain),
            "file": f"{index:04d}-{code.short_id}.{code.format}",
            "error": None}


def manifest_csv(rows):
    return csv_bytes(MANIFEST_FIELDS, rows)


def build_archive(dbsession, settings, job_id, moment):
    """(bytes to store, size of the zip) for the committed items of `job_id` (every item must be done)."""
    # Streamed in batches: large images (4096 px) of 1000 codes need not sit in memory beside the zip.
    results = dbsession.execute(
        select(BulkItem.position, BulkItem.error, QrCode)
        .outerjoin(QrCode, QrCode.id == BulkItem.code_id)
        .where(BulkItem.job_id == job_id)
        .order_by(BulkItem.position)
        .options(undefer(QrCode.image))
        .execution_options(yield_per=BATCH))
    stamp = moment.timetuple()[:6]
    out = io.BytesIO()
    rows = []
    sealed = False
    with zipfile.ZipFile(out, "w") as archive:
        for position, error, code in results:
            row = manifest_row(position, code, error, settings)
            rows.append(row)
            if code is not None:
                sealed = sealed or code.encrypted
                info = zipfile.ZipInfo(row["file"], stamp)
                info.compress_type = zipfile.ZIP_STORED if code.format in STORED_FORMATS else zipfile.ZIP_DEFLATED
                archive.writestr(info, code.image)
        for name, content in (("manifest.csv", manifest_csv(rows)),
                              ("manifest.json", json.dumps(rows, indent=1).encode("utf-8"))):
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    zipped = out.getvalue()
    return (encrypt_bytes(settings, zipped) if sealed else zipped), len(zipped)


def archive_response(job, body=b"", content_length=None):
    """The zip download of a finished job, as the API and the dashboard both serve it.

    `body` is the archive (`bulk.jobs.take_archive`); a `HEAD` passes no body and the stored size
    (`bulk.jobs.archive_size`) as `content_length`. Never cached: the archive is served once."""
    response = Response(body=body, content_type="application/zip")
    if content_length is not None:
        response.content_length = content_length
    response.content_disposition = f'attachment; filename="bulk-{job.bulk_id}.zip"'
    response.cache_control = "no-store"
    return response
