"""The progress workflow through its pages: an official reports, a coordinator reviews, the
commitment moves; stale edits are refused without losing what was typed; bad input is refused
with the error next to its field."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, ReportingCycleFactory, member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, Role, UpdateState

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% Minutes of the MTR - Beijing operators meeting\n%%EOF\n"
NARRATIVE = "Met the Beijing Subway operators twice on maintenance practice; a training exchange is being scoped."
LINK = "https://www.mtr.com.hk/en/corporate/press/latest_news.html"


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def mtr(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="MTR")


@pytest.fixture
def cmab(fourth_plenary) -> Organisation:
    return Organisation.objects.get(abbreviation="CMAB")


@pytest.fixture
def official(mtr):
    return member_of(mtr, Role.OFFICIAL, user__username="olivia", user__first_name="Olivia", user__last_name="Chan")


@pytest.fixture
def coordinator(cmab):
    return member_of(cmab, Role.COORDINATOR, user__username="connie", user__first_name="Connie", user__last_name="Wong")


@pytest.fixture
def cycle(fourth_plenary):
    return ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)


@pytest.fixture
def commitment(fourth_plenary) -> Commitment:
    return Commitment.objects.get(ref="HKBJ-4-6.5")


def as_user(client, user):
    client.force_login(user)
    return client


def update_form(narrative: str = NARRATIVE, *, version: int, submit: bool = True, **fields) -> dict:
    data = {"proposed_status": Status.ON_TRACK, "proposed_progress": 35, "narrative": narrative,
            "next_steps": "Agree a training programme.", "version": version, **fields}
    if submit:
        data["submit"] = "1"
    return data


def field_error(response, field: str) -> list[str]:
    """The errors shown next to a field of the page's form, checked to be on the page too."""
    errors = response.context["form"].errors.get(field, [])
    if errors:
        assert f'id="id_{field}_errors"' in response.content.decode()
    return list(errors)


# The journey ---------------------------------------------------------------------------------------


