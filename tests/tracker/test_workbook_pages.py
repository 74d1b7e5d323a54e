"""The progress workbook's pages: an official downloads it from /my/workbook/, uploads it back at
/my/upload/ and finds drafts; a file with problems saves nothing and lists them by row and column,
and the valid rows can then be saved alone; a coordinator downloads and enters an organisation's
workbook from the cycle's page. Through the browser's requests (Django's test client), real database."""
from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from memoranda.models import Organisation
from tests.tracker.test_workbook_round_trip import TWO_ROWS, cycle, fill  # noqa: F401 (cycle: the fixture)
from tracker.models import ProgressUpdate, UpdateState
from tracker.selectors import cycle_commitments

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def download(client, url: str = "/my/workbook/") -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX, response
    assert response["Content-Disposition"].startswith('attachment; filename="progress-HKBJ-')
    return response.getvalue()


def post(client, data: bytes | None, cycle, url: str = "/my/upload/", name: str = "progress.xlsx", **fields):
    sent = {"cycle": cycle.pk, **fields}
    if data is not None:
        sent["file"] = SimpleUploadedFile(name, data, content_type=XLSX)
    return client.post(url, sent)


def test_official_downloads_fills_uploads_and_finds_two_drafts(client, cycle):
    signed_in(client, "official-cmab")
    page = client.get("/my/")
    assert b"/my/workbook/?cycle=" in page.getvalue() and b"/my/upload/?cycle=" in page.getvalue()
    before = ProgressUpdate.objects.count()

    response = post(client, fill(download(client), TWO_ROWS), cycle)

    assert response.status_code == 302 and response["Location"] == "/my/"
    assert ProgressUpdate.objects.count() == before + 2
    drafts = ProgressUpdate.objects.filter(commitment__ref__in=TWO_ROWS, state=UpdateState.DRAFT)
    assert {d.commitment.ref for d in drafts} == set(TWO_ROWS)
    followed = client.get("/my/")
    assert "2 drafts saved" in followed.getvalue().decode()


def test_the_same_file_twice_creates_nothing_new(client, cycle):
    signed_in(client, "official-cmab")
    filled = fill(download(client), TWO_ROWS)
    post(client, filled, cycle)
    count = ProgressUpdate.objects.count()
    response = post(client, filled, cycle)
    assert response.status_code == 302 and ProgressUpdate.objects.count() == count


def test_submit_all_submits_every_filled_row(client, cycle):
    signed_in(client, "official-cmab")
    post(client, fill(download(client), TWO_ROWS), cycle, submit_all="on")
    assert set(ProgressUpdate.objects.filter(commitment__ref__in=TWO_ROWS).values_list("state", flat=True)) == {UpdateState.SUBMITTED}


def test_a_bad_row_saves_nothing_names_row_and_column_then_the_valid_rows_alone(client, cycle):
    signed_in(client, "official-cmab")
    rows = {**TWO_ROWS, "HKBJ-4-3.1": {**TWO_ROWS["HKBJ-4-3.1"], "proposed_progress": "half"}}
    before = ProgressUpdate.objects.count()

    response = post(client, fill(download(client), rows), cycle)

    assert response.status_code == 200 and ProgressUpdate.objects.count() == before
    page = response.getvalue().decode()
    assert "Nothing was saved" in page and "half" in page and "Save the 1 valid row" in page
    problem = response.context["plan"].problems[0]
    assert problem.row and problem.column.startswith("H")  # the proposed % column, by letter and heading

    saved = post(client, None, cycle, only_valid="1")  # the kept file: nothing to choose again

    assert saved.status_code == 302
    assert list(ProgressUpdate.objects.filter(commitment__ref__in=TWO_ROWS).values_list("commitment__ref", flat=True)) == ["HKBJ-4-1.1"]
    assert "1 row with problems was left out" in client.get("/my/").getvalue().decode()


