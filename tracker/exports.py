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
import decimal
import io
import json
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from django.db.models import CharField, F, FilteredRelation, OuterRef, Q, QuerySet, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import capfirst
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from memoranda.models import Area, Commitment, Mechanism, Organisation, Party, Status, in_script
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


# What an export reads of each commitment, in one query: plain values, never model instances
# (building those and their related rows was most of an export's time). The latest accepted
# update's texts and the ids of supporting organisations and parties come with each row, by
# subqueries on indexes; names of areas, organisations, parties and mechanisms from lookups made
# once per export. (Asking for the related rows per chunk of 2,000 ids instead spent most of its
# time in Django's preparation of the ids.)
ROW_VALUES = (
    "pk", "ref", "session__mechanism__code", "session__mechanism_id", "session__number", "area_id", "area_position",
    "item_position", "title", "title_zh", "text", "text_zh", "lead_organisation_id", "responsible_officer", "status",
    "progress", "not_pursued_reason", "due_on", "continues__ref",
    "export_narrative", "export_narrative_zh", "export_reviewed_at", "export_supporting", "export_parties",
)
CHUNK = 2000  # rows fetched at a time from the database cursor


class _Names(dict):
    """id -> name of every row of a small table (areas, organisations, parties, mechanisms), read
    the first time one is asked for: their number grows with the configuration, not with commitments.
    `joined` turns the ids of a row's related rows into their names in the table's own order."""

    def __init__(self, model: type, name: Callable[[Any], str], separator: str = "") -> None:
        super().__init__()
        self.model, self.name, self.separator = model, name, separator
        self.rank: dict[int, int] = {}
        self.joins: dict[str, str] = {}  # the same few combinations come back on row after row

    def __missing__(self, pk: int | None) -> str:
        if pk is None:
            return ""
        if not self:
            for rank, row in enumerate(self.model.objects.all()):  # in the model's ordering
                self[row.pk], self.rank[row.pk] = self.name(row), rank
        return self.setdefault(pk, "")

    def joined(self, ids: str | None) -> str:
        if not ids:
            return ""
        if ids not in self.joins:
            pks = [int(pk) for pk in ids.split(",")]
            names = [self[pk] for pk in pks]  # reads the table, and so the ranks, on first use
            self.joins[ids] = self.separator.join(name for _, name in sorted(zip((self.rank.get(pk, 0) for pk in pks), names, strict=True)))
        return self.joins[ids]


def _related_ids(relation: str) -> Subquery:
    """The ids of a commitment's supporting organisations or parties, joined by commas."""
    field = Commitment._meta.get_field(relation)
    target = f"{field.m2m_reverse_field_name()}_id"
    through = field.remote_field.through.objects.filter(commitment=OuterRef("pk")).order_by().values("commitment")
    return Subquery(through.annotate(ids=StringAgg(Cast(target, CharField()), Value(","))).values("ids"), output_field=CharField())


def _export_values(commitments: QuerySet[Commitment]) -> QuerySet:
    """ROW_VALUES of each commitment. The latest accepted update is joined once, on the id its
    subquery finds (three subqueries, one per field, took a second longer at 100,000 rows)."""
    latest = ProgressUpdate.objects.filter(commitment=OuterRef("pk"), state=UpdateState.ACCEPTED).order_by("-reviewed_at", "-pk")
    return commitments.select_related(None).prefetch_related(None).annotate(
        export_latest=FilteredRelation("updates", condition=Q(updates__pk=Subquery(latest.values("pk")[:1]))),
        export_narrative=F("export_latest__narrative"),
        export_narrative_zh=F("export_latest__narrative_zh"),
        export_reviewed_at=F("export_latest__reviewed_at"),
        export_supporting=_related_ids("supporting_organisations"),
        export_parties=_related_ids("parties"),
    ).values_list(*ROW_VALUES)