def test_update_travels_from_official_to_commitment(client, django_capture_on_commit_callbacks, official, coordinator, cycle, commitment, mtr):
    outsider = member_of(CommitmentFactory().lead_organisation, Role.OFFICIAL)

    # The official opens the form and submits an update with a file and a link.
    as_user(client, official)
    form_page = client.get("/commitments/HKBJ-4-6.5/update/")
    assert form_page.status_code == 200
    assert form_page.context["form"]["version"].value() == commitment.version == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/commitments/HKBJ-4-6.5/update/",
            update_form(version=1, evidence_files=pdf(), evidence_links=LINK, internal_note="Ask Beijing for dates."),
        )
    update = ProgressUpdate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/updates/{update.pk}/"
    assert (update.state, update.author, update.organisation, update.cycle) == (UpdateState.SUBMITTED, official, mtr, cycle)
    assert [(e.url, bool(e.file)) for e in update.evidence.all()] == [("", True), (LINK, False)]
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject == "[Tracker] Progress update on HKBJ-4-6.5 awaits your review"
    assert f"/updates/{update.pk}/" in mail.outbox[0].body
    mail.outbox.clear()

    # The evidence file is served to the coordinator, and not to an official of another mechanism.
    evidence = update.evidence.get(url="")
    as_user(client, coordinator)
    download = client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="minutes' in download["Content-Disposition"]
    as_user(client, outsider)
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404

    # Returning without a comment is refused next to the comment field, and changes nothing.
    as_user(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"/updates/{update.pk}/review/", {"decision": "return", "comment": " ", "version": update.version})
    assert refused.status_code == 400
    assert refused.context["review_form"].errors["comment"] == ["Say what needs to change before returning the update."]
    assert 'id="id_comment_errors"' in refused.content.decode()
    assert ProgressUpdate.objects.get().state == UpdateState.SUBMITTED
    assert ProgressUpdate.objects.get().version == update.version
    assert mail.outbox == []

    # Returned with a comment: the author is told.
    with django_capture_on_commit_callbacks(execute=True):
        returned = client.post(
            f"/updates/{update.pk}/review/", {"decision": "return", "comment": "Please give the meeting dates.", "version": update.version}
        )
    assert returned.status_code == 302
    update.refresh_from_db()
    assert (update.state, update.reviewer, update.review_comment) == (UpdateState.RETURNED, coordinator, "Please give the meeting dates.")
    assert [message.to for message in mail.outbox] == [[official.email]]
    assert mail.outbox[0].subject == "[Tracker] Your progress update on HKBJ-4-6.5 was returned"
    assert "Please give the meeting dates." in mail.outbox[0].body
    mail.outbox.clear()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.progress, commitment.version) == (Status.NOT_STARTED, 0, 1)

    # The official sees it came back, fixes it and resubmits.
    as_user(client, official)
    assert [item.pk for item in client.get("/my/").context["returned"]] == [update.pk]
    edit_page = client.get(f"/updates/{update.pk}/edit/")
    assert edit_page.status_code == 200
    assert "Please give the meeting dates." in edit_page.content.decode()
    fixed = NARRATIVE + " Meetings on 3 and 17 May."
    with django_capture_on_commit_callbacks(execute=True):
        resubmitted = client.post(f"/updates/{update.pk}/edit/", update_form(fixed, version=edit_page.context["form"]["version"].value()))
    assert resubmitted.status_code == 302
    update.refresh_from_db()
    assert (update.state, update.narrative) == (UpdateState.SUBMITTED, fixed)
    assert ProgressUpdate.objects.count() == 1
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    mail.outbox.clear()

    # The coordinator accepts: the commitment takes the update's status and progress.
    as_user(client, coordinator)
    review_page = client.get(f"/updates/{update.pk}/")
    assert review_page.context["review_form"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(f"/updates/{update.pk}/review/", {"decision": "accept", "comment": "Thank you.", "version": update.version})
    assert accepted.status_code == 302
    update.refresh_from_db()
    commitment.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert (commitment.status, commitment.progress, commitment.version) == (Status.ON_TRACK, 35, 2)
    assert [message.to for message in mail.outbox] == [[official.email]]
    assert mail.outbox[0].subject == "[Tracker] Your progress update on HKBJ-4-6.5 was accepted"

    # The commitment page shows the narrative under "Progress reported".
    page = client.get("/commitments/HKBJ-4-6.5/")
    body = page.content.decode()
    assert [item.pk for item in page.context["commitment"].accepted_updates] == [update.pk]
    reported = body[body.index('id="timeline"'):]
    assert "Progress reported" in reported
    assert fixed in reported

    # The cycle page counts it.
    cycle_page = client.get(f"/cycles/{cycle.pk}/")
    mtr_row = next(row for row in cycle_page.context["rows"] if row["organisation_id"] == mtr.pk)
    assert (mtr_row["total"], mtr_row["accepted"], mtr_row["percent"]) == (1, 1, 100)
    assert cycle_page.context["accepted"] == 1
    assert f"1 of {cycle_page.context['total']} commitments have an accepted update" in cycle_page.content.decode()


def test_accepted_update_cannot_be_edited(client, official, coordinator, cycle, commitment, mtr):
    update = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, cycle=cycle, proposed_status=Status.ON_TRACK,
        proposed_progress=40, narrative=NARRATIVE, submit=True, notify=False,
    )
    update = services.progress_update_accept(update=update, reviewer=coordinator, notify=False)
    as_user(client, official)
    assert client.get(f"/updates/{update.pk}/edit/").status_code == 403
    response = client.post(f"/updates/{update.pk}/edit/", update_form("Rewritten after acceptance.", version=update.version))
    assert response.status_code == 403
    update.refresh_from_db()
    assert (update.narrative, update.state) == (NARRATIVE, UpdateState.ACCEPTED)
    assert not client.get(f"/updates/{update.pk}/").context["may_edit"]


def test_submitted_update_cannot_be_edited_while_awaiting_review(client, official, cycle, commitment, mtr):
    update = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, cycle=cycle, proposed_status=Status.ON_TRACK,
        proposed_progress=40, narrative=NARRATIVE, submit=True, notify=False,
    )
    as_user(client, official)
    response = client.post(f"/updates/{update.pk}/edit/", update_form("Changed under review.", version=update.version))
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.narrative == NARRATIVE


def test_second_report_while_one_awaits_review_leads_to_the_pending_one(client, official, cycle, commitment, mtr):
    update = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, cycle=cycle, proposed_status=Status.ON_TRACK,
        proposed_progress=40, narrative=NARRATIVE, submit=True, notify=False,
    )
    as_user(client, official)
    response = client.post("/commitments/HKBJ-4-6.5/update/", update_form("A second report.", version=commitment.version))
    assert response.status_code == 302
    assert response["Location"] == f"/updates/{update.pk}/"
    assert ProgressUpdate.objects.count() == 1


# Stale edits ---------------------------------------------------------------------------------------


