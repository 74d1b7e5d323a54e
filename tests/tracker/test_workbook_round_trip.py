"""The progress workbook round trip: an official downloads their commitments as a workbook, fills it
in (openpyxl, LibreOffice, or a CSV of it), uploads it back, and finds drafts ready to submit;
nobody's edits are lost on the way and the same file twice creates nothing new."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import override

from memoranda.models import Commitment, Organisation, Status
from tests.factories import member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.workbook import COLUMNS, build_workbook, heading, workbook_commitments
from tracker.workbook_import import WorkbookError, apply_upload, plan_upload, read_workbook

pytestmark = pytest.mark.django_db

NARRATIVE = "Two Belt and Road forums held with Beijing enterprises; a third is planned for the spring."
LINKS = "https://www.cmab.gov.hk/en/press/press_1.htm\nhttps://www.info.gov.hk/gia/general/201810/24/P2018102400655.htm"


@pytest.fixture
def cycle(db) -> ReportingCycle:
    """The 4th plenary and the demo data: accounts, the open cycle, a few updates in it."""
    call_command("seed_plenary", stdout=io.StringIO())
    call_command("seed_demo", force=True, stdout=io.StringIO())
    return ReportingCycle.objects.get()


def user(username: str):
    return get_user_model().objects.get(username=username)


def download(username: str, cycle: ReportingCycle, language: str = "en") -> bytes:
    person = user(username)
    return build_workbook(person, workbook_commitments(person, cycle), cycle, language)


def columns_of(sheet) -> dict[str, int]:
    """Column key → column number, found by heading in any language (as the upload does)."""
    by_heading = {}
    for language in ("en", "zh-hant", "zh-hans"):
        with override(language):
            by_heading.update({heading(column): column.key for column in COLUMNS})
    return {by_heading[cell.value]: cell.column for cell in sheet[1] if cell.value in by_heading}


def row_of(sheet, ref: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == ref)


def fill(data: bytes, rows: dict[str, dict], edit=None) -> bytes:
    """The workbook with `rows` (ref → column key → value) typed in, as a person would in a spreadsheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    columns = columns_of(sheet)
    for ref, values in rows.items():
        number = row_of(sheet, ref)
        for key, value in values.items():
            sheet.cell(row=number, column=columns[key], value=value)
    if edit:
        edit(sheet, columns)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(username: str, data: bytes, cycle: ReportingCycle, **options):
    person = user(username)
    plan = plan_upload(person, read_workbook(io.BytesIO(data)), cycle)
    return plan, apply_upload(person, plan, **options)


TWO_ROWS = {
    "HKBJ-4-1.1": {"proposed_status": "Underway – on track", "proposed_progress": 40, "narrative": NARRATIVE,
                   "next_steps": "Hold the third forum.", "evidence_links": LINKS},
    "HKBJ-4-3.1": {"proposed_status": "Ongoing arrangement", "proposed_progress": "60%", "narrative_zh": "雙方舉辦了兩次創新科技交流會。"},
}


def test_official_fills_two_rows_and_finds_two_drafts_with_their_values(cycle):
    before = ProgressUpdate.objects.count()
    plan, result = upload("official-cmab", fill(download("official-cmab", cycle), TWO_ROWS), cycle)

    assert plan.is_valid, [str(problem) for problem in plan.problems]
    assert len(result.created) == 2 and ProgressUpdate.objects.count() == before + 2
    cmab = Organisation.objects.get(abbreviation="CMAB")
    first = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-1.1")
    assert (first.state, first.organisation, first.cycle, first.author.username) == (UpdateState.DRAFT, cmab, cycle, "official-cmab")
    assert (first.proposed_status, first.proposed_progress, first.narrative, first.next_steps) == (
        Status.ON_TRACK, 40, NARRATIVE, "Hold the third forum.")
    assert sorted(first.evidence.values_list("url", flat=True)) == sorted(LINKS.split("\n"))
    assert first.commitment_version == Commitment.objects.get(ref="HKBJ-4-1.1").version
    second = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-3.1")
    assert (second.proposed_status, second.proposed_progress, second.narrative_zh, second.narrative) == (
        Status.ONGOING, 60, "雙方舉辦了兩次創新科技交流會。", "")