def commitment_rows(commitments: QuerySet[Commitment], *, for_people: bool = False) -> Iterator[dict[str, Any]]:
    """Rows read from the database cursor a chunk at a time, so that 100,000 commitments never sit
    in memory at once: as people read them (CSV, XLSX: in their language, which the rows import
    reads back; Chinese texts in the reader's script, which the import takes as unchanged), or
    with the import's names and values (JSON, for machines)."""
    today = timezone.localdate()
    closed = set(Status.closed())
    statuses = {value: str(label) for value, label in Status.choices}
    language = get_language() or "en"
    chinese = (lambda text: in_script(text, language) if text else text) if for_people and language.startswith("zh") else (lambda text: text)
    either = lambda row: row.name or row.name_zh  # noqa: E731 (the import matches either)
    separator = "; " if for_people else ";"
    areas = _Names(Area, (lambda row: row.display_name) if for_people else either)
    organisations = _Names(Organisation, (lambda row: row.display_name) if for_people else either, separator)
    parties = _Names(Party, (lambda row: row.display_short_name) if for_people else (lambda row: row.code), separator)
    mechanisms = _Names(Mechanism, (lambda row: row.display_name) if for_people else (lambda row: row.name))
    overdue = _("Overdue") if for_people else "yes"
    latest_update = _latest_update_shown(language) if for_people else None
    zone = timezone.get_current_timezone()  # once: looking it up on every row was a fifth of the time
    for (
        _pk, ref, mechanism_code, mechanism_id, session_number, area_id, area_position, item_position, title, title_zh,
        text, text_zh, lead_id, officer, status, progress, not_pursued_reason, due_on, continues,
        narrative, narrative_zh, reviewed_at, supporting, undertaking,
    ) in _export_values(commitments).iterator(chunk_size=CHUNK):
        line = {
            "ref": ref,
            "session": f"{mechanism_code}-{session_number}",
            "area": areas[area_id],
            "area_position": area_position,
            "item_position": item_position,
            "title": title,
            "title_zh": chinese(title_zh),
            "text": text,
            "text_zh": chinese(text_zh),
            "lead_organisation": organisations[lead_id],
            "supporting_organisations": organisations.joined(supporting),
            "parties": parties.joined(undertaking),
            "responsible_officer": officer,
            "status": statuses[status] if for_people else status,
            "progress": progress,
            "not_pursued_reason": not_pursued_reason,
            "due_on": due_on,
            "continues": continues or "",
            "mechanism": mechanisms[mechanism_id],
            "overdue": overdue if due_on and status not in closed and due_on < today else "",
            "latest_update_on": reviewed_at.astimezone(zone).date() if reviewed_at else None,
        }
        if for_people:
            line["latest_update"] = latest_update(narrative, narrative_zh)
        else:
            line.update(status_label=statuses[status], latest_update=narrative or "", latest_update_zh=narrative_zh or "")
        yield line


def _latest_update_shown(language: str) -> Callable[[str | None, str | None], str]:
    """The reports' `shown(english, chinese).marked`, with what depends on the language worked out
    once per export rather than on every row (Chinese readers still go through `shown`, which
    converts the script)."""
    if language.startswith("zh"):
        return lambda english, chinese: shown(english, chinese).marked
    with override(language):
        marked = _("(%(language)s) %(text)s")
        marker = _("Chinese")
    return lambda english, chinese: english or (marked % {"language": marker, "text": chinese} if chinese else "")


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


# Rows per piece of a streamed body: each piece costs a switch of language and a write to the
# client, so one per row was a third of a 100,000-row export's time.
PIECE = 500


def _pieces(lines: Iterable[str]) -> Iterator[str]:
    piece: list[str] = []
    for line in lines:
        piece.append(line)
        if len(piece) == PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


# Cells the CSV writer already writes as _text would: whole numbers, nothing (""), dates (ISO).
_AS_THEY_ARE = frozenset({int, type(None), datetime.date})
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _cells(values: Iterable[Any]) -> list[Any]:
    """A CSV row: most cells are plain text, numbers or dates, passed as they are; the rest through
    _text. Decided inline, not by a call per cell: 2.2 million calls were a fifth of an export."""
    return [
        value if (kind := type(value)) in _AS_THEY_ARE or (kind is str and value[:1] not in _FORMULA_FIRST) else _text(value)
        for value in values
    ]


def csv_body(rows: Iterable[dict], columns: Sequence[str], headers: Sequence[str] | None = None) -> Iterator[str]:
    """A CSV in pieces, UTF-8 with a byte-order mark so spreadsheet programs read Chinese correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([str(header) for header in headers or columns])
        for row in rows:
            yield writer.writerow(_cells(map(row.get, columns)))

    return _pieces(lines())


def csv_response(rows: Iterable[dict], columns: Sequence[str], filename: str, headers: Sequence[str] | None = None) -> StreamingHttpResponse:
    """A streamed CSV."""
    response = StreamingHttpResponse(_in_language(get_language(), csv_body(rows, columns, headers)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_body(rows: Iterable[dict]) -> Iterator[str]:
    def chunks() -> Iterator[str]:
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False, default=_text)
        yield "]"

    return _pieces(chunks())


def json_response(rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    """JSON for machines: the import's column names and values (`not_started`, party codes), whatever
    the reader's language."""
    response = StreamingHttpResponse(_in_language(get_language(), json_body(rows)), content_type="application/json; charset=utf-8")
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


