"""A bulk CSV upload turned into bulk items (create bodies), with errors that name the row.

The header row names the body fields (`data`, `dataType`, `size`, `foregroundColor`, `maxScans`, ...).
Cells are text; each is converted to the JSON type the schema wants by the create form's own helpers
(`exaroutes.dashboard.forms`), and the items are then checked by `exaroutes.bulk.items.check_items`,
the very code behind `POST /api/qr/codes/bulk`. So a row's error reads like the API's 422, prefixed
with where it is: `row 4 (item [3]): data: ...`. Object-typed data (wifi, vcard...) goes in the
`data` cell as the type's canonical string (`WIFI:S:cafe;;`), which the data types accept.

Rows are counted from the first row under the header; rows whose cells are all empty (spreadsheets
export them) are skipped, so a row number and an item position can differ, and errors show both.
"""
import csv
import io
import re

from exaroutes.schemas.design import BulkItemBody
from exaroutes.bulk.items import MAX_ITEMS, check_items
from exaroutes.dashboard.forms import FormField, api_errors, data_fields, field_of, form_body
from exaroutes.errors import ApiError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: the most errors the upload page lists; the count of the rest is shown
MAX_SHOWN_ERRORS = 100
#: the body fields a header may name, content first (the schema lists the limits first)
FIRST_COLUMNS = ("data", "dataType", "returnType")
COLUMNS = FIRST_COLUMNS + tuple(node.name for node in BulkItemBody().children if node.name not in FIRST_COLUMNS)
#: every cell but `data` is read as the create form reads its field (numbers, yes/no, text)
STYLE_AND_LIMIT_FIELDS = tuple(field_of(node, node.name) for node in BulkItemBody().children
                               if node.name != "data")
TRUE_CELLS, FALSE_CELLS = ("true", "1", "yes"), ("false", "0", "no")
ITEM_NAME = re.compile(r"^\[(\d+)\]\.?(.*)$")


class CsvRefused(Exception):
    """The upload cannot become a job; `errors` are the lines the page shows, `status` the HTTP status."""

    def __init__(self, errors, status=422):
        super().__init__("; ".join(errors[:3]))
        self.errors, self.status = errors, status


def decoded(raw):
    """The file as text: UTF-8, with or without the BOM that spreadsheet programs write."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise CsvRefused([f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB; "
                          f"split it (at most {MAX_ITEMS} rows per upload)"], status=413)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRefused([f"the file is not UTF-8 (byte {exc.start + 1} is not valid UTF-8); "
                          "save it as “CSV UTF-8”"])


def header_of(rows):
    """The column names of the header row, each a body field, each once, `data` among them.

    A column without a name (spreadsheets export trailing ones) is allowed if it stays empty.
    """
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        raise CsvRefused(["the file is empty: the first row must name the columns, e.g. data,dataType,size"])
    names = [cell.strip() for cell in header]
    errors = [f"column {position + 1} “{name}”: unknown field; the columns are body fields: {', '.join(COLUMNS)}"
              for position, name in enumerate(names) if name and name not in COLUMNS]
    errors += [f"column “{name}” appears more than once"
               for name in sorted({n for n in names if n and names.count(n) > 1})]
    if "data" not in names:
        errors.append("the header has no “data” column")
    if errors:
        raise CsvRefused(errors)
    return names


def shape_error(names, cells):
    """Why a row does not fit the header (a cell beyond the last column, or under an unnamed one)."""
    if len(cells) > len(names):
        return f"{len(cells)} cells but the header names {len(names)} columns"
    unnamed = [str(position + 1) for position, (name, cell) in enumerate(zip(names, cells))
               if not name and cell.strip()]
    if unnamed:
        return f"a value in column {', '.join(unnamed)}, which the header does not name"
    return None


def data_rows(text):
    """[(row number, {column: cell}, shape error or None)] of the non-empty rows; at most MAX_ITEMS."""
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        names = header_of(rows)
        found = []
        for number, cells in enumerate(rows, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if len(found) == MAX_ITEMS:
                raise CsvRefused([f"the file has more than {MAX_ITEMS} rows; split it into several uploads"])
            extra = shape_error(names, cells)
            found.append((number, dict(zip(names, cells)), extra))
    except csv.Error as exc:
        raise CsvRefused([f"the file is not valid CSV (line {rows.line_num}): {exc}"])
    if not found:
        raise CsvRefused(["the file has no rows under the header"])
    return found


def data_field(registry, cells):
    """The `data` cell read as the create form reads it for this row's type (text keeps its spaces)."""
    datatype = registry["datatypes"].get(cells.get("dataType", "").strip() or "url")
    fields = data_fields(datatype) if datatype is not None else []
    if len(fields) == 1 and fields[0].name == "data":
        return fields[0]
    return FormField(name="data", label="data", kind="text", description="", required=True)


def boolean_errors(cells):
    """A yes/no cell must say so (the form's checkbox reading would turn a typo into `false`).

    Normalises `cells` in place: a true cell becomes "true", any other becomes empty (left out,
    so the schema's default, false, applies).
    """
    errors = {}
    for field in STYLE_AND_LIMIT_FIELDS:
        raw = cells.get(field.name, "").strip().lower()
        if field.kind == "checkbox" and raw:
            if raw not in TRUE_CELLS + FALSE_CELLS:
                errors[field.name] = "must be true or false"
            cells[field.name] = "true" if raw in TRUE_CELLS else ""
    return errors


def row_item(registry, cells):
    """(create body, {field: conversion error}) of one row; empty cells are fields left out."""
    cells = dict(cells)
    errors = boolean_errors(cells)
    body, form_errors = form_body(cells, (data_field(registry, cells),) + STYLE_AND_LIMIT_FIELDS, {})
    return body, {**form_errors, **errors}


def where(number, position):
    return f"row {number} (item [{position}])"


def csv_items(registry, raw):
    """The bulk items of an uploaded CSV file, or CsvRefused listing every problem, in row order."""
    rows = data_rows(decoded(raw))
    items, unread, errors = [], [], []
    for position, (number, cells, extra) in enumerate(rows):
        body, row_errors = row_item(registry, cells)
        items.append(body)
        unread.append(row_errors)
        if extra:
            errors.append((position, f"{where(number, position)}: {extra}"))
        errors += [(position, f"{where(number, position)}: {name}: {message}") for name, message in row_errors.items()]
    try:
        check_items(registry, registry.settings, items)
    except ApiError as exc:
        errors += schema_errors(exc.errors, rows, unread)
    if errors:
        raise CsvRefused([line for _, line in sorted(errors, key=lambda error: error[0])])
    return items


def schema_errors(errors, rows, unread):
    """check_items' `[3].size` errors as (position, row line), except for cells that could not be read."""
    lines = []
    for name, message in api_errors(errors).items():
        match = ITEM_NAME.match(name)
        if match is None:
            lines.append((-1, f"{name}: {message}"))
            continue
        position, field = int(match.group(1)), match.group(2)
        if field not in unread[position]:
            lines.append((position, f"{where(rows[position][0], position)}: {field}: {message}"))
    return lines
