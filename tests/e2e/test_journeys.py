"""What people do with the tracker, done the way they do it: in a browser, clicking and typing."""
import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from memoranda.models import Area, Commitment, Memorandum, PlenarySession
from tests.e2e.conftest import screenshot, sign_in
from tracker import services
from tracker.models import ProgressUpdate

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "hk-beijing-4th-plenary-2018.txt"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_official_reports_progress_with_evidence_and_cannot_reach_another_organisations_form(page, demo, tmp_path):
    ProgressUpdate.objects.filter(commitment__ref="HKBJ-4-6.5").delete()  # start MTR's report afresh
    evidence = tmp_path / "site-visit-report.pdf"
    evidence.write_bytes(PDF)
    sign_in(page, demo, "official-mtr")

    page.get_by_role("link", name="My commitments").click()
    expect(page.get_by_role("heading", name="My commitments")).to_be_visible()
    page.get_by_role("link", name="Report progress HKBJ-4-6.5").first.click()
    page.get_by_label("Status").select_option(label="Underway – on track")
    page.get_by_label("Progress (%)").fill("30")
    page.get_by_label("Progress made (English)").fill("Training exchange with Beijing Subway agreed; first cohort in March.")
    page.get_by_label("Evidence files").set_input_files(str(evidence))
    page.get_by_role("button", name="Submit for review").click()

    expect(page.get_by_text("Your update was submitted; the coordinators have been told.")).to_be_visible()
    expect(page.get_by_role("link", name="site-visit-report.pdf")).to_be_visible()
    update = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.5")
    assert update.state == "submitted" and update.evidence.get().file.read() == PDF

    response = page.goto(f"{demo}/commitments/HKBJ-4-2.1/update/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_coordinator_returns_one_update_and_accepts_another(page, demo):
    official = ProgressUpdate.objects.filter(organisation__abbreviation="CMAB").first().author
    services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-3.1"), author=official, organisation=official.memberships.get().organisation,
        cycle=ProgressUpdate.objects.first().cycle, proposed_status="on_track", proposed_progress=40,
        narrative="Joint laboratory of two universities opened.", submit=True, notify=False,
    )
    sign_in(page, demo, "coordinator")
    expect(page.get_by_text("2 of 18 reported and accepted")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Reviews")).click()
    page.get_by_role("link", name="Review HKBJ-4-6.5").click()
    page.get_by_label("Comment to the author").fill("Please give the date of the first training session.")
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("Returned to Olivia Chan with your comment.")).to_be_visible()

    page.goto(f"{demo}/reviews/")
    page.get_by_role("link", name="Review HKBJ-4-3.1").click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted: HKBJ-4-3.1 now shows this update.")).to_be_visible()

    page.goto(f"{demo}/commitments/HKBJ-4-3.1/")
    expect(page.locator(".status").first).to_have_text("Underway – on track")
    expect(page.get_by_text("Joint laboratory of two universities opened.")).to_be_visible()
    expect(page.locator("progress").first).to_have_attribute("value", "40")
    page.goto(f"{demo}/")
    expect(page.get_by_text("3 of 18 reported and accepted")).to_be_visible()
    page.get_by_role("link", name="Progress report to the 5th Plenary Session").click()
    expect(page.get_by_text("3 of 18 commitments have an accepted update")).to_be_visible()
    assert ProgressUpdate.objects.get(commitment__ref="HKBJ-4-6.5").state == "returned"


def test_staff_filter_and_download_exactly_the_rows_shown(page, demo):
    sign_in(page, demo, "viewer")
    page.get_by_role("link", name="Commitments", exact=True).click()
    page.get_by_label("Area").select_option(label="City Management and Public Services")
    page.get_by_label("Not started").check()
    page.get_by_label("Underway – facing challenges").check()
    page.get_by_role("button", name="Apply filters").click()
    shown = page.locator("table.commitments tbody td.ref").all_inner_texts()
    assert shown == ["HKBJ-4-6.2", "HKBJ-4-6.3", "HKBJ-4-6.4", "HKBJ-4-6.5"]

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row["Ref."] for row in rows] == shown

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="XLSX").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    header = next(number for number, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row[0] == "Ref.")
    assert [row[0].value for row in sheet.iter_rows(min_row=header + 1)] == shown
    assert sheet.freeze_panes == f"A{header + 1}"