def test_workbook_locks_what_was_agreed_and_offers_the_columns_to_fill(cycle):
    workbook = openpyxl.load_workbook(io.BytesIO(download("official-cmab", cycle)))
    sheet, instructions = workbook.worksheets
    columns = columns_of(sheet)
    refs = [cell.value for cell in sheet["A"][1:]]
    expected = workbook_commitments(user("official-cmab"), cycle)
    assert refs == [c.ref for c in expected] and "HKBJ-4-1.1" in refs
    assert sheet.protection.sheet and not sheet.protection.password  # no password to read or unprotect
    row = row_of(sheet, "HKBJ-4-1.1")
    for key in ("ref", "title", "text", "status", "progress", "version"):
        assert sheet.cell(row=row, column=columns[key]).protection.locked, key
    for key in ("proposed_status", "proposed_progress", "narrative", "narrative_zh", "next_steps", "not_pursued_reason", "evidence_links"):
        assert not sheet.cell(row=row, column=columns[key]).protection.locked, key
    letter = openpyxl.utils.get_column_letter
    assert sheet.column_dimensions[letter(columns["version"])].hidden
    assert sheet.cell(row=row, column=columns["version"]).value == Commitment.objects.get(ref="HKBJ-4-1.1").version
    assert sheet.cell(row=row, column=columns["text"]).value == Commitment.objects.get(ref="HKBJ-4-1.1").text
    assert sheet.freeze_panes == "B2"
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    status = validations[f"{letter(columns['proposed_status'])}2:{letter(columns['proposed_status'])}{len(refs) + 1}"]
    listed = [c.value for row in instructions[status.formula1.split("!")[1].replace("$", "")] for c in row]
    assert status.type == "list" and listed == [str(s.label) for s in Status]
    percent = validations[f"{letter(columns['proposed_progress'])}2:{letter(columns['proposed_progress'])}{len(refs) + 1}"]
    assert (percent.type, percent.formula1, percent.formula2) == ("whole", "0", "100")
    assert instructions.title == "Instructions" and instructions["A1"].value == cycle.title


def test_workbook_continues_the_organisations_draft(cycle):
    """The demo has a CMAB draft on HKBJ-4-6.2: its row comes pre-filled with it."""
    draft = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.2", state=UpdateState.DRAFT)
    sheet = openpyxl.load_workbook(io.BytesIO(download("official-cmab", cycle))).worksheets[0]
    columns, row = columns_of(sheet), row_of(sheet, "HKBJ-4-6.2")
    assert sheet.cell(row=row, column=columns["narrative"]).value == draft.narrative
    assert sheet.cell(row=row, column=columns["proposed_status"]).value == "Underway – facing challenges"
    assert sheet.cell(row=row, column=columns["draft"]).value == f"{draft.pk}v{draft.version}"
    assert sheet.cell(row=row, column=columns["in_cycle"]).value == "Draft"


def test_workbook_speaks_the_persons_language_and_reads_back_in_any(cycle):
    data = download("official-cmab", cycle, "zh-hant")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet, instructions = workbook.worksheets
    with override("zh-hant"):
        assert [cell.value for cell in sheet[1]] == [heading(column) for column in COLUMNS]
        on_track = str(Status.ON_TRACK.label)
        assert instructions.title == _("Instructions")
    assert on_track == "進行中（按計劃）" and sheet.cell(row=1, column=columns_of(sheet)["evidence_links"]).value == "佐證連結"
    validation = next(v for v in sheet.data_validations.dataValidation if v.type == "list")
    listed = [c.value for row in instructions[validation.formula1.split("!")[1].replace("$", "")] for c in row]
    assert on_track in listed
    with override("zh-hans"):
        simplified = str(Status.AT_RISK.label)
    filled = fill(data, {
        "HKBJ-4-1.1": {"proposed_status": on_track, "proposed_progress": 30, "narrative_zh": "已舉辦兩次論壇。"},
        "HKBJ-4-2.2": {"proposed_status": simplified, "narrative": NARRATIVE},  # the Simplified label
        "HKBJ-4-3.1": {"proposed_status": "completed", "narrative": NARRATIVE},  # the code; % left empty
    })
    plan, result = upload("official-cmab", filled, cycle)  # read in English: headings and labels in any language
    assert plan.is_valid, [str(p) for p in plan.problems]
    statuses = dict(ProgressUpdate.objects.filter(pk__in=[u.pk for u in result.created]).values_list("commitment__ref", "proposed_status"))
    assert statuses == {"HKBJ-4-1.1": Status.ON_TRACK, "HKBJ-4-2.2": Status.AT_RISK, "HKBJ-4-3.1": Status.COMPLETED}
    assert ProgressUpdate.objects.get(commitment__ref="HKBJ-4-3.1").proposed_progress == 100


