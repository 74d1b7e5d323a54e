"""Reading the progress workbook (`tracker.workbook`) back, or a CSV of it: bytes in, rows and
problems out, no database (`tracker.workbook_import` checks the rows against it and saves them).

`read_workbook(file)` takes an XLSX as our builder, Excel or LibreOffice save it, or a CSV (UTF-8
with or without a byte-order mark, GB18030 or Big5 as Chinese Excel saves it, tab- or
semicolon-separated too). A file that cannot be read safely is refused whole (`WorkbookError`):
not a workbook, macro-enabled, password-protected, too big once unzipped (a zip bomb), more than
`MAX_ROWS` rows, merged cells, columns it cannot place. A value that cannot be read ("half" as a
percentage, a status that is none, a formula) is a problem of its row, so that the other rows can
still be offered. XML entities are left to expat, which refuses an entity expansion ("billion
laughs") and never reads an external entity.

Columns are found by their headings in any language of the site (or their machine names), never
by position: a person may reorder, hide or drop columns to fill (a dropped one keeps the draft's
value), and an unknown heading is refused rather than its data silently lost. Formulas are never
evaluated, and their cached values are not taken either: a cell holding a formula is an error
asking for the value, because a file saved by a program that does not calculate has no cached
value, a cached value can be stale or forged, and an update must say what its author typed. Text
is kept as text: a number or a date typed in a narrative is kept as it reads.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from lxml import etree
from openpyxl.utils import get_column_letter, range_boundaries

from memoranda.models import Status, in_script
from memoranda.parsing.encoding import BINARY_SIGNATURES, MAX_SOURCE_BYTES, decode_source
from memoranda.parsing.model import MemorandumParseError
from tracker.exports import xlsx_text
from tracker.workbook import COLUMNS, FILL_KEYS, heading

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a zip bomb unpacks to gigabytes from a few kilobytes
MAX_ZIP_ENTRIES = 2_000
MAX_ROWS = 20_000  # an organisation reports on hundreds; 10,000 is read in a few seconds
HEADER_SEARCH_ROWS = 10  # the heading row may sit under a title someone added
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook, or an Excel 97-2003 one
REQUIRED = ("ref", "version")


# What went wrong, and where ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an upload, placed as the person sees it: the row number and the column's
    letter and heading in their spreadsheet."""

    message: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {"row": self.row, "column": self.column, "message": self.message}
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("Column %(column)s: %(message)s") % {"column": self.column, "message": self.message}
        return self.message


