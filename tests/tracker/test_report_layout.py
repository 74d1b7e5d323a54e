"""The session report's layout: next steps beside the progress reported, a spreadsheet ready to
print, and one date format per language everywhere."""
import csv
import datetime
import io

import openpyxl
import pytest
from django import forms
from django.utils import formats, timezone
from django.utils.translation import override

from memoranda.models import Commitment, Organisation
from tests.factories import UserFactory, member_of
from tracker import services
from tracker.models import Role

pytestmark = pytest.mark.django_db
REPORT = "/reports/sessions/HKBJ/4/"
NARRATIVE = "Two Fintech exchange sessions held with Beijing enterprises; a joint sharing session on regulatory sandboxes is planned. " * 3
NEXT_STEPS = "Hold the third exchange session before the 5th Plenary Session."


@pytest.fixture
def coordinator_client(client, fourth_plenary):
    update = services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-2.1"), author=UserFactory(), proposed_status="on_track", proposed_progress=40,
        narrative=NARRATIVE, next_steps=NEXT_STEPS, submit=True, notify=False,
    )
    services.progress_update_accept(update=update, reviewer=UserFactory(), notify=False)
    client.force_login(member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR))
    return client


def get(client, language: str = "en", **params):
    client.cookies["django_language"] = language
    response = client.get(REPORT, params)
    assert response.status_code == 200
    return response


def workbook(client, language: str = "en"):
    return openpyxl.load_workbook(io.BytesIO(get(client, language, _export="xlsx").getvalue())).active


def test_next_steps_are_in_the_page_the_spreadsheets_and_under_the_progress_reported(coordinator_client):
    body = get(coordinator_client).getvalue().decode()
    reported = body.index(NARRATIVE.strip().split(";")[0])
    assert reported < body.index("Next steps", reported) < body.index(NEXT_STEPS, reported)
    sheet = workbook(coordinator_client)
    headings = [cell.value for cell in sheet[3]]
    row = next(dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True) if row[1] == "HKBJ-4-2.1")
    assert row["Next steps"] == NEXT_STEPS and row["Progress reported"] == NARRATIVE
    text = b"".join(get(coordinator_client, _export="csv").streaming_content).decode().lstrip("\ufeff")
    assert next(row for row in csv.DictReader(io.StringIO(text)) if row["Ref."] == "HKBJ-4-2.1")["Next steps"] == NEXT_STEPS


def test_status_and_progress_share_a_column_and_the_progress_reported_is_the_widest(coordinator_client):
    body = get(coordinator_client).getvalue().decode()
    assert '<col class="col-update">' in body and "col-progress" not in body
    css = open("static/css/report.css", encoding="utf-8").read()
    widths = {name: float(css.split(f"col.col-{name} {{ width: ")[1].split("%")[0]) for name in ("ref", "title", "lead", "status", "update")}
    assert max(widths, key=widths.get) == "update" and widths["status"] < widths["title"] and sum(widths.values()) == 100


def test_report_xlsx_has_a_title_an_as_at_row_and_is_set_up_to_print(coordinator_client):
    sheet = workbook(coordinator_client)
    title = get(coordinator_client).context["report"].title
    assert sheet["A1"].value == title and sheet["A1"].font.bold
    assert sheet["A2"].value == f"As at {formats.date_format(timezone.localdate(), 'DATE_FORMAT')}"
    assert sheet["B3"].value == "Ref." and sheet["B3"].font.bold
    assert sheet.freeze_panes == "A4"  # the header stays in view
    assert sheet.print_title_rows == "$3:$3"  # and repeats on every printed page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    # One page wide (fitToWidth 1 is the file format's default, so a writer may leave it out), as many down as it takes.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth in (1, None) and sheet.page_setup.fitToHeight == 0
    assert sheet.auto_filter.ref == "A3:J21"
    headings = [cell.value for cell in sheet[3]]
    reported = headings.index("Progress reported") + 1
    letter = openpyxl.utils.get_column_letter(reported)
    fintech = next(row for row in sheet.iter_rows(min_row=4) if row[1].value == "HKBJ-4-2.1")
    assert fintech[reported - 1].alignment.wrap_text
    assert sheet.column_dimensions[letter].width == max(sheet.column_dimensions[c].width for c in "ABCDEFGHIJ")
    assert sheet.row_dimensions[fintech[0].row].height > 3 * 15  # tall enough for the wrapped narrative


@pytest.mark.parametrize(("language", "written"), [("en", "31 December 2019"), ("zh-hant", "2019年12月31日"), ("zh-hans", "2019年12月31日")])
def test_one_date_format_per_language(language, written):
    day = datetime.date(2019, 12, 31)
    with override(language):
        assert formats.date_format(day) == written
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == written
        moment = datetime.datetime(2019, 12, 31, 14, 30)
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == formats.date_format(moment, "DATETIME_FORMAT")
        assert formats.date_format(moment, "DATETIME_FORMAT").startswith(written)
        assert forms.DateField().clean(written) == day  # a date typed as the pages write it is read back


@pytest.mark.parametrize(
    ("language", "written", "number_format"),
    [("en", "31 December 2019", "d mmmm yyyy"), ("zh-hant", "2019年12月31日", 'yyyy"年"m"月"d"日"')],
)
def test_report_dates_follow_the_language_and_stay_real_dates_in_xlsx(coordinator_client, language, written, number_format):
    assert written in get(coordinator_client, language).getvalue().decode()  # HKBJ-4-5.3 is due on 31 December 2019
    sheet = workbook(coordinator_client, language)
    due = next(row for row in sheet.iter_rows(min_row=4) if row[1].value == "HKBJ-4-5.3")[6]
    assert due.value == datetime.datetime(2019, 12, 31) and due.number_format == number_format
    list_sheet = openpyxl.load_workbook(io.BytesIO(coordinator_client.get("/commitments/", {"_export": "xlsx"}).getvalue())).active
    headings = [cell.value for cell in list_sheet[1]]
    column = headings.index("限期" if language == "zh-hant" else "Due")
    assert next(row for row in list_sheet.iter_rows(min_row=2) if row[0].value == "HKBJ-4-5.3")[column].number_format == number_format


def test_snapshot_message_writes_its_date_as_the_pages_do(coordinator_client):
    coordinator_client.cookies["django_language"] = "zh-hant"
    response = coordinator_client.post(f"{REPORT}snapshots/", {"label": "第五次會議"}, follow=True)
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in " ".join(str(message) for message in response.context["messages"])
