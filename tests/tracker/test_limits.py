"""Free text has a length limit (a 1 MB narrative made the PDF report take 47 s): what is too long is
refused next to its field, with what was typed kept, and nothing is saved."""
from __future__ import annotations

import re

import pytest

from memoranda.models import Commitment, Organisation
from tests.factories import ReportingCycleFactory, member_of
from tracker import services
from tracker.forms import COMMENT_MAX_LENGTH, MAX_EVIDENCE_LINKS, TEXT_MAX_LENGTH
from tracker.models import Evidence, ProgressUpdate, ReportingCycle, Role, UpdateState

pytestmark = pytest.mark.django_db

UPDATE_URL = "/commitments/HKBJ-4-6.5/update/"


@pytest.fixture
def official(fourth_plenary):
    ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    return member_of(Organisation.objects.get(abbreviation="MTR"), Role.OFFICIAL)


@pytest.fixture
def coordinator(fourth_plenary):
    return member_of(Organisation.objects.get(abbreviation="CMAB"), Role.COORDINATOR)


def update_data(**fields) -> dict:
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    return {"proposed_status": "on_track", "proposed_progress": "40", "narrative": "Met twice.", "version": commitment.version,
            "draft": "1", **fields}


@pytest.mark.parametrize("field", ["narrative", "narrative_zh", "next_steps", "next_steps_zh", "not_pursued_reason", "internal_note"])
def test_an_update_text_over_the_limit_is_refused_next_to_its_field_and_kept(client, official, field):
    client.force_login(official)
    too_long = "Exchange visits were held. " * (TEXT_MAX_LENGTH // 27) + "x" * 30
    assert len(too_long.strip()) > TEXT_MAX_LENGTH
    response = client.post(UPDATE_URL, update_data(**{field: too_long}))
    assert response.status_code == 400
    assert "too long" in " ".join(response.context["form"].errors[field])
    assert response.context["form"][field].value() == too_long  # what was typed is shown again, whole
    assert not ProgressUpdate.objects.exists()


def test_a_text_at_the_limit_is_saved_counting_a_line_break_as_one_character(client, official):
    client.force_login(official)
    paragraph = "a" * 99 + "\n"
    text = (paragraph * (TEXT_MAX_LENGTH // 100))[:-1] + "."  # exactly the limit, with 99 line breaks
    assert len(text) == TEXT_MAX_LENGTH
    response = client.post(UPDATE_URL, update_data(narrative=text.replace("\n", "\r\n")))  # as a browser sends it
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().narrative == text


def test_a_long_text_box_does_not_cut_what_is_pasted_into_it(client, official):
    """A browser silently cuts a paste at `maxlength`; the server's error says so instead."""
    client.force_login(official)
    page = client.get(UPDATE_URL).content.decode()
    textareas = re.findall(r"<textarea[^>]*>", page)
    assert len(textareas) >= 6 and not any("maxlength" in tag for tag in textareas)


def test_too_many_evidence_links_are_refused_and_nothing_is_saved(client, official):
    client.force_login(official)
    links = "\n".join(f"https://www.info.gov.hk/press/{n}.htm" for n in range(MAX_EVIDENCE_LINKS + 1))
    response = client.post(UPDATE_URL, update_data(evidence_links=links))
    assert response.status_code == 400 and response.context["form"].errors["evidence_links"]
    assert not ProgressUpdate.objects.exists() and not Evidence.objects.exists()


def test_the_edit_form_has_the_same_limit(client, official):
    client.force_login(official)
    client.post(UPDATE_URL, update_data())
    update = ProgressUpdate.objects.get()
    response = client.post(f"/updates/{update.pk}/edit/", update_data(narrative="y" * (TEXT_MAX_LENGTH + 1), version=update.version))
    assert response.status_code == 400 and response.context["form"].errors["narrative"]
    update.refresh_from_db()
    assert update.narrative == "Met twice." and update.version == 1


@pytest.fixture
def submitted(official, coordinator):
    mtr = Organisation.objects.get(abbreviation="MTR")
    return services.progress_update_create(
        commitment=Commitment.objects.get(ref="HKBJ-4-6.5"), author=official, organisation=mtr, proposed_status="on_track",
        proposed_progress=40, narrative="Met twice.", submit=True, notify=False,
    )


def test_a_review_comment_over_the_limit_is_refused_next_to_it_and_kept(client, coordinator, submitted):
    client.force_login(coordinator)
    comment = "Please give the dates of the meetings. " * (COMMENT_MAX_LENGTH // 39 + 1)
    response = client.post(f"/updates/{submitted.pk}/review/", {"decision": "return", "comment": comment, "version": submitted.version})
    assert response.status_code == 400
    form = response.context["review_form"]
    assert "too long" in " ".join(form.errors["comment"]) and form["comment"].value() == comment
    submitted.refresh_from_db()
    assert submitted.state == UpdateState.SUBMITTED and submitted.review_comment == ""


def test_a_reviewer_cannot_lengthen_the_narrative_past_the_limit(client, coordinator, submitted):
    client.force_login(coordinator)
    response = client.post(f"/updates/{submitted.pk}/review/", {
        "decision": "accept", "version": submitted.version, "narrative": "z" * (TEXT_MAX_LENGTH + 1),
        "narrative_zh": "", "next_steps": "", "next_steps_zh": "",
    })
    assert response.status_code == 400 and response.context["review_form"].errors["narrative"]
    submitted.refresh_from_db()
    assert submitted.state == UpdateState.SUBMITTED and submitted.narrative == "Met twice."


def test_the_manage_form_refuses_an_over_long_officer_name(client, coordinator):
    client.force_login(coordinator)
    commitment = Commitment.objects.get(ref="HKBJ-4-6.5")
    response = client.post("/commitments/HKBJ-4-6.5/manage/", {
        "lead_organisation": commitment.lead_organisation_id, "responsible_officer": "Officer " * 40, "due_on": "", "version": commitment.version,
    })
    assert response.status_code == 400 and response.context["form"].errors["responsible_officer"]
    assert Commitment.objects.get(ref="HKBJ-4-6.5").responsible_officer == ""


def test_the_cycle_form_refuses_an_over_long_title(client, coordinator, fourth_plenary):
    client.force_login(coordinator)
    before = ReportingCycle.objects.count()
    response = client.post("/cycles/new/", {
        "mechanism": fourth_plenary.mechanism.pk, "title": "Progress report " * 20, "reports_to_session_number": 5,
        "opens_on": "2025-01-01", "due_on": "2025-02-01",
    })
    assert response.status_code == 400 and response.context["form"].errors["title"]
    assert ReportingCycle.objects.count() == before
