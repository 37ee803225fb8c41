"""Every CSV file the service writes goes through here, so no cell can run as a spreadsheet formula.

A destination or text payload is the customer's data, and the customer's customers may have typed
it: `=cmd|' /C calc'!A0` or `=HYPERLINK(...)` in a cell is executed when someone opens the file in a
spreadsheet program. OWASP's "CSV Injection" rule: a cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return is prefixed with a single quote, which spreadsheets show as text; quoting of
separators and quotes is the csv module's job. Numbers stay numbers: only text cells are touched.
The JSON manifest next to the CSV keeps the exact values for programs.
"""
import csv
import io

#: the first characters OWASP lists as starting a formula (or a DDE payload) in spreadsheet programs
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell value that a spreadsheet shows as text: `'` before a text that could start a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(fieldnames, rows):
    """UTF-8 CSV (CRLF lines, RFC 4180) of dict `rows` under a header of `fieldnames`, every cell made safe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: spreadsheet_safe(value) for name, value in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")
