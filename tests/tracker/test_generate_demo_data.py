import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count

from memoranda.models import Commitment, Mechanism, Organisation, PlenarySession, Status
from tracker import selectors
from tracker.models import Membership, ProgressUpdate, ReportingCycle, Role, UpdateState
from tracker.roles import ROLE_GROUPS

User = get_user_model()


def generate(**options) -> None:
    arguments = {"commitments": 200, "updates_per_commitment": 3, "seed": 5, "force": True, "verbosity": 0}
    call_command("generate_demo_data", **{**arguments, **options})


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_small_run_creates_the_counts_asked_with_every_update_state():
    generate()
    assert Commitment.objects.count() == 200
    assert ProgressUpdate.objects.count() == 600
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == set(UpdateState.values)
    assert Mechanism.objects.count() == 8 and PlenarySession.objects.count() == 80
    assert ReportingCycle.objects.filter(closed_on__isnull=True).exists() and ReportingCycle.objects.filter(closed_on__isnull=False).exists()
    assert {m.parties.count() for m in Mechanism.objects.all()} == {2}
    # both languages, and Chinese in both scripts (Traditional 與, Simplified 与)
    assert Commitment.objects.exclude(text="").exists() and Commitment.objects.exclude(text_zh="").exists()
    narratives = "".join(ProgressUpdate.objects.values_list("narrative_zh", flat=True))
    assert "與" in narratives and "与" in narratives
    # lineage: a continuing item carries forward one of an earlier session of its conference
    continuing = Commitment.objects.filter(continues__isnull=False).select_related("continues__session", "session")
    assert continuing.exists()
    for later in continuing:
        assert later.continues.status == Status.CARRIED_FORWARD
        assert later.continues.session.mechanism_id == later.session.mechanism_id
        assert later.continues.session.number < later.session.number
    for role, group in ROLE_GROUPS.items():
        assert User.objects.filter(memberships__role=role, groups__name=group).exists()


@pytest.mark.django_db
def test_same_seed_gives_the_same_refs_titles_and_texts():
    def made(seed: int) -> list:
        try:
            with transaction.atomic():
                generate(seed=seed, commitments=60)
                rows = list(Commitment.objects.order_by("ref").values_list("ref", "title", "title_zh", "text_zh", "status", "progress"))
                rows += list(ProgressUpdate.objects.order_by("commitment__ref", "created_at").values_list("narrative", "state"))
                raise Rollback(rows)
        except Rollback as done:
            return done.args[0]

    first = made(11)
    assert first == made(11)
    assert first != made(12)


@pytest.mark.django_db
def test_second_run_adds_without_clashing_on_codes_refs_or_usernames():
    generate()
    users = User.objects.count()
    generate()
    assert Commitment.objects.count() == 400 and ProgressUpdate.objects.count() == 1200
    assert Mechanism.objects.filter(code="HKGD").exists() and Mechanism.objects.filter(code="HKGD2").exists()
    assert User.objects.count() == 2 * users
    assert User.objects.filter(username__startswith="gen2-").count() == users
    # parties and organisations are the same governments: reused, not made twice
    assert not Organisation.objects.values("party", "name").annotate(n=Count("pk")).filter(n__gt=1).exists()


@pytest.mark.django_db
def test_run_on_top_of_the_bundled_plenary_reuses_its_organisations(fourth_plenary):
    cmab = Organisation.objects.get(abbreviation="CMAB")
    generate(commitments=40)
    assert Organisation.objects.filter(abbreviation="CMAB").get() == cmab  # seed_demo still finds it
    assert Organisation.objects.filter(abbreviation="MTR").count() == 1
    assert Membership.objects.filter(organisation=cmab, role=Role.COORDINATOR).exists()
    assert Commitment.objects.filter(session=fourth_plenary).count() == 18  # left as it was


