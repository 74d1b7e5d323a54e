"""The audit log (/audit/): administrators see and export who changed what, and when, for a date
range, from the change history, the admin's log and the sign-in records."""
from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, OrganisationFactory, ReportingCycleFactory, UserFactory, member_of
from tracker import services
from tracker.models import Role
from tracker.roles import ADMINISTRATOR_GROUP

pytestmark = pytest.mark.django_db

URL = "/audit/"
CHINESE_NARRATIVE = "兩次交流團已舉行，雙方同意深化合作。"


@pytest.fixture
def administrator(db):
    user = UserFactory(username="amy", first_name="美玲", last_name="陳")
    user.groups.add(Group.objects.get_or_create(name=ADMINISTRATOR_GROUP)[0])
    return user


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def accepted(commitment):
    """An official's update with a Chinese narrative, accepted by a coordinator: the commitment moves."""
    official = UserFactory(username="olivia", first_name="Olivia", last_name="Chan")
    coordinator = UserFactory(username="connie", first_name="Connie", last_name="Wong")
    update = services.progress_update_create(
        commitment=commitment, author=official, proposed_status=Status.ON_TRACK, proposed_progress=40,
        narrative="Two exchange visits were held.", submit=True, notify=False,
    )
    return services.progress_update_accept(update=update, reviewer=coordinator, narrative_zh=CHINESE_NARRATIVE, notify=False)


def rows_of(response) -> list:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.getvalue()), read_only=False)
    return list(workbook.active.iter_rows(values_only=True))


def test_a_change_made_through_the_services_says_who_changed_what_and_when(admin_client, accepted):
    commitment = accepted.commitment
    rows = rows_of(admin_client.get(URL))
    change = next(row for row in rows if row.object == commitment.ref and row.action == "changed")
    assert (change.username, change.name, change.who) == ("connie", "Connie Wong", "connie (Connie Wong)")
    assert change.object_type == "Commitment"
    assert change.changes.startswith(f"Accepted progress update #{accepted.pk}")
    assert "Progress (%): 0 → 40" in change.changes
    assert "Status: Not started → Underway – on track" in change.changes
    assert abs(timezone.now() - change.when) < datetime.timedelta(minutes=1)
    assert change.local_when == timezone.localtime(change.when).strftime("%Y-%m-%d %H:%M:%S")

    # The update: written by the official, then corrected in Chinese by the coordinator on accepting it.
    update_rows = [row for row in rows if row.object_type == "Progress update"]
    assert {(row.username, row.action) for row in update_rows} >= {("olivia", "created"), ("connie", "changed")}
    assert all(row.object == f"{commitment.ref}: #{accepted.pk}" for row in update_rows)
    assert any(f"Progress made (Chinese): none → {CHINESE_NARRATIVE[:20]}" in row.changes for row in update_rows)
    # Newest first.
    assert [row.when for row in rows] == sorted((row.when for row in rows), reverse=True)

    body = admin_client.get(URL).getvalue().decode()
    assert "connie (Connie Wong)" in body and "Progress (%): 0 → 40" in body