def _cmab_update_accepted(commitment, cmab, cycle, coordinator) -> ProgressUpdate:
    """CMAB supports HKBJ-4-6.5: its official's update, accepted, moves the commitment."""
    cmab_official = member_of(cmab, Role.OFFICIAL, user__username="oscar")
    update = services.progress_update_create(
        commitment=commitment, author=cmab_official, organisation=cmab, cycle=cycle, proposed_status=Status.AT_RISK,
        proposed_progress=15, narrative="CMAB: the exchange is delayed.", submit=True, notify=False,
    )
    return services.progress_update_accept(update=update, reviewer=coordinator, notify=False)


def test_report_on_a_commitment_changed_meanwhile_by_an_accepted_update_is_refused_and_kept(
    client, official, coordinator, cycle, commitment, cmab
):
    as_user(client, official)
    opened = client.get("/commitments/HKBJ-4-6.5/update/")
    opened_version = opened.context["form"]["version"].value()
    assert f'name="version" value="{opened_version}"' in opened.content.decode()

    _cmab_update_accepted(commitment, cmab, cycle, coordinator)

    stale = client.post("/commitments/HKBJ-4-6.5/update/", update_form(version=opened_version))
    assert stale.status_code == 409
    assert not ProgressUpdate.objects.filter(author=official).exists()
    body = stale.content.decode()
    assert "Someone else saved changes after you opened this page." in body
    assert NARRATIVE in body  # what the official typed is still in the form
    changed = [change for entry in stale.context["changed"] for change in entry.changes]
    assert ("status", "Not started", "Underway – facing challenges") in [(c.field, c.old, c.new) for c in changed]
    assert "Underway – facing challenges" in body
    new_version = stale.context["form"]["version"].value()
    assert new_version == Commitment.objects.get(pk=commitment.pk).version == opened_version + 1
    assert f'name="version" value="{new_version}"' in body

    saved = client.post("/commitments/HKBJ-4-6.5/update/", update_form(version=new_version))
    assert saved.status_code == 302
    assert ProgressUpdate.objects.get(author=official).narrative == NARRATIVE


def test_report_on_a_commitment_reassigned_meanwhile_is_refused_and_lists_the_change(
    client, official, coordinator, cycle, commitment, mtr
):
    import datetime

    as_user(client, official)
    opened_version = client.get("/commitments/HKBJ-4-6.5/update/").context["form"]["version"].value()
    services.commitment_assign(
        commitment=commitment, by=coordinator, lead_organisation=mtr,
        supporting_organisations=list(commitment.supporting_organisations.all()),
        responsible_officer="Mr Lee", due_on=datetime.date(2030, 6, 30),
    )

    stale = client.post("/commitments/HKBJ-4-6.5/update/", update_form(version=opened_version))
    assert stale.status_code == 409
    assert not ProgressUpdate.objects.exists()
    body = stale.content.decode()
    assert NARRATIVE in body
    fields = {change.field for entry in stale.context["changed"] for change in entry.changes}
    assert {"responsible officer", "due on"} <= fields
    assert "Mr Lee" in body

    saved = client.post("/commitments/HKBJ-4-6.5/update/", update_form(version=stale.context["form"]["version"].value()))
    assert saved.status_code == 302
    assert ProgressUpdate.objects.get().narrative == NARRATIVE


def test_two_officials_editing_one_draft_the_second_to_save_is_refused_and_keeps_their_text(
    client, official, cycle, commitment, mtr
):
    colleague = member_of(mtr, Role.OFFICIAL, user__username="mark")
    draft = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, cycle=cycle, proposed_status=Status.ON_TRACK,
        proposed_progress=20, narrative="First draft.",
    )
    as_user(client, official)
    opened_version = client.get(f"/updates/{draft.pk}/edit/").context["form"]["version"].value()

    colleague_client = client.__class__()
    as_user(colleague_client, colleague)
    colleague_version = colleague_client.get(f"/updates/{draft.pk}/edit/").context["form"]["version"].value()
    saved_by_colleague = colleague_client.post(
        f"/updates/{draft.pk}/edit/", update_form("Colleague's text.", version=colleague_version, submit=False)
    )
    assert saved_by_colleague.status_code == 302

    stale = client.post(f"/updates/{draft.pk}/edit/", update_form("My own text.", version=opened_version, submit=False))
    assert stale.status_code == 409
    draft.refresh_from_db()
    assert (draft.narrative, draft.version, draft.state) == ("Colleague's text.", opened_version + 1, UpdateState.DRAFT)
    body = stale.content.decode()
    assert "My own text." in body
    changes = [(c.field, c.old, c.new) for entry in stale.context["changed"] for c in entry.changes]
    assert ("progress made (English)", "First draft.", "Colleague's text.") in changes

    saved = client.post(f"/updates/{draft.pk}/edit/", update_form("My own text.", version=stale.context["form"]["version"].value(), submit=False))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.narrative, draft.version) == ("My own text.", opened_version + 2)


