"""Commitment rows in CSV or XLSX: the columns an export produces are the columns an import takes.

This module only reads the file and checks it row by row (columns, duplicate refs, dates, statuses,
numbers); matching rows to the database is django-import-export's job, in `memoranda.services`.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import tablib

from memoranda.choices import Status
from memoranda.parsing.encoding import MAX_SOURCE_BYTES, decode_source
from memoranda.parsing.model import MemorandumParseError, Problem

COLUMNS = [
    "ref", "session", "area", "area_position", "item_position", "title", "title_zh", "text", "text_zh",
    "lead_organisation", "supporting_organisations", "parties", "responsible_officer", "status", "progress",
    "not_pursued_reason", "due_on", "continues",
]
# Columns an export adds for its readers; an import accepts and ignores them.
EXPORT_ONLY_COLUMNS = ["mechanism", "status_label", "overdue", "latest_update_on", "latest_update"]
REF = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d+-\d+\.\d+$")
SESSION = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d+$")
ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?: 00:00(?::00)?)?")
MAX_ROWS = 50_000


def read_rows(data: bytes, format: str) -> tablib.Dataset:
    """The rows of a CSV or XLSX file, checked; `MemorandumParseError` lists every problem by row."""
    if format not in ("csv", "xlsx"):
        raise MemorandumParseError([Problem(f"Commitment rows come as CSV or XLSX, not {format!r}.", field="format")])
    if len(data) > MAX_SOURCE_BYTES * 4:
        raise MemorandumParseError([Problem(f"The file is too large ({len(data):,} bytes).", field="file")])
    if not data.strip():
        raise MemorandumParseError([Problem("The file is empty.", field="file")])
    try:
        if format == "xlsx":
            if not zipfile.is_zipfile(io.BytesIO(data)):
                raise MemorandumParseError([Problem("This is not an XLSX workbook.", field="file")])
            dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        else:
            text = decode_source(data).lstrip("\ufeff")
            _check_csv_shape(text)
            dataset = tablib.Dataset().load(text, format="csv")
    except MemorandumParseError:
        raise
    except Exception as error:  # tablib and openpyxl raise many kinds; all mean "unreadable"
        raise MemorandumParseError([Problem(f"The {format.upper()} file could not be read: {error}", field="file")]) from None
    check_rows(dataset)
    return dataset


def _check_csv_shape(text: str) -> None:
    """Every row as wide as the header: tablib would refuse a ragged file without saying where."""
    rows = list(csv.reader(io.StringIO(text)))
    width = len(rows[0]) if rows else 0
    problems = [
        Problem(f"This row has {len(row)} cells but the header has {width}.", line=number)
        for number, row in enumerate(rows[1:], start=2)
        if row and len(row) != width
    ]
    if problems:
        raise MemorandumParseError(problems)


def _unguard_formulas(dataset: tablib.Dataset) -> None:
    """Take off the apostrophe an export puts before text that a spreadsheet would run as a formula."""
    for index, row in enumerate(dataset):
        if any(isinstance(value, str) and value[:1] == "'" and value[1:2] in "=+-@\t\r" and value[1:2] for value in row):
            dataset[index] = tuple(
                value[1:] if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1:2] in "=+-@\t\r" else value
                for value in row
            )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_rows(dataset: tablib.Dataset) -> None:
    headers = [_text(header) for header in (dataset.headers or [])]
    missing = [column for column in COLUMNS if column not in headers]
    unknown = [header for header in headers if header and header not in COLUMNS and header not in EXPORT_ONLY_COLUMNS]
    problems = []
    if missing:
        problems.append(Problem(f"Missing column(s): {', '.join(missing)}. The columns are those of an export: {', '.join(COLUMNS)}.", line=1, field="header"))
    if unknown:
        problems.append(Problem(f"Unknown column(s): {', '.join(unknown)}.", line=1, field="header"))
    if problems:
        raise MemorandumParseError(problems)
    if dataset.height == 0:
        raise MemorandumParseError([Problem("The file has a header row but no commitments.", line=2)])
    if dataset.height > MAX_ROWS:
        raise MemorandumParseError([Problem(f"The file has {dataset.height:,} rows; load at most {MAX_ROWS:,} at a time.")])
    dataset.headers = headers
    _unguard_formulas(dataset)
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(dataset.dict):
        number = index + 2  # the header is row 1, as a spreadsheet numbers them
        ref = _text(row["ref"])
        if not REF.match(ref):
            problems.append(Problem(f"{ref!r} is not a reference like HKBJ-4-6.5.", line=number, field="ref"))
        elif ref in first_row_of:
            problems.append(Problem(f"{ref} appears twice (also in row {first_row_of[ref]}).", line=number, field="ref"))
        else:
            first_row_of[ref] = number
        if not SESSION.match(_text(row["session"])):
            problems.append(Problem(f"{_text(row['session'])!r} is not a session like HKBJ-4.", line=number, field="session"))
        status = _text(row["status"])
        if status not in Status.values:
            problems.append(Problem(f"{status!r} is not one of: {', '.join(Status.values)}.", line=number, field="status"))
        elif status == Status.NOT_PURSUED and not _text(row["not_pursued_reason"]):
            problems.append(Problem("A commitment not pursued needs a reason.", line=number, field="not_pursued_reason"))
        for column, low, high in (("progress", 0, 100), ("area_position", 1, 999), ("item_position", 1, 999)):
            value = _text(row[column])
            if not value.isdecimal() or not low <= int(value) <= high:
                problems.append(Problem(f"{value!r} must be a whole number from {low} to {high}.", line=number, field=column))
        due = row["due_on"]
        if due not in (None, "") and not isinstance(due, (datetime.date, datetime.datetime)):
            try:
                datetime.date.fromisoformat(ISO_DATE.fullmatch(_text(due)).group(1))
            except (ValueError, AttributeError):
                problems.append(Problem(f"{_text(due)!r} is not a real date; write it as YYYY-MM-DD.", line=number, field="due_on"))
        if not (_text(row["text"]) or _text(row["text_zh"])):
            problems.append(Problem("A commitment needs its text in English or Chinese.", line=number, field="text"))
    if problems:
        raise MemorandumParseError(problems)
