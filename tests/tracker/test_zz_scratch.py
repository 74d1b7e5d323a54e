import datetime
import pytest
from django.core import mail
from memoranda.models import Commitment, Organisation, Status
from tests.factories import CommitmentFactory, ReportingCycleFactory, member_of, UserFactory
from tracker import services
from tracker.models import Reminder, Role, ProgressUpdate
pytestmark = pytest.mark.django_db

def test_mixed_roles(client, fourth_plenary):
    mtr = Organisation.objects.get(abbreviation="MTR")
    user = member_of(mtr, Role.OFFICIAL)
    elsewhere = CommitmentFactory()
    member_of(elsewhere.lead_organisation, Role.COORDINATOR, user=user)
    client.force_login(user)
    c = Commitment.objects.get(ref="HKBJ-4-6.5")
    r = client.get("/commitments/HKBJ-4-6.5/manage/")
    print("MANAGE GET", r.status_code)
    hktdc = Organisation.objects.get(abbreviation="HKTDC")
    r = client.post("/commitments/HKBJ-4-6.5/manage/", {"lead_organisation": hktdc.pk, "responsible_officer": "x", "version": c.version})
    c.refresh_from_db()
    print("MANAGE POST", r.status_code, c.lead_organisation, c.version)
    print("PAGE may_manage", client.get("/commitments/HKBJ-4-2.1/").context["may_manage"], client.get("/commitments/HKBJ-4-6.5/").context["may_manage"])

def test_remind_closed(client, fourth_plenary, django_capture_on_commit_callbacks):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    coord = member_of(cmab, Role.COORDINATOR)
    member_of(cmab, Role.OFFICIAL)
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    services.cycle_close(cycle=cycle, by=coord)
    client.force_login(coord)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/cycles/{cycle.pk}/remind/")
    print("REMIND CLOSED", r.status_code, Reminder.objects.count(), len(mail.outbox))

def test_malformed(client, fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    coord = member_of(cmab, Role.COORDINATOR)
    off = member_of(cmab, Role.OFFICIAL)
    c = Commitment.objects.get(ref="HKBJ-4-2.1")
    u = services.progress_update_create(commitment=c, author=off, organisation=cmab, proposed_status="on_track", proposed_progress=5, narrative="x", submit=True, evidence_links=["https://e.org"], notify=False)
    client.force_login(coord)
    for data in [{}, {"decision": "accept"}, {"decision": "accept", "version": "abc"}, {"decision": "delete", "version": u.version}, {"decision": "accept", "version": 99}]:
        r = client.post(f"/updates/{u.pk}/review/", data)
        print("REVIEW", data, r.status_code)
    print("LINK EVIDENCE", client.get(f"/evidence/{u.evidence.get().pk}/").status_code)
    print("GET review", client.get(f"/updates/{u.pk}/review/").status_code)
    r = client.post("/commitments/HKBJ-4-2.1/manage/", {"version": "x"})
    print("MANAGE bad", r.status_code)
    other = CommitmentFactory().lead_organisation
    r = client.post("/commitments/HKBJ-4-2.1/manage/", {"lead_organisation": other.pk, "version": c.version})
    print("MANAGE foreign org", r.status_code)
    client.force_login(off)
    for data in [{}, {"version": "x"}, {"proposed_status": "bogus", "proposed_progress": 5, "narrative": "n", "version": 1}, {"proposed_status": "on_track", "proposed_progress": "99999999999", "narrative": "n", "version": 1}]:
        r = client.post("/commitments/HKBJ-4-2.2/update/", data)
        print("CREATE", data, r.status_code)
    r = client.post("/cycles/new/", {})
    print("CYCLE new by official", r.status_code)
    client.force_login(coord)
    r = client.post("/cycles/new/", {"mechanism": fourth_plenary.mechanism.pk, "title": "", "title_zh": "", "reports_to_session_number": 5, "opens_on": "2030-01-10", "due_on": "2030-01-01"})
    print("CYCLE new bad", r.status_code, r.context["form"].errors)
    r = client.get("/cycles/999999/"); print("cycle 404", r.status_code)

def test_inactive_reminder(client, fourth_plenary, django_capture_on_commit_callbacks):
    mtr = Organisation.objects.get(abbreviation="MTR")
    off = member_of(mtr, Role.OFFICIAL, user__is_active=False)
    cmab = Organisation.objects.get(abbreviation="CMAB")
    coord = member_of(cmab, Role.COORDINATOR)
    cycle = ReportingCycleFactory(mechanism=fourth_plenary.mechanism, reports_to_session_number=5)
    client.force_login(coord)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/cycles/{cycle.pk}/remind/", follow=True)
    print("INACTIVE", [str(m) for m in r.context["messages"]], len(mail.outbox), Reminder.objects.count())