@pytest.mark.django_db
def test_generated_official_sees_and_may_report_on_their_organisations_commitments():
    generate()
    update = ProgressUpdate.objects.filter(state=UpdateState.DRAFT).select_related("author", "commitment").first()
    official = update.author
    assert official.username.startswith("gen1-")
    assert official.has_perm("tracker.submit_progressupdate")
    assert update.commitment in selectors.commitments_reportable_by(official)
    assert update.commitment in selectors.commitments_visible_to(official)
    assert update in selectors.updates_editable_by(official)
    led = Commitment.objects.filter(lead_organisation__memberships__user=official)
    assert led.exists() and set(led) <= set(selectors.commitments_reportable_by(official))
    coordinator = User.objects.filter(memberships__role=Role.COORDINATOR).first()
    assert selectors.updates_reviewable_by(coordinator).exists()


@pytest.mark.django_db
def test_generated_rows_follow_the_workflow_rules():
    generate()
    # one update at a time awaits review on a commitment; one is in progress per organisation
    assert not ProgressUpdate.objects.filter(state=UpdateState.SUBMITTED).values("commitment").annotate(n=Count("pk")).filter(n__gt=1).exists()
    in_progress = ProgressUpdate.objects.exclude(state=UpdateState.ACCEPTED)
    assert not in_progress.values("commitment", "organisation").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for commitment in Commitment.objects.all()[:50]:
        records = list(commitment.history.order_by("history_date", "history_id"))
        assert [r.version for r in records] == list(range(1, commitment.version + 1))
        assert (records[-1].status, records[-1].progress) == (commitment.status, commitment.progress)
        supporting = set(commitment.supporting_organisations.values_list("pk", flat=True))
        assert all(set(r.supporting_organisations.values_list("organisation_id", flat=True)) == supporting for r in records)
        accepted = commitment.updates.filter(state=UpdateState.ACCEPTED).order_by("reviewed_at").last()
        if accepted and commitment.status != Status.CARRIED_FORWARD:
            assert commitment.status == accepted.proposed_status
    for update in ProgressUpdate.objects.all()[:50]:
        assert update.history.count() == update.version
        assert update.organisation.memberships.filter(user=update.author, role=Role.OFFICIAL).exists()


@pytest.mark.django_db
def test_sampled_generated_rows_pass_full_clean():
    generate()
    sample = random.Random(1).sample
    for model in (Commitment, ProgressUpdate, ReportingCycle, Membership, Organisation, PlenarySession, Mechanism, User):
        rows = list(model.objects.all())
        for row in sample(rows, k=min(25, len(rows))):
            row.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options",
    [
        {"commitments": 0},
        {"commitments": -5},
        {"updates_per_commitment": -1},
        {"updates_per_commitment": 51},
        {"mechanisms": 0},
        {"mechanisms": 13},
        {"sessions": 0},
        {"force": False},  # DEBUG is off in tests: looks like production
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(options):
    with pytest.raises(CommandError):
        generate(**options)
    assert not Commitment.objects.exists() and not User.objects.exists()


def test_non_numbers_are_refused_by_the_command_line():
    with pytest.raises(CommandError):
        call_command("generate_demo_data", "--commitments", "many", "--force")


@pytest.mark.django_db
def test_pages_answer_on_generated_data_for_an_official_and_a_coordinator(client):
    generate(commitments=80)
    update = ProgressUpdate.objects.filter(state=UpdateState.RETURNED).select_related("author", "commitment").first()
    coordinator = User.objects.filter(memberships__role=Role.COORDINATOR).first()
    carried = Commitment.objects.filter(continued_by__isnull=False).first()
    pages = ["/", "/commitments/", "/my/", "/cycles/", update.commitment.get_absolute_url(), carried.get_absolute_url()]
    for user, queue in ((update.author, 403), (coordinator, 200)):  # the review queue is the coordinators'
        client.force_login(user)
        for path, expected in [(path, 200) for path in pages] + [("/reviews/", queue)]:
            response = client.get(path)
            assert response.status_code == expected, (user.username, path, response.status_code)