# Invalid input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"proposed_progress": 101}, "proposed_progress", "Progress is a percentage from 0 to 100."),
        ({"proposed_progress": -5}, "proposed_progress", "Ensure this value is greater than or equal to 0."),
        ({"proposed_status": Status.NOT_PURSUED, "not_pursued_reason": "  "}, "not_pursued_reason", "Say why the commitment is not being pursued."),
        ({"proposed_status": Status.COMPLETED, "proposed_progress": 80}, "proposed_progress", "Set the progress of a completed commitment to 100."),
        ({"narrative": ""}, "narrative", "Say what progress was made, in English or in Chinese."),
        (
            {"evidence_files": SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")},
            "evidence_files", "setup.exe: this kind of file is not accepted as evidence.",
        ),
        ({"evidence_links": "ftp://example.org/minutes.pdf"}, "evidence_links", "ftp://example.org/minutes.pdf is not a web address (http:// or https://)."),
        ({"evidence_links": "javascript:alert(1)"}, "evidence_links", "javascript:alert(1) is not a web address (http:// or https://)."),
    ],
    ids=["progress-101", "progress-negative", "not-pursued-without-reason", "completed-below-100", "no-narrative",
         "exe-file", "ftp-link", "javascript-link"],
)
def test_invalid_report_is_refused_with_the_error_next_to_the_field_and_nothing_saved(
    client, django_capture_on_commit_callbacks, official, coordinator, cycle, commitment, fields, field, message, settings
):
    as_user(client, official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/commitments/HKBJ-4-6.5/update/", update_form(version=commitment.version, **fields))
    assert response.status_code == 400
    assert field_error(response, field) == [message]
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert not (settings.MEDIA_ROOT / "evidence").exists()
    assert mail.outbox == []
    commitment.refresh_from_db()
    assert commitment.version == 1


def test_invalid_edit_leaves_the_draft_unchanged(client, official, cycle, commitment, mtr):
    draft = services.progress_update_create(
        commitment=commitment, author=official, organisation=mtr, cycle=cycle, proposed_status=Status.ON_TRACK,
        proposed_progress=20, narrative="First draft.",
    )
    as_user(client, official)
    response = client.post(
        f"/updates/{draft.pk}/edit/",
        update_form("Better text.", version=draft.version, proposed_progress=101, evidence_links="not a link"),
    )
    assert response.status_code == 400
    assert field_error(response, "proposed_progress") == ["Progress is a percentage from 0 to 100."]
    assert field_error(response, "evidence_links") == ["not a link is not a web address (http:// or https://)."]
    draft.refresh_from_db()
    assert (draft.narrative, draft.proposed_progress, draft.version, draft.state) == ("First draft.", 20, 1, UpdateState.DRAFT)
    assert not draft.evidence.exists()


def test_two_coordinators_assigning_owners_the_second_to_save_is_refused_and_keeps_their_choice(client, coordinator, cmab, mtr, commitment):
    other_coordinator = member_of(cmab, Role.COORDINATOR, user__username="kelvin")
    as_user(client, coordinator)
    opened_version = client.get("/commitments/HKBJ-4-6.5/manage/").context["form"]["version"].value()
    services.commitment_assign(
        commitment=commitment, by=other_coordinator, lead_organisation=mtr, supporting_organisations=[cmab],
        responsible_officer="Ms Ho",
    )
    owners = {"lead_organisation": mtr.pk, "supporting_organisations": [cmab.pk], "responsible_officer": "Mr Lam"}

    stale = client.post("/commitments/HKBJ-4-6.5/manage/", {**owners, "version": opened_version})
    assert stale.status_code == 409
    commitment.refresh_from_db()
    assert commitment.responsible_officer == "Ms Ho"
    body = stale.content.decode()
    assert 'value="Mr Lam"' in body
    assert "Ms Ho" in body

    saved = client.post("/commitments/HKBJ-4-6.5/manage/", {**owners, "version": stale.context["form"]["version"].value()})
    assert saved.status_code == 302
    commitment.refresh_from_db()
    assert commitment.responsible_officer == "Mr Lam"
