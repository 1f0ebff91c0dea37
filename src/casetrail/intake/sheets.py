"""Spreadsheets (.xlsx, .csv): every non-empty cell as one line, `Sheet1!B3: text`.

The cell reference leads each line so that a mention found in the text points back to the
cell it came from: an investigator checking "PC 4412" in a duty roster must land on the row,
not on "somewhere in the workbook". Sheet names are quoted as Excel quotes them ('Duty
roster'!C7). A CSV has one sheet and no name, so its lines read `B3: text`.

Values are the ones Excel last saved (formulas are not recalculated); dates are ISO 8601.
An .xlsx is a zip, measured like a .docx before openpyxl inflates anything, and every cell
visited counts against max_cells, empty padding included, because a sheet can declare a
million empty rows in a few bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from casetrail.errors import Encrypted, Hostile, Malformed, TooLarge
from casetrail.intake import archive
from casetrail.intake import text as plain_text
from casetrail.intake.limits import Limits
from casetrail.intake.reading import Reading
from casetrail.intake.sniff import CSV, OLE_MAGIC, XLSX

PAGE_BREAK = "\n\f\n"  # between sheets, as between PDF pages
_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def read_xlsx(data: bytes, name: str, limits: Limits) -> Reading:
    if data.startswith(OLE_MAGIC):
        raise Encrypted("password-protected Excel workbook; ask for an unprotected copy")
    infos = archive.entries(data, limits, ".xlsx")
    if not any(info.filename == "xl/workbook.xml" for info in infos):
        raise Malformed("not an Excel workbook: the .xlsx has no xl/workbook.xml")
    workbook = _open_workbook(data)
    try:
        budget = [limits.max_cells]
        sheets = [_sheet_text(sheet, budget, limits) for sheet in workbook.worksheets]
        title = _title(workbook)
    finally:
        workbook.close()
    text = PAGE_BREAK.join(s for s in sheets if s)
    return Reading(text=text, media_type=XLSX, title=title, pages=len(sheets) or None)


def _open_workbook(data: bytes):  # -> openpyxl.Workbook
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every unsupported extension
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (KeyError, ValueError, TypeError, IndexError) as err:  # missing parts, bad references
        raise Malformed(f"damaged .xlsx: {_first_line(err)}") from err


def _sheet_text(sheet, budget: list[int], limits: Limits) -> str:
    prefix = _sheet_ref(sheet.title)
    lines: list[str] = []
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # the declared size may be a lie; walk only the rows written
    for row in sheet.iter_rows():
        budget[0] -= max(len(row), 1)
        if budget[0] < 0:
            raise Hostile(
                f"spreadsheet has over {limits.max_cells:,} cells (counting empty ones); the limit is {limits.max_cells:,}"
            )
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None or not hasattr(cell, "coordinate"):
                continue
            shown = _shown(value)
            if shown:
                lines.append(f"{prefix}!{cell.coordinate}: {shown}")
    return "\n".join(lines)


def _sheet_ref(title: str) -> str:
    return title if _PLAIN_SHEET.match(title) else "'" + title.replace("'", "''") + "'"


def _shown(value: object) -> str:
    """A cell's value on one line, so the reference in front of it still applies."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _title(workbook) -> str | None:
    try:
        title = workbook.properties.title
    except Exception:  # optional metadata
        return None
    title = " ".join((title or "").split())
    return title or None


# -- CSV ------------------------------------------------------------------------------------------

MAX_CSV_FIELD = 131_072  # characters in one cell: Python's csv default, a cell not a file


def read_csv(data: bytes, name: str, limits: Limits) -> Reading:
    text = plain_text.read(data, name, limits).text  # decoded as text files are; binary refused there
    dialect = _dialect(text[:8192], name)  # the sniffer is quadratic in the worst case: a small sample
    lines: list[str] = []
    budget = limits.max_cells
    try:
        for row_number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            budget -= max(len(row), 1)
            if budget < 0:
                raise TooLarge(f"CSV has over {limits.max_cells:,} cells; the limit is {limits.max_cells:,}")
            for column, value in enumerate(row, start=1):
                # Checked here, not by csv.field_size_limit: that is process-wide, and other
                # libraries in this process raise it.
                if len(value) > MAX_CSV_FIELD:
                    raise Malformed(f"damaged CSV: a field in row {row_number} is over {MAX_CSV_FIELD:,} characters")
                shown = " ".join(value.split())
                if shown:
                    lines.append(f"{column_letters(column)}{row_number}: {shown}")
    except csv.Error as err:
        raise Malformed(f"damaged CSV: {_first_line(err)}") from err
    return Reading(text="\n".join(lines), media_type=CSV)


def _dialect(sample: str, name: str) -> type[csv.Dialect] | csv.Dialect:
    if name.lower().endswith(".tsv"):
        return csv.excel_tab
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel  # one column, or nothing to go on: plain commas


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA: the column names a spreadsheet shows."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