def test_row_of_a_commitment_changed_since_the_download_is_refused_as_stale(cycle):
    data = fill(download("official-cmab", cycle), TWO_ROWS)
    changed = Commitment.objects.get(ref="HKBJ-4-3.1")
    services.commitment_assign(  # a coordinator sets a due date meanwhile
        commitment=changed, by=user("coordinator"), lead_organisation=changed.lead_organisation,
        supporting_organisations=list(changed.supporting_organisations.all()), due_on=cycle.due_on, commitment_version=changed.version,
    )
    before = ProgressUpdate.objects.count()

    with pytest.raises(WorkbookError) as refused:
        upload("official-cmab", data, cycle)

    [problem] = refused.value.problems
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert problem.row == row_of(sheet, "HKBJ-4-3.1") and problem.column == "A “Ref.”"
    assert "changed on the site after this workbook was downloaded" in str(problem)
    assert str(problem).startswith(f"Row {problem.row}, column A “Ref.”:")
    assert ProgressUpdate.objects.count() == before  # all or nothing: the valid row was not saved either


def test_valid_rows_alone_are_saved_once_confirmed(cycle):
    data = fill(download("official-cmab", cycle), {**TWO_ROWS, "HKBJ-4-2.2": {"proposed_progress": "half", "narrative": NARRATIVE}})
    person = user("official-cmab")
    plan = plan_upload(person, read_workbook(io.BytesIO(data)), cycle)
    assert [p.column for p in plan.problems] == ["H “Proposed progress (%)”"] and len(plan.to_save) == 2

    result = apply_upload(person, plan, only_valid=True)

    assert sorted(u.commitment.ref for u in result.created) == ["HKBJ-4-1.1", "HKBJ-4-3.1"]
    assert not ProgressUpdate.objects.filter(commitment__ref="HKBJ-4-2.2").exists()


def test_row_on_another_organisations_commitment_is_refused(cycle):
    """official-mtr adds to their workbook a row of HKBJ-4-1.1, which CMAB alone owns."""
    def add_row(sheet, columns):
        sheet.cell(row=3, column=columns["ref"], value="HKBJ-4-1.1")
        sheet.cell(row=3, column=columns["version"], value=Commitment.objects.get(ref="HKBJ-4-1.1").version)
        sheet.cell(row=3, column=columns["narrative"], value=NARRATIVE)

    data = fill(download("official-mtr", cycle), {}, edit=add_row)
    before = ProgressUpdate.objects.count()
    with pytest.raises(WorkbookError) as refused:
        upload("official-mtr", data, cycle)
    [problem] = refused.value.problems
    assert "you may not report on HKBJ-4-1.1" in problem.message and (problem.row, problem.column) == (3, "A “Ref.”")
    assert ProgressUpdate.objects.count() == before


