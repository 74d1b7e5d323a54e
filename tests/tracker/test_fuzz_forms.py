"""Hostile form posts never give a server error, and a refused one changes nothing: every field of
every form of the progress workflow (progress update with its narrative, links, dates and files;
review; withdrawal; manage; cycles opened, closed, reopened, reminded; snapshots; carrying forward
undone), sent as a browser would (multipart, with files) or as a script might (urlencoded, with
bytes that are not UTF-8). Signing in, accounts, language and the loader: test_fuzz_account_and_loader_forms.py."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memoranda.choices import Status
from memoranda.models import Commitment, Organisation
from tests.tracker.fuzzing import FUZZ, Form, post_body, post_drawn, valid_dates, value, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def aimed(fourth_plenary):
    return world(fourth_plenary)


def _update_fields(version: int, commitment_version: int) -> dict:
    return {
        "proposed_status": value(*Status.values),
        "proposed_progress": value(0, 40, 100, 101, -5),
        "narrative": value("Two meetings were held."),
        "narrative_zh": value("雙方舉行了兩次會議。"),
        "next_steps": value("Sign the agreement."),
        "next_steps_zh": value("簽署協議。"),
        "not_pursued_reason": value("Superseded."),
        "internal_note": value("Check with the bureau."),
        "evidence_links": value("https://www.info.gov.hk/a.htm", "https://www.info.gov.hk/a.htm\nftp://x", "javascript:alert(1)"),
        "version": value(version, version + 1, 0),
        "commitment_version": value(commitment_version, commitment_version + 1),
        "submit": value("1"),
        "draft": value("1"),
        "remove_kept": value("abc"),
    }


FORMS = [
    Form("update-create", "official", lambda w: "/commitments/HKBJ-4-4.1/update/",
         lambda w: _update_fields(Commitment.objects.get(ref="HKBJ-4-4.1").version, 0), files="evidence_files"),
    Form("update-edit", "official", lambda w: f"/updates/{w['draft'].pk}/edit/",
         lambda w: _update_fields(w["draft"].version, w["draft"].commitment.version), files="evidence_files"),
    Form("review", "coordinator", lambda w: f"/updates/{w['submitted'].pk}/review/", lambda w: {
        "decision": value("accept", "return"), "comment": value("Please give the dates."),
        "narrative": value("Two meetings were held."), "narrative_zh": value(), "next_steps": value(), "next_steps_zh": value(),
        "version": value(w["submitted"].version, w["submitted"].version + 1),
    }),
    Form("withdraw", "official", lambda w: f"/updates/{w['submitted'].pk}/withdraw/",
         lambda w: {"version": value(w["submitted"].version, w["submitted"].version - 1)}),
    Form("manage", "coordinator", lambda w: f"/commitments/{w['draft'].commitment.ref}/manage/", lambda w: {
        "lead_organisation": value(*Organisation.objects.values_list("pk", flat=True)),
        "supporting_organisations": value(*Organisation.objects.values_list("pk", flat=True)),
        "responsible_officer": value("Ms Chan"), "due_on": st.one_of(valid_dates(), value()),
        "version": value(w["draft"].commitment.version),
    }),
    Form("cycle-create", "coordinator", lambda w: "/cycles/new/", lambda w: {
        "mechanism": value(w["mechanism"].pk), "title": value("Progress report to the 5th Plenary"), "title_zh": value("進度報告"),
        "reports_to_session_number": value(5, 0, 32767, 32768), "opens_on": st.one_of(valid_dates(), value()),
        "due_on": st.one_of(valid_dates(), value()),
    }),
    Form("cycle-close", "coordinator", lambda w: f"/cycles/{w['cycle'].pk}/close/", lambda w: {"confirm": value("1")}),
    Form("cycle-reopen", "coordinator", lambda w: f"/cycles/{w['closed'].pk}/reopen/", lambda w: {"confirm": value("1")}),
    Form("cycle-remind", "coordinator", lambda w: f"/cycles/{w['cycle'].pk}/remind/", lambda w: {
        "organisation": value(*Organisation.objects.values_list("pk", flat=True)), "selected_only": value("1"),
        "commitment": value(*Commitment.objects.values_list("pk", flat=True)),
    }),
    Form("snapshot", "coordinator", lambda w: f"/reports/sessions/HKBJ/{w['session'].number}/snapshots/", lambda w: {
        "as_at": st.one_of(valid_dates(), value()), "label": value("For the 5th Plenary"),
    }),
    Form("carry-forward-undo", "coordinator", lambda w: "/commitments/HKBJ-4-1.1/carry-forward/undo/",
         lambda w: {"version": value(Commitment.objects.get(ref="HKBJ-4-1.1").version)}),
]


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
@settings(FUZZ, max_examples=25)  # per form
@given(data=st.data())
def test_a_form_answers_any_input_without_a_server_error_and_a_refusal_changes_nothing(aimed, form, data):
    post_drawn(aimed, form, data)


# What the fuzzing found, kept as examples that run every time: an empty post (the forms were left
# unbound and the views read their cleaned data), a number too long for int().
FOUND = [(form.name, "") for form in FORMS] + [
    ("carry-forward-undo", "version=" + "9" * 5000),
    ("update-edit", "version=" + "9" * 5000 + "&commitment_version=" + "9" * 5000 + "&narrative=x&proposed_status=on_track&proposed_progress=1"),
]
BY_NAME = {form.name: form for form in FORMS}


@pytest.mark.parametrize("name, body", FOUND, ids=[f"{name}-{body[:20]}" for name, body in FOUND])
def test_what_fuzzing_found_answers_without_a_server_error(aimed, name, body):
    post_body(aimed, BY_NAME[name], body)


def test_a_valid_update_form_is_saved(client, aimed):
    """The fuzzed form is reached and can succeed: the same post with sensible values saves a draft."""
    client.force_login(aimed["official"])
    commitment = Commitment.objects.get(ref="HKBJ-4-4.1")
    response = client.post("/commitments/HKBJ-4-4.1/update/", {
        "proposed_status": "on_track", "proposed_progress": "40", "narrative": "Two meetings were held.",
        "version": commitment.version, "draft": "1",
    })
    assert response.status_code == 302 and commitment.updates.count() == 1

