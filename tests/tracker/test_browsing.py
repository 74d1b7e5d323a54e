"""The commitment list, its filters and exports; session pages; the dashboard."""
import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memoranda.models import Commitment, Organisation
from tests.factories import CommitmentFactory, member_of
from tracker.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(client, fourth_plenary):
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.VIEWER))
    return client


def refs_on_page(response) -> list[str]:
    return [row.record.ref for row in response.context["table"].paginated_rows]


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_filter_by_area_and_statuses(viewer_client):
    Commitment.objects.filter(ref="HKBJ-4-6.3").update(status="at_risk")
    Commitment.objects.filter(ref="HKBJ-4-6.1").update(status="ongoing")
    area = Commitment.objects.get(ref="HKBJ-4-6.1").area_id
    response = viewer_client.get("/commitments/", {"area": area, "status": ["at_risk", "not_started"]})
    assert refs_on_page(response) == ["HKBJ-4-6.2", "HKBJ-4-6.3", "HKBJ-4-6.4", "HKBJ-4-6.5"]


def test_free_text_matches_english_and_chinese_titles(viewer_client):
    assert refs_on_page(viewer_client.get("/commitments/", {"q": "Fintech"})) == ["HKBJ-4-2.1"]
    assert refs_on_page(viewer_client.get("/commitments/", {"q": "港鐵"})) == ["HKBJ-4-6.5"]
    assert refs_on_page(viewer_client.get("/commitments/", {"q": "hkbj-4-8.1"})) == ["HKBJ-4-8.1"]


def test_lead_party_and_due_filters(viewer_client):
    mtr = Organisation.objects.get(abbreviation="MTR")
    assert refs_on_page(viewer_client.get("/commitments/", {"lead_organisation": mtr.pk})) == ["HKBJ-4-6.5"]
    beijing_only = viewer_client.get("/commitments/", {"party": Organisation.objects.get(abbreviation="BJHKMAO").party_id})
    assert "HKBJ-4-3.2" not in refs_on_page(beijing_only) and "HKBJ-4-8.1" in refs_on_page(beijing_only)
    due = viewer_client.get("/commitments/", {"due_after": "2020-01-01", "due_before": "2023-01-01"})
    assert refs_on_page(due) == ["HKBJ-4-7.1"]


def test_overdue_filter(viewer_client):
    assert refs_on_page(viewer_client.get("/commitments/", {"overdue": "on"})) == ["HKBJ-4-5.3", "HKBJ-4-7.1"]


def test_sorting_by_progress_descending(viewer_client):
    Commitment.objects.filter(ref="HKBJ-4-8.1").update(progress=90, status="on_track")
    assert refs_on_page(viewer_client.get("/commitments/", {"sort": "-progress"}))[0] == "HKBJ-4-8.1"


def test_page_size_is_chosen_and_bounded(viewer_client):
    assert len(refs_on_page(viewer_client.get("/commitments/", {"size": "50"}))) == 18
    assert viewer_client.get("/commitments/", {"size": "100000"}).context["table"].paginator.per_page == 25


def test_bad_filter_values_never_500(viewer_client):
    for params in [{"area": "x"}, {"due_after": "2018-02-30"}, {"status": "nope"}, {"page": "999"}, {"sort": "nonsense"}, {"session": "-1"}]:
        assert viewer_client.get("/commitments/", params).status_code in (200, 404)