def test_unknown_ref_and_a_ref_twice_are_refused_with_their_rows(cycle):
    def add_rows(sheet, columns):
        sheet.cell(row=40, column=columns["ref"], value="HKBJ-4-9.9")
        sheet.cell(row=40, column=columns["narrative"], value=NARRATIVE)
        sheet.cell(row=41, column=columns["ref"], value="HKBJ-4-1.1")
        sheet.cell(row=41, column=columns["narrative"], value=NARRATIVE)

    data = fill(download("official-cmab", cycle), TWO_ROWS, edit=add_rows)
    plan = plan_upload(user("official-cmab"), read_workbook(io.BytesIO(data)), cycle)
    assert [(p.row, p.column) for p in plan.problems] == [(40, "A “Ref.”"), (41, "A “Ref.”")]
    assert "there is no commitment HKBJ-4-9.9" in plan.problems[0].message
    assert "HKBJ-4-1.1 appears twice" in plan.problems[1].message


def test_same_file_twice_creates_nothing_new(cycle):
    data = fill(download("official-cmab", cycle), TWO_ROWS)
    upload("official-cmab", data, cycle)
    counts = ProgressUpdate.objects.count(), Evidence.objects.count(), ProgressUpdate.history.count()

    plan, result = upload("official-cmab", data, cycle)

    assert plan.is_valid and not result.created and not result.updated
    assert {planned.row.ref for planned in result.unchanged} >= set(TWO_ROWS)
    assert (ProgressUpdate.objects.count(), Evidence.objects.count(), ProgressUpdate.history.count()) == counts


def test_corrected_file_uploaded_again_updates_the_drafts_it_made(cycle):
    downloaded = download("official-cmab", cycle)
    upload("official-cmab", fill(downloaded, TWO_ROWS), cycle)
    corrected = {**TWO_ROWS, "HKBJ-4-1.1": {**TWO_ROWS["HKBJ-4-1.1"], "proposed_progress": 45,
                                            "evidence_links": LINKS + "\nhttps://www.cmab.gov.hk/en/press/press_2.htm"}}
    counts = ProgressUpdate.objects.count()

    plan, result = upload("official-cmab", fill(downloaded, corrected), cycle)

    assert [u.commitment.ref for u in result.updated] == ["HKBJ-4-1.1"] and not result.created
    assert ProgressUpdate.objects.count() == counts
    update = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-1.1")
    assert update.proposed_progress == 45 and update.evidence.count() == 3  # the new link added, none twice


def test_draft_changed_by_a_colleague_after_the_download_is_not_overwritten(cycle):
    data = fill(download("official-cmab", cycle), {"HKBJ-4-6.2": {"proposed_progress": 20, "narrative": NARRATIVE}})
    draft = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.2", state=UpdateState.DRAFT)
    colleague = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL, user__username="colleague")
    services.progress_update_edit(update=draft, by=colleague, proposed_status=Status.AT_RISK, proposed_progress=15,
                                  narrative="The colleague's wording.", update_version=draft.version)

    with pytest.raises(WorkbookError) as refused:
        upload("official-cmab", data, cycle)

    assert "changed by someone else after this workbook was downloaded" in str(refused.value)
    draft.refresh_from_db()
    assert draft.narrative == "The colleague's wording."


def test_continuing_the_draft_downloaded_keeps_its_internal_note(cycle):
    draft = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.2", state=UpdateState.DRAFT)
    ProgressUpdate.objects.filter(pk=draft.pk).update(internal_note="Ask the EPD first.")
    data = fill(download("official-cmab", cycle), {"HKBJ-4-6.2": {"proposed_progress": 20}})

    plan, result = upload("official-cmab", data, cycle)

    assert [u.pk for u in result.updated] == [draft.pk]
    draft.refresh_from_db()
    assert (draft.proposed_progress, draft.internal_note, draft.version) == (20, "Ask the EPD first.", 2)


