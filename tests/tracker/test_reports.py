"""Follow-up reports: page, PDF, spreadsheets; snapshots; the cross-session report."""
import csv
import re
import datetime
import io
import subprocess

import openpyxl
import pytest
from django.utils import timezone

from memoranda.models import Commitment, Organisation
from tests.factories import UserFactory, member_of
from tracker import services
from tracker.models import Role, Snapshot

pytestmark = pytest.mark.django_db
REPORT = "/reports/sessions/HKBJ/4/"


@pytest.fixture
def coordinator(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def accept(ref: str, status: str, progress: int, narrative: str) -> None:
    commitment = Commitment.objects.get(ref=ref)
    update = services.progress_update_create(
        commitment=commitment, author=UserFactory(), proposed_status=status, proposed_progress=progress, narrative=narrative, submit=True, notify=False
    )
    services.progress_update_accept(update=update, reviewer=UserFactory(), notify=False)


def test_report_page_groups_by_area_with_latest_narrative(coordinator_client):
    accept("HKBJ-4-6.5", "on_track", 35, "Training exchange agreed with Beijing Subway.")
    response = coordinator_client.get(REPORT)
    body = response.getvalue().decode()
    report = response.context["report"]
    assert report.title.startswith("Implementation of the consensus reached at the Fourth Plenary Session")
    assert [area.position for area in report.areas] == list(range(1, 9))
    assert "Training exchange agreed with Beijing Subway." in body
    assert report.counts == {"not_started": 11, "ongoing": 6, "on_track": 1}


def test_pdf_holds_title_and_chinese_text_and_embeds_a_cjk_font(coordinator_client, tmp_path):
    Commitment.objects.filter(ref="HKBJ-4-6.5").update(text_zh="雙方鼓勵香港鐵路有限公司與北京相關企業加強合作。")
    coordinator_client.cookies["django_language"] = "zh-hant"
    response = coordinator_client.get(REPORT, {"_export": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.getvalue())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "京港合作會議第四次會議" in text
    assert "港鐵公司在公共交通導向發展" in text  # a Chinese title from the fixture
    assert "Noto-Sans-CJK-TC" in fonts or "NotoSansCJKtc" in fonts.replace("-", "")


def test_pdf_in_english_has_page_numbers(coordinator_client, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(coordinator_client.get(REPORT, {"_export": "pdf"}).getvalue())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Fourth Plenary Session of the Hong Kong/Beijing Co-operation Conference" in " ".join(text.split())
    assert re.search(r"\b1 ?/ ?\d+\b", text)  # page numbers, "1 / 4"


def test_xlsx_and_csv_report_rows_match_the_page(coordinator_client):
    refs = [row["ref"] for row in coordinator_client.get(REPORT).context["report"].rows]
    sheet = openpyxl.load_workbook(io.BytesIO(coordinator_client.get(REPORT, {"_export": "xlsx"}).getvalue())).active
    assert [row[1].value for row in sheet.iter_rows(min_row=4)] == refs  # below the title, "as at" and header rows
    assert sheet["B3"].value == "Ref."
    text = b"".join(coordinator_client.get(REPORT, {"_export": "csv"}).streaming_content).decode().lstrip("\ufeff")
    assert [row["Ref."] for row in csv.DictReader(io.StringIO(text))] == refs


def test_report_as_at_a_past_date_shows_the_status_then(coordinator_client):
    accept("HKBJ-4-6.5", "on_track", 35, "Agreed.")
    Commitment.history.filter(ref="HKBJ-4-6.5").update(history_date=timezone.now() - datetime.timedelta(days=10))
    Commitment.history.filter(ref="HKBJ-4-6.5", status="on_track").update(history_date=timezone.now())
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    rows = {row["ref"]: row for row in coordinator_client.get(REPORT, {"as_at": past}).context["report"].rows}
    assert rows["HKBJ-4-6.5"]["status"] == "not_started"
    rows_now = {row["ref"]: row for row in coordinator_client.get(REPORT).context["report"].rows}
    assert rows_now["HKBJ-4-6.5"]["status"] == "on_track"


def test_snapshot_never_changes_and_compares(coordinator_client, coordinator):
    response = coordinator_client.post(f"{REPORT}snapshots/", {"label": "For the 5th Plenary Session"})
    assert response.status_code == 302
    snapshot = Snapshot.objects.get()
    frozen = [dict(row) for row in snapshot.rows]
    accept("HKBJ-4-6.5", "completed", 100, "Done.")
    snapshot.refresh_from_db()
    assert snapshot.rows == frozen
    page = coordinator_client.get(REPORT, {"snapshot": snapshot.pk})
    assert {row["ref"]: row["status"] for row in page.context["report"].rows}["HKBJ-4-6.5"] == "not_started"
    comparison = coordinator_client.get(f"{REPORT}compare/", {"a": snapshot.pk}).context["comparison"]
    assert [(before["ref"], after["status"]) for before, after in comparison.moved] == [("HKBJ-4-6.5", "completed")]
    assert comparison.new == [] and comparison.dropped == [] and comparison.unchanged == 17
    again = coordinator_client.post(f"{REPORT}snapshots/", {})
    assert again.status_code == 302 and Snapshot.objects.count() == 1  # refused: one per day, never replaced


def test_snapshot_exports_like_a_report(coordinator_client, coordinator):
    snapshot = services.snapshot_take(session=Commitment.objects.first().session, as_at=timezone.localdate(), by=coordinator)
    sheet = openpyxl.load_workbook(io.BytesIO(coordinator_client.get(REPORT, {"snapshot": snapshot.pk, "_export": "xlsx"}).getvalue())).active
    assert sheet.max_row == 21  # title, "as at", header and 18 rows


def test_only_coordinators_freeze_snapshots(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    assert client.post(f"{REPORT}snapshots/", {}).status_code == 403
    assert not Snapshot.objects.exists()


def test_mechanism_report_matrix_chains_and_long_running(coordinator_client):
    from tests.factories import CommitmentFactory, SessionFactory

    fourth = Commitment.objects.get(ref="HKBJ-4-6.5")
    fifth = SessionFactory(mechanism=fourth.session.mechanism, number=5)
    later = CommitmentFactory(session=fifth, area=fourth.area, area_position=1, item_position=1, ref="HKBJ-5-1.1", continues=fourth, lead_organisation=fourth.lead_organisation)
    report = coordinator_client.get("/reports/mechanisms/HKBJ/").context["report"]
    assert [s.number for s in report.sessions] == [4, 5]
    city = next(row for row in report.matrix if row["area"].name == "City Management and Public Services")
    assert [cell["total"] for cell in city["cells"]] == [5, 1]
    assert [[c.ref for c in chain] for chain in report.chains] == [["HKBJ-4-6.5", later.ref]]
    assert {c.ref for c in report.long_running} == {"HKBJ-4-3.1", "HKBJ-4-4.1", "HKBJ-4-5.1", "HKBJ-4-5.3", "HKBJ-4-6.1", "HKBJ-4-7.1"}


def test_reports_of_sessions_out_of_reach_are_404(client, fourth_plenary):
    from tests.factories import CommitmentFactory

    client.force_login(member_of(CommitmentFactory().lead_organisation, Role.COORDINATOR))
    assert client.get(REPORT).status_code == 404
    assert client.get("/reports/mechanisms/HKBJ/").status_code == 404
    assert client.post(f"{REPORT}snapshots/", {}).status_code == 404