class WorkbookError(ValueError):
    """The upload cannot be used at all (or, from `apply_upload`, was not saved); `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def _refuse(message: str, **where: Any) -> WorkbookError:
    return WorkbookError([Problem(message, **where)])


# Reading ----------------------------------------------------------------------------------------


class Formula(str):
    """The text of a cell holding a formula: never evaluated, reported."""


class CellError(str):
    """A spreadsheet error value (#N/A, #DIV/0! …)."""


@dataclass
class Cell:
    value: Any
    number_format: str = "General"


@dataclass
class Row:
    """One row of the upload, read but not yet checked against the database. `values` holds the
    columns to fill that the file has (a column it lacks is absent: the draft's value is kept);
    a cell left empty is "" (text), None (status, %) or [] (links)."""

    number: int
    ref: str
    version: int | None
    draft: tuple[int, int] | None
    values: dict[str, Any]
    columns: dict[str, str]  # column key → how the person sees it: letter and heading
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_filled(self) -> bool:
        return bool(self.problems) or any(value not in (None, "", []) for value in self.values.values())

    def problem(self, message: str, key: str = "") -> Problem:
        return Problem(message, row=self.number, column=self.columns.get(key, ""))


def read_workbook(uploaded_file) -> list[Row]:
    """The rows of an uploaded progress workbook (XLSX) or CSV; `WorkbookError` when the file
    cannot be used at all. `uploaded_file`: a Django upload, any binary file object, or bytes."""
    data = _bytes_of(uploaded_file)
    if not data.strip():
        raise _refuse(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        with _xlsx_table(data) as (headers, rows):
            return _rows(headers, rows)
    if data.startswith(OLE_SIGNATURE):
        if "EncryptionInfo".encode("utf-16-le") in data:  # the stream an encrypted OOXML file keeps its key in
            raise _refuse(_("This workbook is protected by a password, so it cannot be read. Remove the password "
                            "(in Excel: File → Info → Protect Workbook → Encrypt with Password), save it and upload it again."))
        raise _refuse(_("This is an Excel 97-2003 workbook (.xls). Save it as an Excel workbook (.xlsx) and upload it again."))
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise _refuse(_("This is %(kind)s, not a workbook. Upload the workbook (.xlsx) downloaded from the site, or a CSV of it.")
                          % {"kind": _(kind)})
    headers, rows = _csv_table(data)
    return _rows(headers, rows)


def _bytes_of(uploaded_file) -> bytes:
    if isinstance(uploaded_file, bytes):
        data = uploaded_file
    else:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        data = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _refuse(_("The file is larger than %(limit)s MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)})
    return data


UNREADABLE_XLSX = gettext_lazy("This file could not be read as an Excel workbook. Open it in Excel or LibreOffice, save it as .xlsx and upload it again.")


@contextmanager
def _xlsx_table(data: bytes) -> Iterator[tuple[list[Cell], Iterator[tuple[int, list[Cell]]]]]:
    """The heading row and the rows under it of the first sheet with a ref column, read while the
    workbook is open (read-only mode streams the sheet rather than holding it all)."""
    _check_archive(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "cannot be read"
        raise _refuse(str(UNREADABLE_XLSX)) from None
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # do not trust the size the file declares: read what is there
            table = _sheet_table(workbook, sheet)
            if table is not None:
                yield table
                return
    finally:
        workbook.close()
    raise _refuse(_("No sheet of this workbook has a “%(ref)s” column. Upload the workbook downloaded from the site.")
                  % {"ref": heading(COLUMNS[0])})


def _check_archive(data: bytes) -> None:
    """Refuse, before anything parses it, a ZIP that is not an XLSX workbook, holds macros, or
    unpacks to far more than a workbook of commitments could (a zip bomb). Reading an entry never
    yields more than the size the archive declares for it, so checking the declared sizes suffices."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse(_("This file is damaged or is not an Excel workbook.")) from None
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise _refuse(_("This file unpacks to far more than a workbook of commitments holds; it was not read."))
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
        raise _refuse(_("This is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook (.xlsx) and upload it again."))
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"macroEnabled" in content_types or any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse(_("This workbook contains macros (.xlsm); macros are never run here. "
                        "Save it as an Excel workbook (.xlsx) without macros and upload it again."))
    if b"spreadsheetml.sheet.main" not in content_types and b"spreadsheetml.template.main" not in content_types:
        if "word/document.xml" in names:
            raise _refuse(_("This is a Word document, not a workbook. Upload the workbook (.xlsx) downloaded from the site."))
        raise _refuse(_("This ZIP file is not an Excel workbook. Upload the workbook (.xlsx) downloaded from the site."))


def _sheet_table(workbook, sheet) -> tuple[list[Cell], Iterator[tuple[int, list[Cell]]]] | None:
    """The heading row and the rows under it, if this sheet has a ref column; else None."""
    rows = _readable(sheet.iter_rows())
    names = _column_names()
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            return None
        headers = [_cell(cell) for cell in cells]
        if any(names.get(_key(_text(header.value))) == "ref" for header in headers):
            merged = _readable_merged_cells(workbook, sheet)
            if merged:
                raise WorkbookError([
                    Problem(_("cells %(range)s are merged. Unmerge them, so that each value has its own cell, and upload again.")
                            % {"range": cell_range}, row=row)
                    for cell_range, row in merged
                ])
            return headers, enumerate(rows, start=number + 1)  # cells as openpyxl gives them: read when needed
    return None


def _readable(rows: Iterator) -> Iterator:
    """The sheet's rows; whatever openpyxl raises on a damaged sheet becomes a refusal."""
    try:
        yield from rows
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean "cannot be read"
        raise _refuse(str(UNREADABLE_XLSX)) from None


def _readable_merged_cells(workbook, sheet) -> list[tuple[str, int | None]]:
    try:
        return _merged_cells(workbook, sheet)
    except (etree.LxmlError, KeyError, OSError, zipfile.BadZipFile):
        raise _refuse(str(UNREADABLE_XLSX)) from None


def _merged_cells(workbook, sheet) -> list[tuple[str, int]]:
    """Merged ranges of the sheet, with their first row. openpyxl's read-only mode does not read
    them, so the sheet's XML is scanned for them (entities and the network left alone)."""
    merged = []
    with workbook._archive.open(sheet._worksheet_path) as stream:
        for _event, element in etree.iterparse(stream, events=("end",), tag="{*}mergeCell", resolve_entities=False, no_network=True):
            cell_range = element.get("ref", "")
            try:
                merged.append((cell_range, range_boundaries(cell_range)[1]))
            except (ValueError, TypeError):
                merged.append((cell_range, None))
            element.clear()
    return merged


def _cell(cell) -> Cell:
    """A cell of openpyxl's (or of a CSV) as the reading needs it: a formula or an error marked as such."""
    if isinstance(cell, Cell):
        return cell
    value = cell.value
    kind = getattr(cell, "data_type", None)
    if kind == "f":
        value = Formula(value if isinstance(value, str) else "=…")
    elif kind == "e":
        value = CellError(value)
    return Cell(value, getattr(cell, "number_format", None) or "General")


def _csv_table(data: bytes) -> tuple[list[Cell], Iterator[tuple[int, list[Cell]]]]:
    if len(data) > MAX_SOURCE_BYTES:
        raise _refuse(_("A CSV file is at most %(limit)s MB; upload the workbook (.xlsx) instead.") % {"limit": MAX_SOURCE_BYTES // 1_000_000})
    try:
        text = decode_source(data).lstrip("\ufeff")
    except MemorandumParseError:  # binary, or characters in no encoding a spreadsheet program writes
        raise _refuse(_("This file is neither an Excel workbook nor CSV text that can be read. Upload the workbook (.xlsx) "
                        "downloaded from the site, or save it as CSV (UTF-8, GB18030 or Big5).")) from None
    first_line = text.split("\n", 1)[0]
    # Excel writes commas, or semicolons where the decimal mark is a comma; "Unicode text" is tab-separated.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except (StopIteration, csv.Error):
        raise _refuse(_("The file is empty.")) from None

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        # csv.Error (a cell longer than the module allows, a stray quote) names its line.
        try:
            for number, cells in enumerate(reader, start=2):
                yield number, [Cell(value) for value in cells]
        except csv.Error as error:
            raise _refuse(_("This CSV file could not be read: %(error)s") % {"error": error}, row=reader.line_num) from None

    return [Cell(value) for value in headers], rows()


def _key(text: str) -> str:
    """How headings and statuses are compared (as the commitments import compares them): regardless
    of case, spaces, underscores, full-width forms and dashes."""
    return re.sub(r"[\s_\-\u2010-\u2015]+", "", unicodedata.normalize("NFKC", text).casefold())


def _column_names() -> dict[str, str]:
    """Every heading of the workbook in every language of the site, and every column's machine
    name → the column's key."""
    names: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            for column in COLUMNS:
                names.setdefault(_key(heading(column)), column.key)
    for column in COLUMNS:
        names.setdefault(_key(column.key), column.key)
    return names


def status_names() -> dict[str, str]:
    """Every status label in every language of the site (and in either Chinese script), and every
    status code → the status code."""
    names: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            for status in Status:
                label = str(status.label)
                for variant in (label, in_script(label, "zh-hans"), in_script(label, "zh-hant")):
                    names.setdefault(_key(variant), status.value)
    names.update({_key(value): value for value in Status.values})
    return names


def _text(value: Any) -> str:
    """A cell as the text it reads as: 42 not 42.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return xlsx_text(str(value)).replace("\r\n", "\n").strip()


def _column_label(letter: str, header: str) -> str:
    return f"{letter} “{header}”" if header else letter


def _rows(headers: list[Cell], rows: Iterable[tuple[int, Sequence]]) -> list[Row]:
    """Place the columns by their headings, then read every row under them."""
    names = _column_names()
    position: dict[str, int] = {}
    columns: dict[str, str] = {}
    problems: list[Problem] = []
    unnamed: set[int] = set()
    for index, header in enumerate(headers):
        text = _text(header.value) if not isinstance(header.value, Formula) else str(header.value)
        letter = get_column_letter(index + 1)
        key = names.get(_key(text)) if text and not isinstance(header.value, Formula) else None
        if not text:
            unnamed.add(index)
        elif key is None:
            problems.append(Problem(
                _("this is not a column of the progress workbook. Delete the column, or give it back its heading; the columns are: %(columns)s.")
                % {"columns": ", ".join(heading(column) for column in COLUMNS if not column.hidden)},
                column=_column_label(letter, text)))
        elif key in position:
            problems.append(Problem(_("the column “%(heading)s” appears twice (also column %(other)s).")
                                    % {"heading": text, "other": get_column_letter(position[key] + 1)}, column=_column_label(letter, text)))
        else:
            position[key] = index
            columns[key] = _column_label(letter, text)
    missing = [column for column in COLUMNS if column.key in REQUIRED and column.key not in position]
    if missing:
        problems.append(Problem(
            _("Missing column(s): %(missing)s. Start from the workbook downloaded from the site: its hidden columns say "
              "which version of each commitment you wrote against.") % {"missing": ", ".join(heading(column) for column in missing)}))
    if not any(key in position for key in FILL_KEYS):
        problems.append(Problem(_("The file has none of the columns to fill in (proposed status, progress made …).")))
    if problems:
        raise WorkbookError(problems)

    statuses = status_names()
    result: list[Row] = []
    seen_unnamed: set[int] = set()
    for number, cells in rows:
        if not any(cell.value not in (None, "") for cell in cells):
            continue
        if len(result) >= MAX_ROWS:
            raise _refuse(_("The file has more than %(limit)s rows; upload at most %(limit)s at a time.") % {"limit": f"{MAX_ROWS:,}"})
        for index in [*unnamed, *range(len(headers), len(cells))]:
            if index < len(cells) and index not in seen_unnamed and cells[index].value not in (None, ""):
                seen_unnamed.add(index)
                problems.append(Problem(_("this cell has a value but its column has no heading. Delete the value, or give the column its heading."),
                                        row=number, column=get_column_letter(index + 1)))
        result.append(_row(number, cells, position, columns, statuses))
    if problems:
        raise WorkbookError(problems)
    return result


def _row(number: int, cells: list, position: dict[str, int], columns: dict[str, str], statuses: dict[str, str]) -> Row:
    def cell(key: str) -> Cell:
        index = position[key]
        return _cell(cells[index]) if index < len(cells) else Cell(None)

    row = Row(number=number, ref="", version=None, draft=None, values={}, columns=columns)
    readable: dict[str, Cell] = {}
    for key in [*REQUIRED, "draft", *FILL_KEYS]:
        if key not in position:
            continue
        read = cell(key)
        if isinstance(read.value, Formula):
            row.problems.append(row.problem(_("formulas are not read; type the value itself (%(formula)s).") % {"formula": read.value[:60]}, key))
        elif isinstance(read.value, CellError):
            row.problems.append(row.problem(_("the cell holds the error %(error)s; type the value itself.") % {"error": read.value}, key))
        else:
            readable[key] = read
    # As references are written (HKBJ-4-6.5), whatever the case or the width of what was typed.
    row.ref = unicodedata.normalize("NFKC", _text(readable["ref"].value)).upper() if "ref" in readable else ""
    if "version" in readable:
        row.version = _whole(readable["version"].value)
    if "draft" in readable and (match := re.fullmatch(r"(\d{1,12})v(\d{1,9})", _text(readable["draft"].value))):
        row.draft = (int(match[1]), int(match[2]))
    for key in FILL_KEYS:
        if key not in readable:
            if key in position:
                row.values[key] = None  # unreadable: reported above
            continue
        value = readable[key]
        if key == "proposed_status":
            row.values[key] = _status(row, value, statuses)
        elif key == "proposed_progress":
            row.values[key] = _percent(row, value)
        elif key == "evidence_links":
            row.values[key] = _text(value.value).split()
        else:
            row.values[key] = _text(value.value)
    return row


def _whole(value: Any) -> int | None:
    text = _text(value)
    return int(text) if re.fullmatch(r"\d{1,9}", text) else None


def _status(row: Row, cell: Cell, statuses: dict[str, str]) -> str | None:
    text = _text(cell.value)
    if not text:
        return None
    status = statuses.get(_key(text))
    if status is None:
        row.problems.append(row.problem(_("“%(value)s” is not a status. Choose one of: %(choices)s.")
                                        % {"value": text, "choices": "; ".join(str(label) for label in Status.labels)}, "proposed_status"))
    return status


def _percent(row: Row, cell: Cell) -> int | None:
    """50, "50", "50%", "５０％" and 0.5 shown as a percentage all mean 50; "half", 50.5 or a date
    are refused, as is a bare 0.5 (half a per cent, or a half?)."""
    value = cell.value
    if value is None or value == "":
        return None
    wrong = _("“%(value)s” is not a percentage. Write a whole number from 0 to 100, e.g. 50.")
    if isinstance(value, (datetime.date, datetime.time)):
        row.problems.append(row.problem(_("this is a date, not a percentage. Write a whole number from 0 to 100, e.g. 50."), "proposed_progress"))
        return None
    if isinstance(value, bool):
        row.problems.append(row.problem(wrong % {"value": _text(value)}, "proposed_progress"))
        return None
    if isinstance(value, (int, float)):
        number = value * 100 if "%" in cell.number_format else value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
        text = text[:-1] if text.endswith("%") else text
        try:
            number = float(text)
        except ValueError:
            row.problems.append(row.problem(wrong % {"value": _text(value)}, "proposed_progress"))
            return None
    number = round(float(number), 6)  # 0.57 * 100 is 56.99999999999999
    if not number.is_integer():
        row.problems.append(row.problem(wrong % {"value": _text(value)}, "proposed_progress"))
        return None
    if not 0 <= number <= 100:
        row.problems.append(row.problem(_("Progress is a percentage from 0 to 100."), "proposed_progress"))
        return None
    return int(number)
