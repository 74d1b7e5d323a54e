"""Exports of commitments and reports: CSV (streamed), XLSX (styled, real dates and numbers), JSON.

The commitment columns are those django-import-export reads back (memoranda.parsing.rows.COLUMNS)
followed by a few columns for readers, which an import ignores: so an export edited in a
spreadsheet loads back as an update of exactly what was changed.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from memoranda.models import Commitment
from memoranda.parsing.rows import COLUMNS, EXPORT_ONLY_COLUMNS

EXPORT_COLUMNS = COLUMNS + EXPORT_ONLY_COLUMNS
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDE_COLUMNS = {"text", "text_zh", "title", "title_zh", "latest_update", "area", "lead_organisation", "supporting_organisations"}


def commitment_row(commitment: Commitment, today: datetime.date) -> dict[str, Any]:
    """One commitment as export columns; needs `with_owners` and `with_latest_update` applied."""
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
        "latest_update_on": timezone.localtime(commitment.latest_update_at).date() if getattr(commitment, "latest_update_at", None) else None,
        "latest_update": getattr(commitment, "latest_update_narrative", None) or "",
    }


def commitment_rows(commitments: QuerySet[Commitment]) -> Iterator[dict[str, Any]]:
    """Rows in chunks, so that 100,000 commitments never sit in memory at once."""
    today = timezone.localdate()
    for commitment in commitments.select_related("continues").iterator(chunk_size=1000):
        yield commitment_row(commitment, today)


# A cell starting with one of these is a formula to a spreadsheet program: text from users must
# never run as one (CSV injection). Our rows import takes the guarding apostrophe off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
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


def csv_response(rows: Iterable[dict], columns: Sequence[str], filename: str) -> StreamingHttpResponse:
    """A streamed CSV, UTF-8 with a byte-order mark so spreadsheet programs read Chinese correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow([_text(row.get(column)) for column in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    def chunks() -> Iterator[str]:
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False, default=_text)
        yield "]"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


def xlsx_bytes(rows: Iterable[dict], columns: Sequence[str], headers: Sequence[str] | None = None, *, title: str = "Commitments") -> bytes:
    """A workbook with a styled, frozen header row, an autofilter, and real dates and numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 50 if column in WIDE_COLUMNS else 16
    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B4F6C")
    cells = []
    for header in headers or columns:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font, cell.fill, cell.alignment = header_font, header_fill, Alignment(vertical="top", wrap_text=True)
        cells.append(cell)
    sheet.append(cells)
    count = 0
    for row in rows:
        values = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, datetime.datetime):
                value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
            cell = WriteOnlyCell(sheet, value=value if value != "" else None)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text that looks like a formula stays text
            if isinstance(value, (datetime.date, datetime.datetime)):
                cell.number_format = "yyyy-mm-dd"
            values.append(cell)
        sheet.append(values)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(rows: Iterable[dict], columns: Sequence[str], filename: str, headers: Sequence[str] | None = None) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(rows, columns, headers), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
