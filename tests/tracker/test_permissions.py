"""Who may do what, page by page: the permission matrix of the progress workflow.

The rule (tracker.selectors, and the docstring of tracker.workflow_views): what a user may not see
answers 404, what they may see but not do answers 403, anonymous visitors are sent to sign in, and
nothing ever answers 500. Every cell of the table below is one test; a refused write must leave
the database exactly as it was.

The targets, seen from the official of MTR:
- "own":       HKBJ-4-6.5, led by MTR and supported by CMAB and BJHKMAO;
- "other":     HKBJ-4-2.1, led by CMAB and supported by BJHKMAO (MTR has no part in it);
- "elsewhere": a commitment of a second mechanism none of the HKBJ organisations takes part in.
Cycle URLs use the open reporting cycle of the target's mechanism.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, ReportingCycleFactory, UserFactory, member_of
from tracker import services
from tracker.models import Evidence, ProgressUpdate, Reminder, ReportingCycle, Role, UpdateState

pytestmark = pytest.mark.django_db

LOGIN = "login"  # expected: a redirect to the sign-in page
NARRATIVE = "Matrix: two joint workshops were held with the Beijing operators."
ROLES = ["anonymous", "stranger", "official_mtr", "official_cmab", "outsider", "coordinator", "viewer", "superuser"]

# Each row: method, URL template, target, then the expected answer for every role in ROLES order:
#          anonymous  stranger  official_mtr  official_cmab  outsider  coordinator  viewer  superuser
MATRIX = [
    ("GET", "/commitments/{ref}/", "own", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/commitments/{ref}/", "other", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/commitments/{ref}/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    # Reporting progress: officials of the organisations that lead or support the commitment.
    ("GET", "/commitments/{ref}/update/", "own", LOGIN, 404, 200, 200, 404, 403, 403, 200),
    ("GET", "/commitments/{ref}/update/", "other", LOGIN, 404, 403, 200, 404, 403, 403, 200),
    ("GET", "/commitments/{ref}/update/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    ("POST", "/commitments/{ref}/update/", "own", LOGIN, 404, 302, 302, 404, 403, 403, 302),
    ("POST", "/commitments/{ref}/update/", "other", LOGIN, 404, 403, 302, 404, 403, 403, 302),
    ("POST", "/commitments/{ref}/update/", "elsewhere", LOGIN, 404, 404, 404, 302, 404, 404, 302),
    # Owners and due date: the coordinators of the mechanism (404 first for what is out of sight).
    ("GET", "/commitments/{ref}/manage/", "own", LOGIN, 404, 403, 403, 404, 200, 403, 200),
    ("GET", "/commitments/{ref}/manage/", "other", LOGIN, 404, 403, 403, 404, 200, 403, 200),
    ("GET", "/commitments/{ref}/manage/", "elsewhere", LOGIN, 404, 404, 404, 403, 404, 404, 200),
    ("POST", "/commitments/{ref}/manage/", "own", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/commitments/{ref}/manage/", "other", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/commitments/{ref}/manage/", "elsewhere", LOGIN, 404, 404, 404, 403, 404, 404, 302),
    # A submitted update: read by whoever may see its commitment.
    ("GET", "/updates/{submitted}/", "own", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/updates/{submitted}/", "other", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/updates/{submitted}/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    # A returned update, written by the lead organisation: changed only by that organisation.
    ("GET", "/updates/{returned}/edit/", "own", LOGIN, 404, 200, 403, 404, 403, 403, 200),
    ("GET", "/updates/{returned}/edit/", "other", LOGIN, 404, 403, 200, 404, 403, 403, 200),
    ("GET", "/updates/{returned}/edit/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    ("POST", "/updates/{returned}/edit/", "own", LOGIN, 404, 302, 403, 404, 403, 403, 302),
    ("POST", "/updates/{returned}/edit/", "other", LOGIN, 404, 403, 302, 404, 403, 403, 302),
    ("POST", "/updates/{returned}/edit/", "elsewhere", LOGIN, 404, 404, 404, 302, 404, 404, 302),
    # Accepting a submitted update: the coordinators of the mechanism.
    ("POST", "/updates/{submitted}/review/", "own", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/updates/{submitted}/review/", "other", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/updates/{submitted}/review/", "elsewhere", LOGIN, 404, 404, 404, 403, 404, 404, 302),
    # Evidence of a submitted update: served to whoever may see the update, never to others.
    ("GET", "/evidence/{evidence}/", "own", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/evidence/{evidence}/", "other", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/evidence/{evidence}/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    # Pages of no one object.
    ("GET", "/my/", None, LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/reviews/", None, LOGIN, 403, 403, 403, 403, 200, 403, 200),
    ("GET", "/cycles/", None, LOGIN, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/cycles/new/", None, LOGIN, 403, 403, 403, 403, 200, 403, 200),
    # Opening a cycle for the target's mechanism: a coordinator may choose only their own.
    ("POST", "/cycles/new/", "own", LOGIN, 403, 403, 403, 403, 302, 403, 302),
    ("POST", "/cycles/new/", "elsewhere", LOGIN, 403, 403, 403, 403, 400, 403, 302),
    # The cycle of the target's mechanism.
    ("GET", "/cycles/{cycle}/", "own", LOGIN, 404, 200, 200, 404, 200, 200, 200),
    ("GET", "/cycles/{cycle}/", "elsewhere", LOGIN, 404, 404, 404, 200, 404, 404, 200),
    ("POST", "/cycles/{cycle}/remind/", "own", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/cycles/{cycle}/remind/", "elsewhere", LOGIN, 404, 404, 404, 403, 404, 404, 302),
    ("POST", "/cycles/{cycle}/close/", "own", LOGIN, 404, 403, 403, 404, 302, 403, 302),
    ("POST", "/cycles/{cycle}/close/", "elsewhere", LOGIN, 404, 404, 404, 403, 404, 404, 302),
]

PAGE_NAMES = {
    "/commitments/{ref}/": "commitment-page",
    "/commitments/{ref}/update/": "update-form",
    "/commitments/{ref}/manage/": "manage-form",
    "/updates/{submitted}/": "update-page",
    "/updates/{returned}/edit/": "update-edit",
    "/updates/{submitted}/review/": "review",
    "/evidence/{evidence}/": "evidence",
    "/my/": "my",
    "/reviews/": "review-queue",
    "/cycles/": "cycle-list",
    "/cycles/new/": "cycle-new",
    "/cycles/{cycle}/": "cycle-page",
    "/cycles/{cycle}/remind/": "cycle-remind",
    "/cycles/{cycle}/close/": "cycle-close",
}


def _cases():
    for method, url, target, *expectations in MATRIX:
        assert len(expectations) == len(ROLES), url
        for role, expected in zip(ROLES, expectations, strict=True):
            if expected is None:
                continue
            case_id = "-".join(part for part in (role, method, PAGE_NAMES[url], target or "", str(expected)) if part)
            yield pytest.param(role, method, url, target, expected, id=case_id)


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% minutes of the meeting\n%%EOF\n", content_type="application/pdf")


@dataclass
class World:
    """The 4th plenary, a second mechanism, one user per role; updates made when a URL needs one."""

    commitments: dict[str, Commitment]
    cycles: dict[str, ReportingCycle]
    users: dict
    authors: dict
    organisations: dict[str, Organisation]
    made: dict = field(default_factory=dict)

    def cycle(self, target: str) -> ReportingCycle:
        return self.cycles["elsewhere" if target == "elsewhere" else "hkbj"]

    def submitted(self, target: str) -> ProgressUpdate:
        """A submitted update on the target, written by an official of its lead organisation."""
        if ("submitted", target) not in self.made:
            commitment = self.commitments[target]
            self.made["submitted", target] = services.progress_update_create(
                commitment=commitment, author=self.authors[target], organisation=commitment.lead_organisation,
                cycle=self.cycle(target), proposed_status=Status.ON_TRACK, proposed_progress=40,
                narrative="Submitted for review.", submit=True, evidence_files=[pdf()], notify=False,
            )
        return self.made["submitted", target]

    def returned(self, target: str) -> ProgressUpdate:
        """A returned update on the target, written by an official of its lead organisation."""
        if ("returned", target) not in self.made:
            commitment = self.commitments[target]
            update = services.progress_update_create(
                commitment=commitment, author=self.authors[target], organisation=commitment.lead_organisation,
                cycle=self.cycle(target), proposed_status=Status.ON_TRACK, proposed_progress=20,
                narrative="First attempt.", submit=True, notify=False,
            )
            self.made["returned", target] = services.progress_update_return(
                update=update, reviewer=self.users["superuser"], comment="Add figures.", notify=False
            )
        return self.made["returned", target]

    def address(self, url: str, target: str | None) -> str:
        values = {}
        if target is not None:
            values["ref"] = self.commitments[target].ref
            values["cycle"] = self.cycle(target).pk
            if "{submitted}" in url:
                values["submitted"] = self.submitted(target).pk
            if "{returned}" in url:
                values["returned"] = self.returned(target).pk
            if "{evidence}" in url:
                values["evidence"] = self.submitted(target).evidence.get().pk
        return url.format(**values)

    def post_data(self, url: str, target: str | None) -> dict:
        commitment = self.commitments.get(target)
        if url == "/commitments/{ref}/update/":
            return {"proposed_status": Status.ON_TRACK, "proposed_progress": 30, "narrative": NARRATIVE,
                    "version": commitment.version, "submit": "1"}
        if url == "/updates/{returned}/edit/":
            return {"proposed_status": Status.ON_TRACK, "proposed_progress": 30, "narrative": NARRATIVE,
                    "version": self.returned(target).version, "submit": "1"}
        if url == "/commitments/{ref}/manage/":
            return {"lead_organisation": commitment.lead_organisation_id, "responsible_officer": "Ms Matrix",
                    "due_on": "2030-06-30", "version": commitment.version}
        if url == "/updates/{submitted}/review/":
            return {"decision": "accept", "comment": "", "version": self.submitted(target).version}
        if url == "/cycles/new/":
            today = timezone.localdate()
            return {"mechanism": commitment.session.mechanism_id, "title": "Matrix cycle",
                    "reports_to_session_number": commitment.session.number + 1,
                    "opens_on": today.isoformat(), "due_on": (today + datetime.timedelta(days=30)).isoformat()}
        return {}

    def written(self, url: str, target: str | None) -> bool:
        """Whether the write the POST asks for happened."""
        commitment = self.commitments.get(target)
        if url == "/commitments/{ref}/update/":
            return commitment.updates.filter(narrative=NARRATIVE, state=UpdateState.SUBMITTED).exists()
        if url == "/updates/{returned}/edit/":
            update = ProgressUpdate.objects.get(pk=self.returned(target).pk)
            return update.narrative == NARRATIVE and update.state == UpdateState.SUBMITTED
        if url == "/commitments/{ref}/manage/":
            return Commitment.objects.get(pk=commitment.pk).responsible_officer == "Ms Matrix"
        if url == "/updates/{submitted}/review/":
            return ProgressUpdate.objects.get(pk=self.submitted(target).pk).state == UpdateState.ACCEPTED
        if url == "/cycles/new/":
            return ReportingCycle.objects.filter(title="Matrix cycle", mechanism=commitment.session.mechanism).exists()
        if url == "/cycles/{cycle}/remind/":
            return Reminder.objects.filter(cycle=self.cycle(target)).exists()
        if url == "/cycles/{cycle}/close/":
            return ReportingCycle.objects.get(pk=self.cycle(target).pk).closed_on is not None
        raise AssertionError(f"no write is known for {url}")


def database_state() -> dict:
    """Everything the workflow's POSTs could change."""
    return {
        "updates": list(ProgressUpdate.objects.order_by("pk").values_list("pk", "state", "version", "narrative", "reviewer_id")),
        "commitments": list(
            Commitment.objects.order_by("pk").values_list(
                "pk", "version", "status", "progress", "lead_organisation_id", "responsible_officer", "due_on"
            )
        ),
        "cycles": list(ReportingCycle.objects.order_by("pk").values_list("pk", "title", "closed_on")),
        "reminders": list(Reminder.objects.order_by("pk").values_list("pk", flat=True)),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
    }


