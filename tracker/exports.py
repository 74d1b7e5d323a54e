"""Exports of commitments and reports: CSV (streamed), XLSX (styled, printable, real dates and
numbers), JSON.

People get headings and values in their language: "Status" / "狀態", "Underway – on track",
parties by short name, names of areas and organisations as the pages show them. Machines get the
JSON, with the column names and values of the import (`area_position`, `not_started`, party codes).
Either way an export edited in a spreadsheet loads back as an update of exactly what was changed:
the rows import (memoranda.parsing.rows and memoranda.resources) reads headings in any language of
the site or as machine names, statuses as labels in any language, and names in either script.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import capfirst
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from memoranda.models import Commitment, in_script
from memoranda.parsing.rows import COLUMNS, EXPORT_ONLY_COLUMNS, HEADINGS
from tracker.models import ProgressUpdate, UpdateState
from tracker.reports import shown

# JSON, for machines: the import's columns and values, and a few more for readers.
EXPORT_COLUMNS = COLUMNS + EXPORT_ONLY_COLUMNS
# CSV and XLSX, for people: the status itself is shown as its label, so no separate label column.
LIST_COLUMNS = COLUMNS + ["mechanism", "overdue", "latest_update_on", "latest_update"]
LIST_WIDTHS = {
    "ref": 14, "session": 10, "area": 28, "area_position": 9, "item_position": 9, "title": 36, "title_zh": 30,
    "text": 60, "text_zh": 50, "lead_organisation": 30, "supporting_organisations": 34, "parties": 16,
    "responsible_officer": 20, "status": 20, "progress": 9, "not_pursued_reason": 30, "due_on": 15, "continues": 14,
    "mechanism": 30, "overdue": 10, "latest_update_on": 15, "latest_update": 60,
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_headings(columns: Sequence[str] = LIST_COLUMNS) -> list[str]:
    """The headings of a commitments export in the reader's language."""
    return [capfirst(str(HEADINGS[column])) for column in columns]


def commitment_row(commitment: Commitment, today: datetime.date) -> dict[str, Any]:
    """One commitment with the import's column names and values, for machines (JSON); needs
    `with_owners` and `with_latest_update` applied."""
    return {
        "ref": commitment.ref,
        "session": f"{commitment.session.mechanism.code}-{commitment.session.number}",
        "area": commitment.area.name or commitment.area.name_zh,  # the import matches either
        "area_position": commitment.area_position,
        "item_position": commitment.item_position,
        "title": commitment.title,
        "title_zh": commitment.title_zh,
        "text": commitment.text,
        "text_zh": commitment.text_zh,
        "lead_organisation": (commitment.lead_organisation.name or commitment.lead_organisation.name_zh) if commitment.lead_organisation else "",
        "supporting_organisations": ";".join(o.name or o.name_zh for o in commitment.supporting_organisations.all()),
        "parties": ";".join(p.code for p in commitment.parties.all()),
        "responsible_officer": commitment.responsible_officer,
        "status": commitment.status,
        "progress": commitment.progress,
        "not_pursued_reason": commitment.not_pursued_reason,
        "due_on": commitment.due_on,
        "continues": commitment.continues.ref if commitment.continues_id else "",
        "mechanism": commitment.session.mechanism.name,
        "status_label": str(commitment.get_status_display()),
        "overdue": "yes" if commitment.is_overdue(today) else "",
        "latest_update_on": _reviewed_on(commitment),
        "latest_update": getattr(commitment, "latest_update_narrative", None) or "",
        "latest_update_zh": getattr(commitment, "latest_update_narrative_zh", None) or "",
    }