def test_submit_all_submits_the_rows_and_tells_the_coordinators(cycle, django_capture_on_commit_callbacks):
    data = fill(download("official-cmab", cycle), TWO_ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        plan, result = upload("official-cmab", data, cycle, submit=True)
    assert {u.state for u in result.created} == {UpdateState.SUBMITTED}
    assert len(mail.outbox) >= 2


def test_drafts_uploaded_then_submitted_with_the_same_file(cycle):
    data = fill(download("official-cmab", cycle), TWO_ROWS)
    upload("official-cmab", data, cycle)
    plan, result = upload("official-cmab", data, cycle, submit=True)
    # The two drafts it made, and the demo's draft on HKBJ-4-6.2 that came pre-filled; not the
    # update returned on HKBJ-4-5.3, which its reviewer asked to change.
    assert sorted(u.commitment.ref for u in result.updated) == ["HKBJ-4-1.1", "HKBJ-4-3.1", "HKBJ-4-6.2"] and not result.created
    assert {u.state for u in result.updated} == {UpdateState.SUBMITTED}
    assert ProgressUpdate.objects.get(commitment__ref="HKBJ-4-5.3").state == UpdateState.RETURNED
    plan, result = upload("official-cmab", data, cycle, submit=True)  # and once more: nothing
    assert not result.created and not result.updated and {p.row.ref for p in result.unchanged} >= set(TWO_ROWS)


def test_row_whose_commitment_awaits_review_is_refused(cycle):
    """The demo's MTR update on HKBJ-4-6.5 awaits review; CMAB supports it too."""
    data = fill(download("official-cmab", cycle), {"HKBJ-4-6.5": {"narrative": NARRATIVE}})
    with pytest.raises(WorkbookError, match="awaits review"):
        upload("official-cmab", data, cycle)


def test_filled_values_the_web_form_refuses_are_refused_with_their_columns(cycle):
    data = fill(download("official-cmab", cycle), {
        "HKBJ-4-1.1": {"proposed_status": "Not being pursued", "narrative": NARRATIVE},  # no reason
        "HKBJ-4-2.2": {"proposed_status": "Completed", "proposed_progress": 80, "narrative": NARRATIVE},
        "HKBJ-4-3.1": {"proposed_progress": 50},  # no narrative in either language
        "HKBJ-4-4.1": {"narrative": NARRATIVE, "evidence_links": "www.example.org"},
    })
    plan = plan_upload(user("official-cmab"), read_workbook(io.BytesIO(data)), cycle)
    columns = {p.column for p in plan.problems}
    assert columns == {"M “Reason for not pursuing”", "H “Proposed progress (%)”", "I “Progress made (English)”", "N “Evidence links”"}
    assert not plan.to_save


# LibreOffice and CSV -------------------------------------------------------------------------------


def libreoffice(data: bytes, tmp_path: Path, target: str = "xlsx", suffix: str = "xlsx") -> bytes:
    """`data` opened and saved again by LibreOffice, as an official filling it in Calc would."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: bin/system-deps installs libreoffice-calc-nogui")
    source, out = tmp_path / f"filled.{suffix}", tmp_path / "out"
    source.write_bytes(data)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", target, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return next(out.iterdir()).read_bytes()


def test_workbook_saved_by_libreoffice_uploads_the_same(cycle, tmp_path):
    def percent_typed_as_such(sheet, columns):  # 25 % typed in Calc: 0.25 shown as a percentage
        cell = sheet.cell(row=row_of(sheet, "HKBJ-4-4.1"), column=columns["proposed_progress"], value=0.25)
        cell.number_format = "0%"
        sheet.cell(row=cell.row, column=columns["narrative"], value=NARRATIVE)

    saved = libreoffice(fill(download("official-cmab", cycle), TWO_ROWS, edit=percent_typed_as_such), tmp_path)
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(saved)).read("docProps/app.xml")  # it really went through Calc

    plan, result = upload("official-cmab", saved, cycle)

    assert plan.is_valid, [str(p) for p in plan.problems]
    values = {u.commitment.ref: (u.proposed_status, u.proposed_progress, u.narrative, u.narrative_zh) for u in result.created}
    assert values == {
        "HKBJ-4-1.1": (Status.ON_TRACK, 40, NARRATIVE, ""),
        "HKBJ-4-3.1": (Status.ONGOING, 60, "", "雙方舉辦了兩次創新科技交流會。"),
        "HKBJ-4-4.1": (Status.ONGOING, 25, NARRATIVE, ""),  # status left empty: the current one
    }
    assert ProgressUpdate.objects.get(commitment__ref="HKBJ-4-1.1").evidence.count() == 2
    workbook = openpyxl.load_workbook(io.BytesIO(saved))  # and Calc kept the protection and the drop-down
    assert workbook.worksheets[0].protection.sheet
    assert any(v.type == "list" for v in workbook.worksheets[0].data_validations.dataValidation)


def test_csv_saved_by_libreoffice_uploads_the_same(cycle, tmp_path):
    # Calc's CSV export as a person would choose it: comma-separated, UTF-8 (76).
    saved = libreoffice(fill(download("official-cmab", cycle), TWO_ROWS), tmp_path, target="csv:Text - txt - csv (StarCalc):44,34,76")
    plan, result = upload("official-cmab", saved, cycle)
    assert plan.is_valid, [str(p) for p in plan.problems]
    assert sorted(u.commitment.ref for u in result.created) == ["HKBJ-4-1.1", "HKBJ-4-3.1"]
    assert ProgressUpdate.objects.get(commitment__ref="HKBJ-4-3.1").proposed_progress == 60


def as_csv(data: bytes, keys: list[str] | None = None) -> str:
    """The workbook's first sheet as CSV text, as Excel's "Save as CSV" writes it (values shown)."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    if keys is not None:
        columns = columns_of(sheet)
        rows = [[row[columns[key] - 1] for key in keys] for row in rows]
    out = io.StringIO()
    csv.writer(out).writerows([["" if value is None else value for value in row] for row in rows])
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_csv_in_utf8_uploads_the_same(cycle, encoding):
    text = as_csv(fill(download("official-cmab", cycle), TWO_ROWS))
    plan, result = upload("official-cmab", text.encode(encoding), cycle)
    assert plan.is_valid, [str(p) for p in plan.problems]
    update = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-3.1")
    assert (update.proposed_status, update.proposed_progress, update.narrative_zh) == (Status.ONGOING, 60, "雙方舉辦了兩次創新科技交流會。")


@pytest.mark.parametrize(("language", "encoding"), [("zh-hans", "gb18030"), ("zh-hant", "big5")])
def test_csv_of_chinese_excel_uploads_the_same(cycle, language, encoding):
    """Excel on a Chinese Windows saves CSV in GB18030 (Simplified) or Big5 (Traditional). Only some
    columns here, in the person's language: the upload finds them by heading."""
    with override(language):
        status = str(Status.AT_RISK.label)
    narrative = "环境合作交流会因故延期，正另觅日期。" if language == "zh-hans" else "環境合作交流會因故延期，正另覓日期。"
    data = fill(download("official-cmab", cycle, language), {"HKBJ-4-1.1": {"proposed_status": status, "proposed_progress": 10, "narrative_zh": narrative}})
    text = as_csv(data, keys=["version", "narrative_zh", "proposed_progress", "proposed_status", "ref"])  # reordered too

    plan, result = upload("official-cmab", text.encode(encoding), cycle)

    assert plan.is_valid, [str(p) for p in plan.problems]
    [update] = result.created
    assert (update.commitment.ref, update.proposed_status, update.proposed_progress, update.narrative_zh) == (
        "HKBJ-4-1.1", Status.AT_RISK, 10, narrative)


def test_ten_thousand_rows_are_read_in_reasonable_time(tmp_path):
    """Not a realistic upload (an organisation reports on hundreds), the ceiling it must bear."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([heading(column) for column in COLUMNS])
    for number in range(10_000):
        sheet.append([f"HKBJ-4-{number // 100 + 1}.{number % 100 + 1}", "Title", "Text as agreed " * 20, "Not started", 0, "",
                      "Underway – on track", 40, NARRATIVE, "", "Next.", "", "", "https://example.org/a", 1, ""])
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    rows = read_workbook(out.getvalue())
    elapsed = time.perf_counter() - started
    print(f"\nread_workbook: 10,000 rows ({len(out.getvalue()) / 1e6:.1f} MB) in {elapsed:.2f} s")
    assert len(rows) == 10_000 and rows[-1].values["proposed_progress"] == 40 and not any(row.problems for row in rows)
