"""Commitment rows in CSV or XLSX, checked row by row before anything is matched. No database."""
import datetime
import io
import zipfile

import openpyxl
import pytest
import tablib

from memoranda.parsing import MemorandumParseError
from memoranda.parsing.rows import COLUMNS, read_rows

GOOD_ROW = {
    "ref": "HKBJ-4-1.1", "session": "HKBJ-4", "area": "Trade", "area_position": "1", "item_position": "1",
    "title": "", "title_zh": "", "text": "Both sides would promote trade.", "text_zh": "雙方將促進貿易。",
    "lead_organisation": "Hong Kong Trade Development Council", "supporting_organisations": "",
    "parties": "HK,BJ", "responsible_officer": "", "status": "on_track", "progress": "40",
    "not_pursued_reason": "", "due_on": "2019-06-30", "continues": "",
}
SECOND_ROW = {**GOOD_ROW, "ref": "HKBJ-4-1.2", "item_position": "2", "text": "Both sides would hold a seminar."}


def csv_bytes(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    dataset = tablib.Dataset(headers=columns)
    for row in rows:
        dataset.append([row.get(column, "") for column in columns])
    return dataset.export("csv").encode("utf-8")


def xlsx_bytes(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes, format: str) -> list:
    with pytest.raises(MemorandumParseError) as raised:
        read_rows(data, format)
    return raised.value.problems


def places(problems: list) -> list[tuple]:
    return [(problem.line, problem.field) for problem in problems]


@pytest.fixture(params=["csv", "xlsx"])
def file_format(request):
    return request.param


def build(rows: list[dict], format: str, columns: list[str] = COLUMNS) -> bytes:
    return csv_bytes(rows, columns) if format == "csv" else xlsx_bytes(rows, columns)


def test_good_csv_passes_with_its_rows():
    dataset = read_rows(csv_bytes([GOOD_ROW, SECOND_ROW]), "csv")
    assert dataset.height == 2
    assert dataset.headers == COLUMNS
    assert [row["ref"] for row in dataset.dict] == ["HKBJ-4-1.1", "HKBJ-4-1.2"]
    assert dataset.dict[0]["text_zh"] == "雙方將促進貿易。"


def test_good_xlsx_with_typed_cells_passes():
    typed = {**SECOND_ROW, "area_position": 1, "item_position": 2, "progress": 100, "status": "completed",
             "due_on": datetime.date(2019, 6, 30)}
    dataset = read_rows(xlsx_bytes([GOOD_ROW, typed]), "xlsx")
    assert dataset.height == 2
    assert [row["ref"] for row in dataset.dict] == ["HKBJ-4-1.1", "HKBJ-4-1.2"]


def test_csv_with_byte_order_mark_passes():
    assert read_rows(b"\xef\xbb\xbf" + csv_bytes([GOOD_ROW]), "csv").headers[0] == "ref"


def test_missing_column_is_refused_naming_it(file_format):
    problems = problems_of(build([GOOD_ROW], file_format, [c for c in COLUMNS if c != "status"]), file_format)
    assert places(problems) == [(1, "header")]
    assert problems[0].message.startswith("Missing column(s): status.")


def test_unknown_column_is_refused_naming_it(file_format):
    problems = problems_of(build([GOOD_ROW], file_format, [*COLUMNS, "colour"]), file_format)
    assert places(problems) == [(1, "header")]
    assert problems[0].message == "Unknown column(s): colour."


def test_duplicate_ref_is_refused_naming_both_rows(file_format):
    problems = problems_of(build([GOOD_ROW, SECOND_ROW, {**GOOD_ROW, "item_position": "3"}], file_format), file_format)
    assert places(problems) == [(4, "ref")]
    assert problems[0].message == "HKBJ-4-1.1 appears twice (also in row 2)."


def test_malformed_ref_is_refused(file_format):
    problems = problems_of(build([{**GOOD_ROW, "ref": "HKBJ 4.1"}], file_format), file_format)
    assert places(problems) == [(2, "ref")]


def test_malformed_session_is_refused(file_format):
    problems = problems_of(build([{**GOOD_ROW, "session": "4th"}], file_format), file_format)
    assert places(problems) == [(2, "session")]


def test_february_30th_due_date_is_refused(file_format):
    problems = problems_of(build([GOOD_ROW, {**SECOND_ROW, "due_on": "2018-02-30"}], file_format), file_format)
    assert places(problems) == [(3, "due_on")]
    assert problems[0].message == "'2018-02-30' is not a real date; write it as YYYY-MM-DD."


def test_status_not_in_choices_is_refused(file_format):
    problems = problems_of(build([{**GOOD_ROW, "status": "done"}], file_format), file_format)
    assert places(problems) == [(2, "status")]
    assert problems[0].message.startswith("'done' is not one of: not_started, on_track")


@pytest.mark.parametrize("progress", ["101", "-1", "forty", "40.5"])
def test_progress_outside_0_to_100_is_refused(progress):
    problems = problems_of(csv_bytes([{**GOOD_ROW, "progress": progress}]), "csv")
    assert places(problems) == [(2, "progress")]
    assert "must be a whole number from 0 to 100" in problems[0].message


def test_progress_101_in_an_xlsx_number_cell_is_refused():
    problems = problems_of(xlsx_bytes([{**GOOD_ROW, "progress": 101}]), "xlsx")
    assert places(problems) == [(2, "progress")]


def test_not_pursued_without_reason_is_refused(file_format):
    problems = problems_of(build([{**GOOD_ROW, "status": "not_pursued", "not_pursued_reason": ""}], file_format), file_format)
    assert places(problems) == [(2, "not_pursued_reason")]
    assert problems[0].message == "A commitment not pursued needs a reason."


def test_not_pursued_with_reason_passes():
    row = {**GOOD_ROW, "status": "not_pursued", "not_pursued_reason": "Superseded by the 5th plenary."}
    assert read_rows(csv_bytes([row]), "csv").height == 1


def test_row_without_any_text_is_refused(file_format):
    problems = problems_of(build([{**GOOD_ROW, "text": "", "text_zh": ""}], file_format), file_format)
    assert places(problems) == [(2, "text")]


def test_every_bad_row_is_reported_at_once():
    rows = [GOOD_ROW, {**SECOND_ROW, "status": "done"}, {**GOOD_ROW, "ref": "HKBJ-4-1.3", "progress": "101", "due_on": "2018-02-30"}]
    assert places(problems_of(csv_bytes(rows), "csv")) == [(3, "status"), (4, "progress"), (4, "due_on")]


@pytest.mark.parametrize("data", [b"", b"  \n  \n"])
def test_empty_file_is_refused(data, file_format):
    problems = problems_of(data, file_format)
    assert [(problem.field, problem.message) for problem in problems] == [("file", "The file is empty.")]


def test_header_only_is_refused(file_format):
    problems = problems_of(build([], file_format), file_format)
    assert [(problem.line, problem.message) for problem in problems] == [(2, "The file has a header row but no commitments.")]


def test_text_given_as_xlsx_is_refused():
    problems = problems_of(csv_bytes([GOOD_ROW]), "xlsx")
    assert [(problem.field, problem.message) for problem in problems] == [("file", "This is not an XLSX workbook.")]


def test_zip_that_is_not_a_workbook_given_as_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    problems = problems_of(buffer.getvalue(), "xlsx")
    assert [problem.field for problem in problems] == ["file"]
    assert problems[0].message.startswith("The XLSX file could not be read")


def test_pdf_given_as_csv_is_refused():
    problems = problems_of(b"%PDF-1.4\n1 0 obj", "csv")
    assert [problem.field for problem in problems] == ["file"]
    assert "PDF" in problems[0].message


def test_big5_csv_is_decoded():
    data = csv_bytes([{**GOOD_ROW, "text": "", "text_zh": "雙方將繼續加強經貿交流，共同開拓一帶一路沿線市場。"}]).decode("utf-8").encode("big5")
    assert read_rows(data, "csv").dict[0]["text_zh"] == "雙方將繼續加強經貿交流，共同開拓一帶一路沿線市場。"