def commitment_reader_row(commitment: Commitment, today: datetime.date) -> dict[str, Any]:
    """One commitment as people read it (CSV, XLSX), in their language; the rows import reads it
    back. Chinese texts are in the reader's script; the import takes a text that differs only in
    script as unchanged."""
    language = get_language() or "en"
    chinese = (lambda text: in_script(text, language) if text else text) if language.startswith("zh") else (lambda text: text)
    lead = commitment.lead_organisation
    return {
        "ref": commitment.ref,
        "session": f"{commitment.session.mechanism.code}-{commitment.session.number}",
        "area": commitment.area.display_name,
        "area_position": commitment.area_position,
        "item_position": commitment.item_position,
        "title": commitment.title,
        "title_zh": chinese(commitment.title_zh),
        "text": commitment.text,
        "text_zh": chinese(commitment.text_zh),
        "lead_organisation": lead.display_name if lead else "",
        "supporting_organisations": "; ".join(o.display_name for o in commitment.supporting_organisations.all()),
        "parties": "; ".join(p.display_short_name for p in commitment.parties.all()),
        "responsible_officer": commitment.responsible_officer,
        "status": str(commitment.get_status_display()),
        "progress": commitment.progress,
        "not_pursued_reason": commitment.not_pursued_reason,
        "due_on": commitment.due_on,
        "continues": commitment.continues.ref if commitment.continues_id else "",
        "mechanism": commitment.session.mechanism.display_name,
        "overdue": _("Overdue") if commitment.is_overdue(today) else "",
        "latest_update_on": _reviewed_on(commitment),
        "latest_update": shown(
            getattr(commitment, "latest_update_narrative", None), getattr(commitment, "latest_update_narrative_zh", None)
        ).marked,
    }


def _reviewed_on(commitment: Commitment) -> datetime.date | None:
    reviewed_at = getattr(commitment, "latest_update_at", None)
    return timezone.localtime(reviewed_at).date() if reviewed_at else None


def _with_chinese_narrative(commitments: QuerySet[Commitment]) -> QuerySet[Commitment]:
    """The Chinese narrative of the latest accepted update beside the English one that
    `selectors.with_latest_update` annotates: one subquery, never a query per row."""
    if "latest_update_narrative_zh" in commitments.query.annotations:
        return commitments
    latest = ProgressUpdate.objects.filter(commitment=OuterRef("pk"), state=UpdateState.ACCEPTED).order_by("-reviewed_at", "-pk")
    return commitments.annotate(latest_update_narrative_zh=Subquery(latest.values("narrative_zh")[:1]))


def commitment_rows(commitments: QuerySet[Commitment], *, for_people: bool = False) -> Iterator[dict[str, Any]]:
    """Rows in chunks, so that 100,000 commitments never sit in memory at once: as people read
    them, or with the import's names and values."""
    today = timezone.localdate()
    row = commitment_reader_row if for_people else commitment_row
    for commitment in _with_chinese_narrative(commitments.select_related("continues")).iterator(chunk_size=1000):
        yield row(commitment, today)


# A cell starting with one of these is a formula to a spreadsheet program: text from users must
# never run as one (CSV injection). Our rows import takes the guarding apostrophe off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()  # spreadsheet programs read ISO dates as dates, whatever their language
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class _Echo:
    def write(self, value: str) -> str:
        return value