@pytest.fixture
def world(fourth_plenary) -> World:
    mtr = Organisation.objects.get(abbreviation="MTR")
    cmab = Organisation.objects.get(abbreviation="CMAB")
    elsewhere = CommitmentFactory()
    outside_organisation = elsewhere.lead_organisation
    commitments = {
        "own": Commitment.objects.get(ref="HKBJ-4-6.5"),
        "other": Commitment.objects.get(ref="HKBJ-4-2.1"),
        "elsewhere": elsewhere,
    }
    cycles = {
        "hkbj": ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5),
        "elsewhere": ReportingCycleFactory(
            mechanism=elsewhere.session.mechanism, reports_to_session_number=elsewhere.session.number + 1
        ),
    }
    users = {
        "anonymous": None,
        "stranger": UserFactory(),
        "official_mtr": member_of(mtr, Role.OFFICIAL),
        "official_cmab": member_of(cmab, Role.OFFICIAL),
        "outsider": member_of(outside_organisation, Role.OFFICIAL),
        "coordinator": member_of(cmab, Role.COORDINATOR),
        "viewer": member_of(cmab, Role.VIEWER),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    # Colleagues of the lead organisations write the updates, so being the author decides nothing.
    authors = {
        "own": member_of(mtr, Role.OFFICIAL),
        "other": member_of(cmab, Role.OFFICIAL),
        "elsewhere": member_of(outside_organisation, Role.OFFICIAL),
    }
    return World(commitments, cycles, users, authors, {"mtr": mtr, "cmab": cmab, "outside": outside_organisation})


@pytest.mark.parametrize(("role", "method", "url", "target", "expected"), list(_cases()))
def test_each_role_gets_the_expected_answer_from_each_page(client, world, role, method, url, target, expected):
    address = world.address(url, target)
    data = world.post_data(url, target) if method == "POST" else None
    if role != "anonymous":
        client.force_login(world.users[role])
    before = database_state()

    response = client.get(address) if method == "GET" else client.post(address, data)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith("/accounts/login/")
    if method == "POST":
        if expected == 302:
            assert world.written(url, target), "the allowed write did not happen"
        else:
            assert database_state() == before, "a refused request changed the database"


# Drafts and internal notes -------------------------------------------------------------------


@pytest.fixture
def mtr_draft(world) -> ProgressUpdate:
    """A draft of MTR on HKBJ-4-6.5, which CMAB supports, with a file as evidence."""
    return services.progress_update_create(
        commitment=world.commitments["own"], author=world.authors["own"], organisation=world.organisations["mtr"],
        cycle=world.cycles["hkbj"], proposed_status=Status.AT_RISK, proposed_progress=10,
        narrative="Draft: the training exchange is stalled.", evidence_files=[pdf("draft-minutes.pdf")],
    )


@pytest.mark.parametrize("role", ["official_cmab", "coordinator", "viewer", "stranger", "outsider"])
def test_draft_of_one_organisation_is_not_found_by_others(client, world, mtr_draft, role):
    client.force_login(world.users[role])
    evidence = mtr_draft.evidence.get()
    assert client.get(f"/updates/{mtr_draft.pk}/").status_code == 404
    assert client.get(f"/updates/{mtr_draft.pk}/edit/").status_code == 404
    assert client.get(f"/evidence/{evidence.pk}/").status_code == 404
    assert client.post(f"/updates/{mtr_draft.pk}/review/", {"decision": "accept", "version": mtr_draft.version}).status_code == 404
    mtr_draft.refresh_from_db()
    assert mtr_draft.state == UpdateState.DRAFT


def test_draft_is_not_listed_on_the_commitment_page_of_a_supporting_organisation(client, world, mtr_draft):
    client.force_login(world.users["official_cmab"])
    response = client.get("/commitments/HKBJ-4-6.5/")
    assert response.status_code == 200
    assert list(response.context["in_progress"]) == []
    assert f"/updates/{mtr_draft.pk}/" not in response.content.decode()


def test_draft_is_seen_and_changed_by_officials_of_the_writing_organisation(client, world, mtr_draft):
    client.force_login(world.users["official_mtr"])
    page = client.get(f"/updates/{mtr_draft.pk}/")
    assert page.status_code == 200
    assert "Draft: the training exchange is stalled." in page.content.decode()
    assert client.get(f"/updates/{mtr_draft.pk}/edit/").status_code == 200
    assert client.get(f"/evidence/{mtr_draft.evidence.get().pk}/").status_code == 200
    listed = client.get("/commitments/HKBJ-4-6.5/").context["in_progress"]
    assert [update.pk for update in listed] == [mtr_draft.pk]


def test_official_of_supporting_organisation_cannot_edit_the_lead_organisations_draft(client, world, mtr_draft):
    client.force_login(world.users["official_cmab"])
    response = client.post(
        f"/updates/{mtr_draft.pk}/edit/",
        {"proposed_status": Status.ON_TRACK, "proposed_progress": 90, "narrative": "Taken over.", "version": mtr_draft.version},
    )
    assert response.status_code == 404
    mtr_draft.refresh_from_db()
    assert (mtr_draft.narrative, mtr_draft.proposed_progress, mtr_draft.version) == ("Draft: the training exchange is stalled.", 10, 1)


INTERNAL_NOTE = "Internal: the Beijing side wants the draft programme by March."


@pytest.fixture
def mtr_update_with_note(world) -> ProgressUpdate:
    return services.progress_update_create(
        commitment=world.commitments["own"], author=world.authors["own"], organisation=world.organisations["mtr"],
        cycle=world.cycles["hkbj"], proposed_status=Status.ON_TRACK, proposed_progress=25,
        narrative="Meetings held with Beijing railway operators.", internal_note=INTERNAL_NOTE, submit=True, notify=False,
    )


@pytest.mark.parametrize(
    ("role", "sees_note"),
    [("official_mtr", True), ("coordinator", True), ("superuser", True), ("official_cmab", False), ("viewer", False)],
)
def test_internal_note_is_shown_only_to_the_owning_organisation_and_coordinators(client, world, mtr_update_with_note, role, sees_note):
    client.force_login(world.users[role])
    page = client.get(f"/updates/{mtr_update_with_note.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Meetings held with Beijing railway operators." in body
    assert (INTERNAL_NOTE in body) is sees_note
    assert page.context["show_internal_note"] is sees_note


def test_official_of_another_organisation_of_the_other_side_does_not_see_the_internal_note(client, world, mtr_update_with_note):
    beijing_official = member_of(Organisation.objects.get(abbreviation="BJHKMAO"), Role.OFFICIAL)
    client.force_login(beijing_official)
    body = client.get(f"/updates/{mtr_update_with_note.pk}/").content.decode()
    assert "Meetings held with Beijing railway operators." in body
    assert INTERNAL_NOTE not in body


def test_internal_note_stays_hidden_after_acceptance(client, world, mtr_update_with_note):
    services.progress_update_accept(update=mtr_update_with_note, reviewer=world.users["coordinator"], notify=False)
    client.force_login(world.users["official_cmab"])
    assert INTERNAL_NOTE not in client.get(f"/updates/{mtr_update_with_note.pk}/").content.decode()
    commitment_page = client.get("/commitments/HKBJ-4-6.5/").content.decode()
    assert "Meetings held with Beijing railway operators." in commitment_page
    assert INTERNAL_NOTE not in commitment_page


# Lists start from what the user may see --------------------------------------------------------


def test_cycle_list_shows_only_cycles_of_visible_mechanisms(client, world):
    client.force_login(world.users["outsider"])
    assert list(client.get("/cycles/").context["cycles"]) == [world.cycles["elsewhere"]]
    client.force_login(world.users["official_mtr"])
    assert list(client.get("/cycles/").context["cycles"]) == [world.cycles["hkbj"]]
    client.force_login(world.users["stranger"])
    assert list(client.get("/cycles/").context["cycles"]) == []


def test_review_queue_shows_only_the_coordinators_mechanism(client, world):
    own = world.submitted("own")
    world.submitted("elsewhere")
    client.force_login(world.users["coordinator"])
    assert [update.pk for update in client.get("/reviews/").context["updates"]] == [own.pk]


def test_my_page_lists_only_what_the_officials_organisation_owns(client, world):
    client.force_login(world.users["official_mtr"])
    response = client.get("/my/")
    assert [commitment.ref for commitment in response.context["commitments"]] == ["HKBJ-4-6.5"]
    client.force_login(world.users["stranger"])
    response = client.get("/my/")
    assert list(response.context["commitments"]) == []
    assert "You are not an official of any organisation." in response.content.decode()


def test_cycle_form_offers_only_the_mechanisms_the_coordinator_coordinates(client, world):
    client.force_login(world.users["coordinator"])
    offered = client.get("/cycles/new/").context["form"].fields["mechanism"].queryset
    assert list(offered) == [world.commitments["own"].session.mechanism]
