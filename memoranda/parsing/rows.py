"""Commitment rows in CSV or XLSX: the columns an export produces are the columns an import takes.

This module only reads the file and checks it row by row (columns, duplicate refs, dates, statuses,
numbers); matching rows to the database is django-import-export's job, in `memoranda.services`.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from memoranda.choices import Status
from memoranda.parsing.encoding import MAX_SOURCE_BYTES, decode_source
from memoranda.parsing.model import MemorandumParseError, Problem
from memoranda.parsing.numerals import whole_number

COLUMNS = [
    "ref", "session", "area", "area_position", "item_position", "title", "title_zh", "text", "text_zh",
    "lead_organisation", "supporting_organisations", "parties", "responsible_officer", "status", "progress",
    "not_pursued_reason", "due_on", "continues",
]
# Columns an export adds for its readers; an import accepts and ignores them.
EXPORT_ONLY_COLUMNS = ["mechanism", "status_label", "overdue", "latest_update_on", "latest_update"]
# Headings for people: an export writes them in the reader's language, and an import reads a
# heading in any language of the site as well as the machine name, so a file exported from the
# Chinese screens loads back unchanged. (The wording is that of the model's fields and the
# report's columns, so one translation serves them all.)
HEADINGS = {
    "ref": gettext_lazy("Ref."),
    "session": gettext_lazy("Session"),
    "area": gettext_lazy("Area"),
    "area_position": gettext_lazy("area number in the memorandum"),
    "item_position": gettext_lazy("item number within the area"),
    "title": gettext_lazy("short title (English)"),
    "title_zh": gettext_lazy("short title (Chinese)"),
    "text": gettext_lazy("text as agreed (English)"),
    "text_zh": gettext_lazy("text as agreed (Chinese)"),
    "lead_organisation": gettext_lazy("Lead organisation"),
    "supporting_organisations": gettext_lazy("supporting organisations"),
    "parties": gettext_lazy("parties undertaking it"),
    "responsible_officer": gettext_lazy("Responsible officer"),
    "status": gettext_lazy("Status"),
    "progress": gettext_lazy("Progress (%)"),
    "not_pursued_reason": gettext_lazy("reason for not pursuing"),
    "due_on": gettext_lazy("Due"),
    "continues": gettext_lazy("Continues"),
    "mechanism": gettext_lazy("Mechanism"),
    "overdue": gettext_lazy("Overdue"),
    "latest_update_on": gettext_lazy("Last accepted update"),
    "latest_update": gettext_lazy("Progress reported"),
}
REF = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d+-\d+\.\d+$")
SESSION = re.compile(r"^[A-Z][A-Z0-9]{1,11}-\d+$")
ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?: 00:00(?::00)?)?")
MAX_ROWS = 50_000


def read_rows(data: bytes, format: str) -> tablib.Dataset:
    """The rows of a CSV or XLSX file, checked; `MemorandumParseError` lists every problem by row."""
    if format not in ("csv", "xlsx"):
        raise MemorandumParseError([Problem(
            _("Commitment rows come as CSV or XLSX, not %(format)s.") % {"format": repr(format)}, field="format",
        )])
    if len(data) > MAX_SOURCE_BYTES * 4:
        raise MemorandumParseError([Problem(_("The file is too large (%(size)s bytes).") % {"size": f"{len(data):,}"}, field="file")])
    if not data.strip():
        raise MemorandumParseError([Problem(_("The file is empty."), field="file")])
    try:
        if format == "xlsx":
            if not zipfile.is_zipfile(io.BytesIO(data)):
                raise MemorandumParseError([Problem(_("This is not an XLSX workbook."), field="file")])
            dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
        else:
            text = decode_source(data).lstrip("\ufeff")
            _check_csv_shape(text)
            dataset = tablib.Dataset().load(text, format="csv")
    except MemorandumParseError:
        raise
    except Exception as error:  # tablib and openpyxl raise many kinds; all mean "unreadable"
        raise MemorandumParseError([Problem(
            _("The %(format)s file could not be read: %(error)s") % {"format": format.upper(), "error": error}, field="file",
        )]) from None
    check_rows(dataset)
    return dataset


def _check_csv_shape(text: str) -> None:
    """Every row as wide as the header: tablib would refuse a ragged file without saying where."""
    rows = list(csv.reader(io.StringIO(text)))
    width = len(rows[0]) if rows else 0
    problems = [
        Problem(_("This row has %(cells)s cells but the header has %(width)s.") % {"cells": len(row), "width": width}, line=number)
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


def _key(text: str) -> str:
    """How headings and labels are compared: regardless of case, spaces, full-width forms and dashes."""
    return re.sub(r"[\s\-\u2010-\u2015]+", "", unicodedata.normalize("NFKC", text).casefold())


def _names_by_key(labels: dict[str, object]) -> dict[str, str]:
    """Every label in every language of the site, and every machine name, → the machine name."""
    names: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            for name, label in labels.items():
                names.setdefault(_key(str(label)), name)
    names.update({_key(name): name for name in labels})
    return names


def column_for_heading(heading: str) -> str:
    """The machine name of a column headed in any language ("狀態", "Status", "status"), or the
    heading itself when it names no column."""
    return _names_by_key({**{name: name for name in COLUMNS + EXPORT_ONLY_COLUMNS}, **HEADINGS}).get(_key(heading), heading)


def _statuses_as_values(dataset: tablib.Dataset) -> None:
    """A status written as its label in any language ("Underway – on track", its Chinese
    label) becomes its value; anything else stays as it is, for the check to report."""
    column = dataset.headers.index("status")
    names = _names_by_key({status.value: status.label for status in Status})
    for index, row in enumerate(dataset):
        value = row[column]
        if isinstance(value, str) and value.strip() not in Status.values and _key(value) in names:
            dataset[index] = (*row[:column], names[_key(value)], *row[column + 1:])


def check_rows(dataset: tablib.Dataset) -> None:
    headers = [column_for_heading(_text(header)) for header in (dataset.headers or [])]
    missing = [column for column in COLUMNS if column not in headers]
    unknown = [header for header in headers if header and header not in COLUMNS and header not in EXPORT_ONLY_COLUMNS]
    problems = []
    if missing:
        problems.append(Problem(_("Missing column(s): %(missing)s. The columns are those of an export: %(columns)s.") % {
            "missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}, line=1, field="header"))
    if unknown:
        problems.append(Problem(_("Unknown column(s): %(unknown)s.") % {"unknown": ", ".join(unknown)}, line=1, field="header"))
    if problems:
        raise MemorandumParseError(problems)
    if dataset.height == 0:
        raise MemorandumParseError([Problem(_("The file has a header row but no commitments."), line=2)])
    if dataset.height > MAX_ROWS:
        raise MemorandumParseError([Problem(_("The file has %(rows)s rows; load at most %(limit)s at a time.") % {
            "rows": f"{dataset.height:,}", "limit": f"{MAX_ROWS:,}"})])
    dataset.headers = headers
    _unguard_formulas(dataset)
    _statuses_as_values(dataset)
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(dataset.dict):
        number = index + 2  # the header is row 1, as a spreadsheet numbers them
        ref = _text(row["ref"])
        if not REF.match(ref):
            problems.append(Problem(_("%(ref)s is not a reference like HKBJ-4-6.5.") % {"ref": repr(ref)}, line=number, field="ref"))
        elif ref in first_row_of:
            problems.append(Problem(_("%(ref)s appears twice (also in row %(row)s).") % {"ref": ref, "row": first_row_of[ref]},
                                    line=number, field="ref"))
        else:
            first_row_of[ref] = number
        if not SESSION.match(_text(row["session"])):
            problems.append(Problem(_("%(session)s is not a session like HKBJ-4.") % {"session": repr(_text(row["session"]))},
                                    line=number, field="session"))
        status = _text(row["status"])
        if status not in Status.values:
            problems.append(Problem(_("%(value)s is not one of: %(choices)s.") % {"value": repr(status), "choices": ", ".join(Status.values)},
                                    line=number, field="status"))
        elif status == Status.NOT_PURSUED and not _text(row["not_pursued_reason"]):
            problems.append(Problem(_("A commitment not pursued needs a reason."), line=number, field="not_pursued_reason"))
        for column, low, high in (("progress", 0, 100), ("area_position", 1, 999), ("item_position", 1, 999)):
            value = _text(row[column])
            if whole_number(value, low, high) is None:
                problems.append(Problem(_("%(value)s must be a whole number from %(low)s to %(high)s.") % {
                    "value": repr(value), "low": low, "high": high}, line=number, field=column))
        due = row["due_on"]
        if due not in (None, "") and not isinstance(due, (datetime.date, datetime.datetime)):
            try:
                datetime.date.fromisoformat(ISO_DATE.fullmatch(_text(due)).group(1))
            except (ValueError, AttributeError):
                problems.append(Problem(_("%(value)s is not a real date; write it as YYYY-MM-DD.") % {"value": repr(_text(due))},
                                        line=number, field="due_on"))
        if not (_text(row["text"]) or _text(row["text_zh"])):
            problems.append(Problem(_("A commitment needs its text in English or Chinese."), line=number, field="text"))
    if problems:
        raise MemorandumParseError(problems)