def test_a_row_on_another_organisations_commitment_is_refused(client, cycle):
    signed_in(client, "official-mtr")
    workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
    sheet = workbook.worksheets[0]
    theirs = cycle_commitments(cycle).exclude(ref__in=[cell.value for cell in sheet["A"]]).first().ref  # not the MTR's
    sheet.cell(row=sheet.max_row + 1, column=1, value=theirs)
    sheet.cell(row=sheet.max_row, column=9, value="We did it.")
    out = io.BytesIO()
    workbook.save(out)
    before = ProgressUpdate.objects.count()
    response = post(client, out.getvalue(), cycle)
    assert response.status_code == 200 and ProgressUpdate.objects.count() == before
    assert f"you may not report on {theirs}" in response.getvalue().decode()


@pytest.mark.parametrize("name, data", [
    ("notes.xlsx", b"PK\x03\x04 not really a zip"), ("empty.csv", b""), ("macro.xlsm", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 40),
])
def test_a_file_that_is_not_a_workbook_gets_a_message_next_to_the_field(client, cycle, name, data):
    signed_in(client, "official-cmab")
    before = ProgressUpdate.objects.count()
    response = post(client, data, cycle, name=name)
    assert response.status_code == 200 and ProgressUpdate.objects.count() == before
    assert response.context["form"].errors["file"]


def test_no_file_at_all_is_asked_for(client, cycle):
    signed_in(client, "official-cmab")
    response = post(client, None, cycle)
    assert response.status_code == 200 and "Choose the workbook" in response.getvalue().decode()


def test_a_viewer_has_no_workbook(client, cycle):
    signed_in(client, "viewer")
    assert client.get("/my/workbook/")["Location"] == "/my/"
    assert client.get("/my/upload/")["Location"] == "/my/"


def test_a_coordinator_downloads_and_enters_an_organisations_workbook(client, cycle):
    signed_in(client, "coordinator")
    cmab = Organisation.objects.get(abbreviation="CMAB")
    page = client.get(f"/cycles/{cycle.pk}/").getvalue().decode()
    assert f"/cycles/{cycle.pk}/workbook/?organisation={cmab.pk}" in page and f"/cycles/{cycle.pk}/upload/?organisation={cmab.pk}" in page
    data = download(client, f"/cycles/{cycle.pk}/workbook/?organisation={cmab.pk}")
    rows = {"HKBJ-4-1.1": TWO_ROWS["HKBJ-4-1.1"]}

    response = post(client, fill(data, rows), cycle, url=f"/cycles/{cycle.pk}/upload/?organisation={cmab.pk}", submit_all="on")

    assert response.status_code == 302, response.context and [str(p) for p in response.context["plan"].problems]
    update = ProgressUpdate.objects.get(commitment__ref="HKBJ-4-1.1")
    assert (update.organisation, update.author.username, update.state) == (cmab, "coordinator", UpdateState.SUBMITTED)


def test_officials_and_viewers_may_not_enter_an_organisations_workbook(client, cycle):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    for username in ("official-cmab", "viewer"):
        signed_in(client, username)
        assert client.get(f"/cycles/{cycle.pk}/workbook/?organisation={cmab.pk}").status_code == 403
        assert client.get(f"/cycles/{cycle.pk}/upload/?organisation={cmab.pk}").status_code == 403


@pytest.mark.parametrize("organisation", ["", "x", "9" * 5000, "999999", "²"])
def test_an_organisation_the_cycle_does_not_cover_is_not_found(client, cycle, organisation):
    signed_in(client, "coordinator")
    assert client.get(f"/cycles/{cycle.pk}/workbook/", {"organisation": organisation}).status_code == 404


def test_a_reminder_carries_the_recipients_workbook_and_links_to_the_upload(cycle, mailoutbox, django_capture_on_commit_callbacks):
    from tracker.models import ReminderKind
    from tracker.notifications import send_cycle_reminders

    official = get_user_model().objects.get(username="official-cmab")
    official.email = "cmab@example.org"
    official.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_cycle_reminders(cycle, kind=ReminderKind.BY_COORDINATOR)

    message = next(message for message in mailoutbox if message.to == ["cmab@example.org"])
    assert f"/my/upload/?cycle={cycle.pk}" in message.body
    (name, content, mimetype), = message.attachments
    assert name.startswith("progress-HKBJ-") and name.endswith(".xlsx") and mimetype == XLSX
    refs = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A"][1:]]
    assert "HKBJ-4-1.1" in refs