def _in_language(language: str, items: Iterable[str]) -> Iterator[str]:
    """A streamed body is written after the view has returned: keep the request's language. The
    language is switched only while each piece is written, never across a `yield`: a body left
    unread and closed later must not switch the language of whatever runs then."""
    iterator = iter(items)
    while True:
        with override(language):
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def csv_response(rows: Iterable[dict], columns: Sequence[str], filename: str, headers: Sequence[str] | None = None) -> StreamingHttpResponse:
    """A streamed CSV, UTF-8 with a byte-order mark so spreadsheet programs read Chinese correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([str(header) for header in headers or columns])
        for row in rows:
            yield writer.writerow([_text(row.get(column)) for column in columns])

    response = StreamingHttpResponse(_in_language(get_language(), lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    """JSON for machines: the import's column names and values (`not_started`, party codes), whatever
    the reader's language."""
    def chunks() -> Iterator[str]:
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False, default=_text)
        yield "]"

    response = StreamingHttpResponse(_in_language(get_language(), chunks()), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


_EXCEL_DATE_PARTS = {"j": "d", "d": "dd", "n": "m", "m": "mm", "M": "mmm", "N": "mmm", "F": "mmmm", "y": "yy", "Y": "yyyy", "D": "ddd", "l": "dddd"}


def excel_date_format() -> str:
    """The reader's DATE_FORMAT ("j F Y", "Y年n月j日") as a spreadsheet number format, so a date cell
    stays a real date and reads as the pages write it."""
    parts, escaped = [], False
    for char in get_format("DATE_FORMAT"):
        if not escaped and char == "\\":
            escaped = True
            continue
        if char in _EXCEL_DATE_PARTS and not escaped:
            parts.append(_EXCEL_DATE_PARTS[char])
        else:
            parts.append(char if char in " -/" else f'"{char}"')  # other literals quoted: 年, 月, 日, commas
        escaped = False
    return "".join(parts)


HEADER_FONT, HEADER_FILL = Font(name="Calibri", bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B4F6C")
WRAPPED, TOP = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
LINE_HEIGHT = 15  # points, for the default 11-point font
MAX_ROW_HEIGHT = 409  # the most a spreadsheet row may be


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell needs in a column `width` characters wide: a Chinese character
    is about two wide. (Spreadsheet programs do not all fit rows to wrapped text when they open a
    file, so the file says how tall each row is.)"""
    if not isinstance(value, str) or not value:
        return 1
    room = max(width - 1, 1)
    return sum(
        # Latin text wraps between words and loses a little of each line: allow for it.
        max(1, math.ceil(sum(2 if unicodedata.east_asian_width(char) in "WF" else 1.15 for char in line) / room))
        for line in value.splitlines() or [""]
    )


def _height(values: Sequence[Any], widths: Sequence[float]) -> float:
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * max((_lines(value, width) for value, width in zip(values, widths, strict=False)), default=1) + 2)


def xlsx_bytes(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None = None,
    *,
    title: str = "Commitments",
    widths: Mapping[str, float] | None = None,
    preamble: Sequence[Sequence[Any]] = (),
    fit_to_width: bool = False,
) -> bytes:
    """A workbook ready to read and to print: `preamble` rows of text (a title, "as at") above a styled
    header row that stays in view and repeats on every printed page, an autofilter, wrapped text in
    rows tall enough to show it, widths by column, real dates and numbers; printed landscape on A4,
    and with `fit_to_width` all columns on the width of one page."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    header_row = len(preamble) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    if fit_to_width:
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # as many pages down as it takes
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    sheet.oddFooter.center.text = "&P / &N"
    column_widths = [(widths or {}).get(column, 16) for column in columns]
    for index, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    date_format = excel_date_format()
    for number, values in enumerate(preamble, start=1):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=xlsx_text(value) if isinstance(value, str) else value)  # runs on over the empty cells beside it
            if number == 1:
                cell.font = Font(name="Calibri", bold=True, size=14)
            cells.append(cell)
        if number == 1:
            sheet.row_dimensions[number].height = 22
        sheet.append(cells)
    cells = []
    for header in headers or columns:
        cell = WriteOnlyCell(sheet, value=xlsx_text(str(header)))
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAPPED
        cells.append(cell)
    sheet.row_dimensions[header_row].height = _height([cell.value for cell in cells], column_widths)
    sheet.append(cells)
    count = 0
    for row in rows:
        sheet.row_dimensions[header_row + count + 1].height = _height([row.get(column) for column in columns], column_widths)
        values = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
            value = xlsx_text(value) if isinstance(value, str) else value
            cell = WriteOnlyCell(sheet, value=value if value != "" else None)
            cell.alignment = WRAPPED if isinstance(value, str) else TOP
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text that looks like a formula stays text
            if isinstance(value, (datetime.date, datetime.datetime)):
                cell.number_format = date_format
            values.append(cell)
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{header_row + count}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_text(value: str) -> str:
    """Text a workbook can hold: Word's soft return (\\x0b) becomes a line break, and the other
    control characters XML forbids are dropped, so one pasted narrative cannot break every export."""
    return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\x0b", "\n"))


def xlsx_response(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    filename: str,
    headers: Sequence[str] | None = None,
    **options: Any,
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(rows, columns, headers, **options), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