@pytest.fixture
def before_the_fourth(live_server, django_user_model):
    """HKBJ with its parties and organisations, before the 4th plenary was loaded; an administrator."""
    from django.core.management import call_command

    call_command("loaddata", "fixtures/hk_beijing_4th_plenary.json", verbosity=0)
    Commitment.objects.all().delete(), Memorandum.objects.all().delete(), PlenarySession.objects.all().delete(), Area.objects.all().delete()
    django_user_model.objects.create_superuser("admin", "admin@example.org", "demo")
    return live_server.url


def test_administrator_pastes_the_press_release_previews_and_loads_it_once(page, before_the_fourth):
    base = before_the_fourth
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/memoranda/memorandum/")
    page.get_by_role("link", name="Load memorandum").click()
    page.get_by_label("…or paste the text").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("8 co-operation areas, 18 items.")).to_be_visible()
    expect(page.get_by_text("Enter the date the session was held (the source gives October 24 but not the year)")).to_be_visible()
    assert page.locator("tr.area-row").count() == 8
    page.get_by_label("Held on").fill("2018-10-24")
    page.get_by_role("button", name="Confirm and load").click()

    expect(page.get_by_text("Loaded Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference: 18 commitments.")).to_be_visible()
    assert Commitment.objects.count() == 18

    page.goto(f"{base}/admin/memoranda/memorandum/load/")
    page.get_by_label("…or paste the text").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("This source is already loaded")).to_be_visible()
    assert Commitment.objects.count() == 18


def test_switching_language_changes_the_script(page, demo):
    sign_in(page, demo, "viewer")
    page.get_by_role("button", name="繁體中文").click()
    expect(page.get_by_role("heading", name="總覽")).to_be_visible()
    expect(page.get_by_role("link", name="京港合作會議第四次會議").first).to_be_visible()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    expect(page.get_by_role("link", name="京港合作会议第四次会议").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, "dashboard-zh-hans")


def test_second_of_two_simultaneous_edits_is_refused_and_nothing_is_lost(browser, demo):
    first, second = browser.new_context(), browser.new_context()
    pages = [first.new_page(), second.new_page()]
    for page in pages:
        sign_in(page, demo, "coordinator")
        page.goto(f"{demo}/commitments/HKBJ-4-6.5/manage/")
    pages[0].get_by_label("Responsible officer").fill("Mr Ho, MTR Business Development")
    pages[0].get_by_role("button", name="Save").click()
    expect(pages[0].get_by_text("Owners and due date of HKBJ-4-6.5 saved.")).to_be_visible()

    pages[1].get_by_label("Responsible officer").fill("Ms Lau, MTR Academy")
    pages[1].get_by_role("button", name="Save").click()
    expect(pages[1].get_by_text("Someone else saved changes after you opened this page.")).to_be_visible()
    expect(pages[1].get_by_text("Responsible officer: none → Mr Ho, MTR Business Development", exact=False)).to_be_visible()
    expect(pages[1].get_by_label("Responsible officer")).to_have_value("Ms Lau, MTR Academy")
    assert Commitment.objects.get(ref="HKBJ-4-6.5").responsible_officer == "Mr Ho, MTR Business Development"

    pages[1].get_by_role("button", name="Save").click()  # having seen the other change, save knowingly
    expect(pages[1].get_by_text("Owners and due date of HKBJ-4-6.5 saved.")).to_be_visible()
    assert Commitment.objects.get(ref="HKBJ-4-6.5").responsible_officer == "Ms Lau, MTR Academy"
    first.close(), second.close()