def test_a_change_in_the_admin_and_a_closed_cycle_are_in_the_log(client, fourth_plenary):
    superuser = UserFactory(username="root", first_name="Ada", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    url = f"/admin/memoranda/commitment/{commitment.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name not in ("parties", "supporting_organisations")}
    data.update({
        "parties": [p.pk for p in commitment.parties.all()],
        "supporting_organisations": [o.pk for o in commitment.supporting_organisations.all()],
        "title_zh": "深化兩地鐵路合作", "due_on": "", "continues": "",
        "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0, "milestones-MIN_NUM_FORMS": 0, "milestones-MAX_NUM_FORMS": 1000,
    })
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    cycle = ReportingCycleFactory(mechanism=commitment.session.mechanism)
    services.cycle_close(cycle=cycle, by=superuser)

    rows = rows_of(client.get(URL, {"user": "ROOT"}))  # the user name in any case
    assert {row.username for row in rows} == {"root"}
    admin_change = next(row for row in rows if row.object_type == "Commitment" and row.action == "changed" and "深化" not in row.changes)
    assert admin_change.object.startswith("HKBJ-4-6.5") and "Short title (Chinese)" in admin_change.changes  # the admin's own message
    recorded = next(row for row in rows if row.object == "HKBJ-4-6.5" and "深化兩地鐵路合作" in row.changes)
    assert recorded.action == "changed" and recorded.who == "root (Ada)"
    closed = next(row for row in rows if row.object_type == "Reporting cycle")
    assert (closed.action, closed.changes) == ("changed", "Closed the cycle")

    # One object type: only the commitment's rows, from both sources.
    only_commitments = rows_of(client.get(URL, {"type": "memoranda.commitment"}))
    assert only_commitments and {row.object_type for row in only_commitments} == {"Commitment"}


def test_the_date_range_defaults_to_the_last_30_days_and_can_be_chosen(admin_client, commitment):
    old = commitment.history.first()
    long_ago = timezone.now() - datetime.timedelta(days=45)
    type(old).objects.filter(history_id=old.history_id).update(history_date=long_ago)
    commitment.progress = 20
    commitment.save()

    recent = rows_of(admin_client.get(URL))
    assert [row.action for row in recent if row.object == commitment.ref] == ["changed"]

    day = timezone.localtime(long_ago).date()
    chosen = rows_of(admin_client.get(URL, {"start": day.isoformat(), "end": day.isoformat()}))
    assert [row.action for row in chosen if row.object == commitment.ref] == ["created"]
    assert admin_client.get(URL, {"start": day.isoformat(), "end": day.isoformat()}).context["form"]["start"].value() == day.isoformat()


@pytest.mark.parametrize("query", [
    {"start": "2026-13-45"},
    {"start": "yesterday"},
    {"start": "2026-11-25", "end": "2026-11-01"},
    {"start": "0001-01-01"},
    {"end": "9999-12-31"},
    {"start": "2026-11-01\x00"},
    {"type": "no.such"},
    {"user": "x" * 500},
    {"start": "2026-13-45", "_export": "csv"},
])
def test_filters_that_cannot_be_used_are_explained_never_a_500(admin_client, query):
    response = admin_client.get(URL, query)
    if any("\x00" in value for value in query.values()):  # refused before any view (tracker.middleware.RefuseNulInPath)
        assert response.status_code == 404
        return
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'class="errorlist"' in response.getvalue().decode()


def test_csv_and_xlsx_hold_every_row_of_the_range_chinese_included(admin_client, accepted):
    start, end = timezone.localdate() - datetime.timedelta(days=3), timezone.localdate()
    query = {"start": start.isoformat(), "end": end.isoformat()}

    response = admin_client.get(URL, {**query, "_export": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="audit-log-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["When", "User", "Name", "Action", "Type", "Object", "What changed", "Address"]
    change = next(row for row in rows if row[5] == accepted.commitment.ref and row[3] == "changed")
    assert change[1:5] == ["connie", "Connie Wong", "changed", "Commitment"] and "Progress (%): 0 → 40" in change[6]
    assert any(CHINESE_NARRATIVE[:20] in row[6] for row in rows)
    assert any(row[1:3] == ["amy", "美玲 陳"] and row[3] == "signed in" for row in rows)  # the administrator's own sign-in

    response = admin_client.get(URL, {**query, "_export": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="audit-log-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
    sheet = xlsx_rows(response)
    assert list(sheet[0]) == rows[0]
    assert len(sheet) == len(rows)
    assert any(row[5] == accepted.commitment.ref and "Progress (%): 0 → 40" in row[6] for row in sheet[1:])
    assert any(CHINESE_NARRATIVE[:20] in (row[6] or "") for row in sheet[1:])


def test_what_changed_is_described_in_the_readers_language(admin_client, accepted):
    rows = csv_rows(admin_client.get(URL, {"_export": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hant"))
    change = next(row for row in rows if row[5] == accepted.commitment.ref and row[6].startswith("接納進度匯報"))
    assert change[4] == "合作事項"
    assert "狀態: 未開始 → 進行中（按計劃）" in change[6]


def test_values_that_look_like_formulas_stay_text_and_control_characters_do_not_break_the_workbook(admin_client, settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    hostile = '=HYPERLINK("http://evil.example/","click")'
    Client().post("/accounts/login/", {"username": hostile, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    organisation = OrganisationFactory(name="Bureau")
    commitment = CommitmentFactory(title="Before", lead_organisation=organisation)
    commitment.title = "-2+3 in one line\x0bthen another\x01"
    commitment.save()

    rows = csv_rows(admin_client.get(URL, {"_export": "csv"}))
    failure = next(row for row in rows if row[3] == "sign-in failed")
    assert failure[1] == "'" + hostile and failure[7] == "203.0.113.9"

    sheet = load_workbook(io.BytesIO(admin_client.get(URL, {"_export": "xlsx"}).getvalue())).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[3].value == "sign-in failed"]
    assert cells and all(cell.value == hostile and cell.data_type == "s" for cell in cells)  # text, never a formula
    titles = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True) if row[6] and "Before" in row[6]]
    assert titles and "\x01" not in titles[0] and "then another" in titles[0]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_workbook_opens_in_libreoffice(admin_client, accepted, tmp_path):
    path = tmp_path / "audit.xlsx"
    path.write_bytes(admin_client.get(URL, {"_export": "xlsx"}).getvalue())
    subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(path),  # 76: UTF-8
        ],
        check=True, capture_output=True, timeout=120,
    )
    text = (tmp_path / "audit.csv").read_text(encoding="utf-8")
    assert "Progress (%): 0 → 40" in text and CHINESE_NARRATIVE[:20] in text and "美玲 陳" in text


def test_only_administrators_see_the_log(client, fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    assert client.get(URL)["Location"].startswith("/accounts/login/")
    assert client.get(URL, {"_export": "csv"})["Location"].startswith("/accounts/login/")
    for role in (Role.OFFICIAL, Role.COORDINATOR, Role.VIEWER):
        client.force_login(member_of(cmab, role))
        for query in ({}, {"_export": "csv"}, {"_export": "xlsx"}):
            response = client.get(URL, query)
            assert response.status_code == 403
            assert "The audit log is for administrators." in response.getvalue().decode()
    client.force_login(UserFactory(is_staff=True))  # staff without the administrator's role
    assert client.get(URL).status_code == 403
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(URL).status_code == 200


def changes(count: int) -> None:
    """`count` history records of commitments, half of them moving the lead organisation (names looked up)."""
    first, second = OrganisationFactory(name="First bureau"), OrganisationFactory(name="Second bureau")
    commitment = CommitmentFactory(lead_organisation=first)
    commitment.supporting_organisations.set([second])
    made = commitment.history.count()
    for number in range(count - made):
        commitment.progress = number % 100
        commitment.lead_organisation = first if number % 2 else second
        commitment.save()


def test_the_pages_together_hold_the_rows_of_the_export_in_the_same_order(admin_client, accepted):
    changes(120)
    exported = [tuple(row) for row in csv_rows(admin_client.get(URL, {"_export": "csv"}))[1:]]
    first = admin_client.get(URL)
    paged = []
    for number in range(1, first.context["page"].paginator.num_pages + 1):
        paged += [tuple(row.as_export().values()) for row in rows_of(admin_client.get(URL, {"page": number}))]
    assert len(exported) > 120 and first.context["page"].paginator.count == len(exported)
    assert [row[:6] for row in paged] == [row[:6] for row in exported]
    assert 'href="?start=' in first.getvalue().decode() and "page=3" in first.getvalue().decode()


@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"_export": "csv"}, {"_export": "xlsx"}])
def test_the_number_of_queries_does_not_grow_with_the_rows(client, administrator, query):
    def count_queries(rows: int) -> int:
        changes(rows)
        client.force_login(administrator)
        with CaptureQueriesContext(connection) as context:
            response = client.get(URL, query)
            if response.streaming:
                b"".join(response.streaming_content)
            assert response.status_code == 200
        return len(context.captured_queries)

    few = count_queries(10)
    assert count_queries(100) <= few


def test_archiving_and_restoring_are_named_as_such(admin_client, administrator, accepted):
    from tracker import archive

    commitment = accepted.commitment
    archive.commitment_archive(commitment=commitment, by=administrator)
    archive.commitment_restore(commitment=commitment, by=administrator)

    rows = [row for row in rows_of(admin_client.get(URL, {"user": "amy"})) if row.object_type != "Sign-in"]
    actions = [(row.object_type, row.action) for row in rows if row.object.startswith(commitment.ref)]
    # Each in the change history and in the admin's log; the update archived and restored with its commitment.
    assert Counter(actions) == {(kind, action): 2 for kind in ("Commitment", "Progress update") for action in ("archived", "restored")}
    assert [action for _kind, action in actions] == ["restored"] * 4 + ["archived"] * 4  # newest first
    recorded = next(row for row in rows if row.object == commitment.ref and row.action == "archived" and "→" in row.changes)
    assert "Archived by: none → 美玲 陳" in recorded.changes