def test_csv_export_holds_exactly_the_filtered_rows(viewer_client):
    params = {"status": ["ongoing"]}
    page = refs_on_page(viewer_client.get("/commitments/", params))
    response = viewer_client.get("/commitments/", {**params, "_export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(streamed(response).lstrip("\ufeff"))))
    assert [row["Ref."] for row in rows] == page
    assert rows[0]["Status"] == "Ongoing arrangement"  # headings and values for people; the import reads them back


def test_xlsx_export_has_real_dates_numbers_frozen_header_and_filter(viewer_client):
    response = viewer_client.get("/commitments/", {"overdue": "on", "_export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    headers = [cell.value for cell in sheet[1]]
    rows = [dict(zip(headers, [cell.value for cell in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [row["Ref."] for row in rows] == ["HKBJ-4-5.3", "HKBJ-4-7.1"]
    assert isinstance(rows[0]["Due"], datetime.datetime) and rows[0]["Due"].date() == datetime.date(2019, 12, 31)
    assert isinstance(rows[0]["Progress (%)"], int)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}3"
    assert sheet["A1"].font.bold


def test_json_export_parses_to_the_page_rows(viewer_client):
    page = refs_on_page(viewer_client.get("/commitments/", {"q": "would continue"}))
    data = json.loads(streamed(viewer_client.get("/commitments/", {"q": "would continue", "_export": "json"})))
    assert [row["ref"] for row in data] == page and len(page) == 6


def test_exported_xlsx_reimports_without_change(viewer_client):
    from memoranda.services import commitment_rows_import

    response = viewer_client.get("/commitments/", {"_export": "xlsx"})
    result = commitment_rows_import(data=response.getvalue(), format="xlsx", dry_run=True)
    assert len(result.unchanged) == 18 and not result.updated and not result.new


def test_export_goes_through_the_row_level_rule(client, fourth_plenary):
    outsider = member_of(CommitmentFactory().lead_organisation, Role.VIEWER)
    client.force_login(outsider)
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/commitments/", {"_export": "csv"})).lstrip("\ufeff"))))
    assert len(rows) == 1 and not rows[0]["Ref."].startswith("HKBJ")


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    ["/", "/commitments/?size=200", "/commitments/?_export=csv", "/commitments/?_export=xlsx", "/commitments/?_export=json",
     "/sessions/", "{session}", "{report}", "{report}?_export=xlsx", "/reports/mechanisms/{code}/", "/my/", "/reviews/",
     "{commitment}", "/cycles/{cycle}/", "/commitments/?q=would&size=200", "/commitments/?sort=due_on&size=200",
     "/commitments/?status=at_risk&size=200", "/commitments/?page=last", "/commitments/?mine=on&size=200"],
)
def test_pages_cost_the_same_queries_for_5_and_200_commitments(client, url):
    """Every page, export and report, with 5 and with 200 commitments (each with a submitted update
    awaiting review): the number of queries does not grow with the rows, shown or not."""
    from django.utils import timezone

    from tests.factories import MembershipFactory, OrganisationFactory, ProgressUpdateFactory, ReportingCycleFactory
    from tracker.models import UpdateState

    first = CommitmentFactory(due_on=datetime.date(2020, 1, 1))
    session, organisation = first.session, first.lead_organisation
    own = OrganisationFactory(party=organisation.party)
    user = member_of(organisation, Role.COORDINATOR)
    MembershipFactory(user=user, organisation=own, role=Role.OFFICIAL)  # sees /my/ filled as well
    cycle = ReportingCycleFactory(mechanism=session.mechanism, reports_to_session_number=session.number + 1)
    client.force_login(user)
    url = url.format(
        session=session.get_absolute_url(), report=f"/reports/sessions/{session.mechanism.code}/{session.number}/",
        code=session.mechanism.code, commitment=first.get_absolute_url(), cycle=cycle.pk,
    )

    def grow_to(n: int) -> None:
        while Commitment.objects.count() < n:
            commitment = CommitmentFactory(
                session=session, area=first.area, supporting_organisations=[own], due_on=datetime.date(2020, 1, 1), status="at_risk",
                text="Both sides would continue.",
            )
            ProgressUpdateFactory(commitment=commitment, organisation=own, cycle=cycle, state=UpdateState.SUBMITTED, submitted_at=timezone.now())

    grow_to(5)
    few = queries_for(client, url)
    grow_to(200)
    assert queries_for(client, url) == few


def test_the_admin_changelist_costs_the_same_queries_for_5_and_200_commitments(client):
    """The admin's list of commitments, with its filters (the session filter named each session's
    mechanism with a query of its own): as many queries for 200 commitments in 40 sessions as for 5."""
    from tests.factories import SessionFactory, UserFactory

    first = CommitmentFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def grow_to(n: int) -> None:
        while Commitment.objects.count() < n:
            session = SessionFactory(mechanism=first.session.mechanism) if Commitment.objects.count() % 5 == 0 else Commitment.objects.last().session
            CommitmentFactory(session=session, area=first.area, lead_organisation=first.lead_organisation)

    grow_to(5)
    few = queries_for(client, "/admin/memoranda/commitment/")
    grow_to(200)
    assert queries_for(client, "/admin/memoranda/commitment/") == few