HEADER_COLOUR = "0B4F6C"  # white on dark teal, in every workbook
LINE_HEIGHT = 15  # points, for the default 11-point font
MAX_ROW_HEIGHT = 409  # the most a spreadsheet row may be
# Characters a spreadsheet draws about two wide: CJK ideographs and punctuation, kana, hangul, full-width forms.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell needs in a column `width` characters wide: a Chinese character
    is about two wide. (Spreadsheet programs do not all fit rows to wrapped text when they open a
    file, so the file says how tall each row is.)"""
    if not isinstance(value, str) or not value:
        return 1
    room = max(width - 1, 1)
    if len(value) <= room / 2 and "\n" not in value:  # fits even if every character is wide: most cells
        return 1
    lines = 0
    for line in value.splitlines() or [""]:
        wide = 0 if line.isascii() else len(_WIDE.findall(line))
        # Latin text wraps between words and loses a little of each line: allow for it.
        lines += max(1, math.ceil((2 * wide + 1.15 * (len(line) - wide)) / room))
    return lines


def _height(values: Sequence[Any], widths: Sequence[float]) -> float:
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * max((_lines(value, width) for value, width in zip(values, widths, strict=False)), default=1) + 2)


def write_xlsx(
    file: IO[bytes],
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    headers: Sequence[str] | None = None,
    *,
    title: str = "Commitments",
    widths: Mapping[str, float] | None = None,
    preamble: Sequence[Sequence[Any]] = (),
    fit_to_width: bool = False,
) -> None:
    """A workbook ready to read and to print: `preamble` rows of text (a title, "as at") above a styled
    header row that stays in view and repeats on every printed page, an autofilter, wrapped text in
    rows tall enough to show it, widths by column, real dates and numbers; printed landscape on A4,
    and with `fit_to_width` all columns on the width of one page.

    Written by xlsxwriter in constant-memory mode, row by row to a temporary file: an export of
    100,000 rows never holds its cells in memory (openpyxl's write-only mode was 4 times slower)."""
    workbook = xlsxwriter.Workbook(file, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(xlsx_text(title)[:31] or "Sheet1")
    header_row = len(preamble)  # 0-based
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    if fit_to_width:
        sheet.fit_to_pages(1, 0)  # as many pages down as it takes
    sheet.hide_gridlines(0)  # shown on screen and printed
    sheet.set_footer("&C&P / &N")
    column_widths = [(widths or {}).get(column, 16) for column in columns]
    for index, width in enumerate(column_widths):
        sheet.set_column(index, index, width)
    title_format = workbook.add_format({"bold": True, "font_size": 14, "font_name": "Calibri"})
    header_format = workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": f"#{HEADER_COLOUR}", "font_name": "Calibri", "text_wrap": True, "valign": "top"})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    top = workbook.add_format({"valign": "top"})
    dates = workbook.add_format({"valign": "top", "num_format": excel_date_format()})
    for number, values in enumerate(preamble):
        if number == 0:
            sheet.set_row(number, 22)
        for index, value in enumerate(values):
            _write(sheet, number, index, value, title_format if number == 0 else None, dates)  # runs on over the empty cells beside it
    header_texts = [xlsx_text(str(header)) for header in headers or columns]
    sheet.set_row(header_row, _height(header_texts, column_widths))
    for index, header in enumerate(header_texts):
        sheet.write_string(header_row, index, header, header_format)
    number = header_row
    for row in rows:
        number += 1
        values = [row.get(column) for column in columns]
        sheet.set_row(number, _height(values, column_widths))
        for index, value in enumerate(values):
            _write(sheet, number, index, value, wrapped if isinstance(value, str) else top, dates)
    sheet.autofilter(header_row, 0, number, len(columns) - 1)
    workbook.close()


def _write(sheet: Any, row: int, column: int, value: Any, cell_format: Any, date_format: Any) -> None:
    """One cell, by its type: text always as text (never a formula or a link), dates as dates."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, column, xlsx_text(value), cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, (int, float, decimal.Decimal)):
        sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        sheet.write_datetime(row, column, value, date_format)
    else:
        sheet.write_string(row, column, xlsx_text(str(value)), cell_format)


def xlsx_bytes(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], headers: Sequence[str] | None = None, **options: Any) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, rows, columns, headers, **options)
    return out.getvalue()


def xlsx_text(value: str) -> str:
    """Text a workbook can hold: Word's soft return (\\x0b) becomes a line break, and the other
    control characters XML forbids are dropped, so one pasted narrative cannot break every export."""
    if value.isprintable():  # no control characters at all: most cells, checked far faster than by the pattern
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", value.replace("\x0b", "\n"))


def xlsx_response(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    filename: str,
    headers: Sequence[str] | None = None,
    **options: Any,
) -> FileResponse:
    """The workbook written to a temporary file and sent from there: not held in memory."""
    file = tempfile.TemporaryFile()
    write_xlsx(file, rows, columns, headers, **options)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE)
