"""The access matrix: every role × every address that names an object → the answer it gets.

What `tracker.access` promises, seen from outside: what a person may not see answers 404 (nothing
says it exists), what they may see but not do answers 403, someone signed out is sent to sign in,
and an allowed write happens (302 back to a page). A refused request changes nothing in the
database and sends no e-mail. The Django admin has its own matrix (tests/tracker/test_admin*.py).

The world is the 4th plenary of the Hong Kong/Beijing Co-operation Conference (HKBJ) and a second
conference none of its organisations takes part in. The objects named are of HKBJ:

- the commitment HKBJ-4-6.5, led by MTR and supported by CMAB (and BJHKMAO);
- progress updates on it written by a colleague of the MTR official: submitted (with a file as
  evidence), returned, and a draft (with a file);
- the open reporting cycle of HKBJ, and a closed one; a snapshot of the 4th session's report.

The roles, as columns (in this order):

| column | who |
|---|---|
| admin | an administrator (superuser, no membership: the demo `admin`) |
| coord | a coordinator of HKBJ (the secretariat, at CMAB: the demo `coordinator`) |
| coord_other | a coordinator of the other conference |
| lead | an official of MTR, which leads HKBJ-4-6.5 (the demo `official-mtr`) |
| support | an official of CMAB, which supports it (the demo `official-cmab`) |
| unrelated | an official of HKTDC: same side (Hong Kong) and conference, no part in HKBJ-4-6.5 |
| other_conf | an official of an organisation of the other conference |
| viewer | a viewer at CMAB (the demo `viewer`) |
| no_member | a user with no membership at all |
| signed_out | nobody signed in |
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from memoranda import services as memoranda_services
from memoranda.models import Area, Commitment, Organisation, Status
from tests.factories import CommitmentFactory, OrganisationFactory, ReportingCycleFactory, SessionFactory, UserFactory, member_of
from tracker import export_jobs, services
from tracker.models import ExportJob, ProgressUpdate, Reminder, ReportingCycle, Role, Snapshot, UpdateState

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page
ROLES = ["admin", "coord", "coord_other", "lead", "support", "unrelated", "other_conf", "viewer", "no_member", "signed_out"]

# The answers that recur. Everything of HKBJ is read by everyone with a membership on either side
# of it, and by no one else; a draft only by its organisation (and the administrator).
#            admin coord c_other lead support unrelated o_conf viewer no_mem signed_out
SEEN =      (200,  200,  404,    200, 200,    200,      404,   200,   404,   LOGIN)
DRAFT =     (200,  404,  404,    200, 404,    404,      404,   404,   404,   LOGIN)
COORDINATE = (302, 302,  404,    403, 403,    403,      404,   403,   404,   LOGIN)  # coordinators' writes
COORDINATE_PAGE = (200, 200, 404, 403, 403,   403,      404,   403,   404,   LOGIN)

# method, address, then the answer for each role in ROLES order. {ref}, {submitted}… are the
# objects above (World.address); each row is one test per role.
MATRIX = [
    # Sessions and commitments: reading.
    ("GET", "/sessions/{code}/{number}/", SEEN),
    ("GET", "/commitments/{ref}/", SEEN),
    # Reporting progress: the officials of the organisations that lead or support the commitment.
    ("GET", "/commitments/{ref}/update/", (200, 403, 404, 200, 200, 403, 404, 403, 404, LOGIN)),
    ("POST", "/commitments/{ref}/update/", (302, 403, 404, 302, 302, 403, 404, 403, 404, LOGIN)),
    # Owners and due date, and undoing a carry-forward: the coordinators of the mechanism.
    ("GET", "/commitments/{ref}/manage/", COORDINATE_PAGE),
    ("POST", "/commitments/{ref}/manage/", COORDINATE),
    ("POST", "/commitments/{carried}/carry-forward/undo/", COORDINATE),
    # Progress updates: a submitted one is read by all who see the commitment; a draft by its organisation.
    ("GET", "/updates/{submitted}/", SEEN),
    ("GET", "/updates/{draft}/", DRAFT),
    # A returned update is changed only by its organisation (MTR).
    ("GET", "/updates/{returned}/edit/", (200, 403, 404, 200, 403, 403, 404, 403, 404, LOGIN)),
    ("POST", "/updates/{returned}/edit/", (302, 403, 404, 302, 403, 403, 404, 403, 404, LOGIN)),
    ("POST", "/updates/{submitted}/review/", COORDINATE),
    # Withdrawing a submitted update: the officials of the organisation that wrote it.
    ("POST", "/updates/{submitted}/withdraw/", (302, 403, 404, 302, 403, 403, 404, 403, 404, LOGIN)),
    # Evidence follows its update.
    ("GET", "/evidence/{evidence}/", SEEN),
    ("GET", "/evidence/{draft_evidence}/", DRAFT),
    # Reporting cycles: read by all who see the mechanism; reminded, closed, reopened by its coordinators.
    ("GET", "/cycles/{cycle}/", SEEN),
    ("POST", "/cycles/{cycle}/remind/", COORDINATE),
    ("GET", "/cycles/{cycle}/close/", COORDINATE_PAGE),
    ("POST", "/cycles/{cycle}/close/", COORDINATE),
    ("POST", "/cycles/{closed_cycle}/reopen/", COORDINATE),
    # An organisation's progress workbook, downloaded for it or entered from it: the coordinators.
    ("GET", "/cycles/{cycle}/workbook/?organisation={lead}", COORDINATE_PAGE),
    ("GET", "/cycles/{cycle}/upload/?organisation={lead}", COORDINATE_PAGE),
    # An export written in the background: its requester's alone (the coordinator here).
    ("GET", "/exports/{export_job}/", (404, 200, 404, 404, 404, 404, 404, 404, 404, LOGIN)),
    ("GET", "/exports/{export_job}/download/", (404, 200, 404, 404, 404, 404, 404, 404, 404, LOGIN)),
    # Reports, their exports and snapshots.
    ("GET", "/reports/sessions/{code}/{number}/", SEEN),
    ("GET", "/reports/sessions/{code}/{number}/?_export=csv", SEEN),
    ("GET", "/reports/sessions/{code}/{number}/?_export=xlsx", SEEN),
    ("GET", "/reports/sessions/{code}/{number}/?snapshot={snapshot}", SEEN),
    ("POST", "/reports/sessions/{code}/{number}/snapshots/", COORDINATE),
    ("GET", "/reports/sessions/{code}/{number}/compare/?a={snapshot}", SEEN),
    ("GET", "/reports/mechanisms/{code}/", SEEN),
]

# Addresses with a parameter that are not the tracker's objects, each with the reason.
NOT_OBJECTS = {
    "password_reset_confirm": "a sign-in token, answered the same to everyone (tests of signing in)",
    "calendar-feed": "a calendar feed's token, its own credential: 404 unless it is a live one (tests/tracker/test_calendar_feed.py)",
}


def _cases():
    for method, address, expectations in MATRIX:
        assert len(expectations) == len(ROLES), address
        for role, expected in zip(ROLES, expectations, strict=True):
            name = re.sub(r"[{}?=_/]+", "-", address).strip("-")
            yield pytest.param(role, method, address, expected, id=f"{method}-{name}-{role}-{expected}")


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% minutes of the meeting\n%%EOF\n", content_type="application/pdf")


NARRATIVE = "Matrix: two joint workshops were held with the Beijing operators."


@dataclass
class World:
    """The users of each role, and the objects of HKBJ, each made when an address names it."""

    users: dict
    author: object  # a colleague of the lead official: being the author decides nothing
    organisations: dict[str, Organisation]
    commitment: Commitment
    cycle: ReportingCycle
    made: dict = field(default_factory=dict)

    def _once(self, key: str, make):
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def update(self, state: str) -> ProgressUpdate:
        def make() -> ProgressUpdate:
            update = services.progress_update_create(
                commitment=self.commitment, author=self.author, organisation=self.organisations["mtr"], cycle=self.cycle,
                proposed_status=Status.ON_TRACK, proposed_progress=40, narrative=f"A {state} update.",
                internal_note="Internal: MTR only.", submit=state != UpdateState.DRAFT, evidence_files=[pdf()], notify=False,
            )
            if state == UpdateState.RETURNED:
                update = services.progress_update_return(update=update, reviewer=self.users["coord"], comment="Add figures.", notify=False)
            return update

        return self._once(state, make)

    def carried(self) -> Commitment:
        """HKBJ-4-6.5 carried forward by an item of the 5th session that continues it."""
        def make() -> Commitment:
            fifth = SessionFactory(mechanism=self.commitment.session.mechanism, number=5)
            later = CommitmentFactory(
                session=fifth, area=Area.objects.filter(mechanism=fifth.mechanism).first(), area_position=1, item_position=1,
                lead_organisation=self.organisations["mtr"], continues=self.commitment,
            )
            return memoranda_services.commitment_carry_forward(earlier=self.commitment, later=later, by=self.users["admin"])

        return self._once("carried", make)

    def closed_cycle(self) -> ReportingCycle:
        def make() -> ReportingCycle:
            return ReportingCycleFactory(
                mechanism=self.cycle.mechanism, reports_to_session_number=6, title="Closed cycle",
                closed_on=timezone.localdate() - datetime.timedelta(days=1),
            )

        return self._once("closed_cycle", make)

    def export_job(self) -> ExportJob:
        def make() -> ExportJob:
            job = export_jobs.start(self.users["coord"], "csv", "", "en", 0)
            export_jobs.write_export.call(str(job.pk))  # as the worker would, once the request commits
            return job

        return self._once("export_job", make)

    def snapshot(self) -> Snapshot:
        def make() -> Snapshot:
            session = self.commitment.session
            return services.snapshot_take(session=session, as_at=timezone.localdate(), by=self.users["coord"], label="Before")

        return self._once("snapshot", make)

    def address(self, template: str) -> str:
        """The address with the objects it names, each made on first use."""
        session = self.commitment.session
        values = {
            "code": lambda: session.mechanism.code,
            "number": lambda: session.number,
            "ref": lambda: self.commitment.ref,
            "carried": lambda: self.carried().ref,
            "submitted": lambda: self.update(UpdateState.SUBMITTED).pk,
            "returned": lambda: self.update(UpdateState.RETURNED).pk,
            "draft": lambda: self.update(UpdateState.DRAFT).pk,
            "evidence": lambda: self.update(UpdateState.SUBMITTED).evidence.get().pk,
            "draft_evidence": lambda: self.update(UpdateState.DRAFT).evidence.get().pk,
            "cycle": lambda: self.cycle.pk,
            "lead": lambda: self.commitment.lead_organisation_id,
            "closed_cycle": lambda: self.closed_cycle().pk,
            "snapshot": lambda: self.snapshot().pk,
            "export_job": lambda: self.export_job().pk,
        }
        return template.format(**{name: make() for name, make in values.items() if "{" + name + "}" in template})

    def post_data(self, template: str) -> dict:
        commitment = Commitment.objects.get(pk=self.commitment.pk)
        if template == "/commitments/{ref}/update/":
            return {"proposed_status": Status.ON_TRACK, "proposed_progress": 30, "narrative": NARRATIVE, "version": commitment.version, "submit": "1"}
        if template == "/updates/{returned}/edit/":
            update = self.update(UpdateState.RETURNED)
            return {"proposed_status": Status.ON_TRACK, "proposed_progress": 30, "narrative": NARRATIVE, "version": update.version, "submit": "1"}
        if template == "/commitments/{ref}/manage/":
            return {"lead_organisation": commitment.lead_organisation_id, "responsible_officer": "Ms Matrix", "due_on": "2030-06-30", "version": commitment.version}
        if template == "/commitments/{carried}/carry-forward/undo/":
            return {"version": self.carried().version}
        if template == "/updates/{submitted}/review/":
            return {"decision": "accept", "comment": "", "version": self.update(UpdateState.SUBMITTED).version}
        if template == "/updates/{submitted}/withdraw/":
            return {"version": self.update(UpdateState.SUBMITTED).version}
        if template == "/reports/sessions/{code}/{number}/snapshots/":
            return {"as_at": timezone.localdate().isoformat(), "label": "Matrix"}
        return {}

    def written(self, template: str) -> bool:
        """Whether the write the POST asks for happened."""
        commitment = Commitment.objects.get(pk=self.commitment.pk)
        if template == "/commitments/{ref}/update/":
            return commitment.updates.filter(narrative=NARRATIVE, state=UpdateState.SUBMITTED).exists()
        if template == "/updates/{returned}/edit/":
            update = ProgressUpdate.objects.get(pk=self.update(UpdateState.RETURNED).pk)
            return (update.narrative, update.state) == (NARRATIVE, UpdateState.SUBMITTED)
        if template == "/commitments/{ref}/manage/":
            return commitment.responsible_officer == "Ms Matrix"
        if template == "/commitments/{carried}/carry-forward/undo/":
            return commitment.status != Status.CARRIED_FORWARD
        if template == "/updates/{submitted}/review/":
            return ProgressUpdate.objects.get(pk=self.update(UpdateState.SUBMITTED).pk).state == UpdateState.ACCEPTED
        if template == "/updates/{submitted}/withdraw/":
            return ProgressUpdate.objects.get(pk=self.update(UpdateState.SUBMITTED).pk).state == UpdateState.DRAFT
        if template == "/cycles/{cycle}/remind/":
            return Reminder.objects.filter(cycle=self.cycle).exists()
        if template == "/cycles/{cycle}/close/":
            return ReportingCycle.objects.get(pk=self.cycle.pk).closed_on is not None
        if template == "/cycles/{closed_cycle}/reopen/":
            return ReportingCycle.objects.get(pk=self.closed_cycle().pk).closed_on is None
        if template == "/reports/sessions/{code}/{number}/snapshots/":
            return Snapshot.objects.filter(label="Matrix").exists()
        raise AssertionError(f"no write is known for {template}")


def database_state() -> dict:
    """Every row of every model of the product (archived ones too), and of the action log."""
    models = [*apps.get_app_config("memoranda").get_models(), *apps.get_app_config("tracker").get_models()]
    models.append(apps.get_model("admin", "LogEntry"))
    return {
        model._meta.label: list(getattr(model, "all_objects", model._default_manager).order_by("pk").values())
        for model in models
    }


@pytest.fixture
def world(fourth_plenary) -> World:
    mtr, cmab, hktdc = (Organisation.objects.get(abbreviation=abbreviation) for abbreviation in ("MTR", "CMAB", "HKTDC"))
    elsewhere = CommitmentFactory().lead_organisation  # of another conference, with parties of its own
    users = {
        "admin": UserFactory(is_superuser=True, is_staff=True),
        "coord": member_of(cmab, Role.COORDINATOR),
        "coord_other": member_of(OrganisationFactory(party=elsewhere.party), Role.COORDINATOR),
        "lead": member_of(mtr, Role.OFFICIAL),
        "support": member_of(cmab, Role.OFFICIAL),
        "unrelated": member_of(hktdc, Role.OFFICIAL),
        "other_conf": member_of(elsewhere, Role.OFFICIAL),
        "viewer": member_of(cmab, Role.VIEWER),
        "no_member": UserFactory(),
        "signed_out": None,
    }
    return World(
        users=users, author=member_of(mtr, Role.OFFICIAL), organisations={"mtr": mtr, "cmab": cmab},
        commitment=Commitment.objects.get(ref="HKBJ-4-6.5"),
        cycle=ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5),
    )


@pytest.mark.parametrize(("role", "method", "template", "expected"), list(_cases()))
def test_each_role_gets_the_expected_answer_at_each_address(client, world, role, method, template, expected):
    address = world.address(template)
    data = world.post_data(template) if method == "POST" else None
    if world.users[role] is not None:
        client.force_login(world.users[role])
    before = database_state()
    mail.outbox.clear()

    response = client.get(address) if method == "GET" else client.post(address, data)

    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), response.status_code
    else:
        assert response.status_code == expected
    if expected == 302:
        assert not response["Location"].startswith("/accounts/login/")
        assert world.written(template), "the allowed write did not happen"
    else:
        assert database_state() == before, "a refused or read-only request changed the database"
        assert mail.outbox == []


def test_every_address_that_names_an_object_is_in_the_matrix():
    """A new address with a parameter (a ref, a pk, a code) must join the matrix, or say why not."""
    def named(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name
            elif not str(pattern.pattern).startswith("admin/"):  # the admin has its own matrix
                yield from named(pattern.url_patterns, prefix + str(pattern.pattern))

    in_matrix = {re.sub(r"\{(\w+)\}", "<>", address.split("?")[0]) for _, address, _ in MATRIX}
    missing = [
        route for route, name in named(get_resolver().url_patterns)
        if "<" in route and name not in NOT_OBJECTS and re.sub(r"<[^>]+>", "<>", route) not in {a.lstrip("/") for a in in_matrix}
    ]
    assert missing == []


def test_a_refusal_says_who_may_and_whom_to_ask(client, world):
    client.force_login(world.users["lead"])
    response = client.get(world.address("/commitments/{ref}/manage/"))
    assert response.status_code == 403
    body = response.getvalue().decode()
    assert "Only the coordinators of this mechanism assign its owners." in body
    assert world.users["coord"].username in body or world.users["coord"].email in body


def test_out_of_sight_and_unknown_objects_answer_alike(client, world):
    """A 404 for a commitment of another conference looks like one for no commitment at all."""
    client.force_login(world.users["other_conf"])
    pages = {}
    for address in (world.address("/commitments/{ref}/"), "/commitments/HKBJ-4-99.99/"):
        response = client.get(address)
        assert response.status_code == 404
        # The language switcher links back to the address, with a CSRF token of its own each time.
        body = response.getvalue().decode().replace(address, "…")
        pages[address] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    seen_elsewhere, unknown = pages.values()
    assert seen_elsewhere == unknown
