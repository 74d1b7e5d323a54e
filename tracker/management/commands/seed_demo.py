import datetime
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from memoranda.models import Commitment, Mechanism, Organisation, Status
from tracker import services
from tracker.roles import ensure_role_groups
from tracker.models import Membership, ProgressUpdate, ReportingCycle, Role

DEMO_NOTE = "Demo data: "

# username, organisation abbreviation (None for the administrator), role, first name, last name
DEMO_USERS = [
    ("admin", None, None, "Ada", "Ng"),
    ("coordinator", "CMAB", Role.COORDINATOR, "Connie", "Wong"),
    ("official-cmab", "CMAB", Role.OFFICIAL, "Oscar", "Lee"),
    ("official-mtr", "MTR", Role.OFFICIAL, "Olivia", "Chan"),
    ("viewer", "CMAB", Role.VIEWER, "Victor", "Lam"),
]


class Command(BaseCommand):
    help = (
        "Adds demo accounts (admin, coordinator, official-cmab, official-mtr, viewer; password from "
        "DEMO_PASSWORD, default 'demo'), a reporting cycle and a few progress updates labelled as demo "
        "data. Never for production: refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Demo accounts are not made; use --force to override.")
        try:
            mechanism = Mechanism.objects.get(code="HKBJ")
        except Mechanism.DoesNotExist:
            raise CommandError("Load the 4th plenary first: manage.py seed_plenary") from None

        ensure_role_groups()
        users = self.make_users(os.environ.get("DEMO_PASSWORD") or "demo")
        cycle = self.make_cycle(mechanism, users["coordinator"])
        if ProgressUpdate.objects.filter(is_demo=True).exists():
            self.stdout.write("Demo progress updates already present; left as they are.")
        else:
            self.make_updates(cycle, users)
        self.stdout.write(self.style.SUCCESS("Demo accounts: " + ", ".join(users)))

    def make_users(self, password: str) -> dict:
        User = get_user_model()
        users = {}
        for username, abbreviation, role, first, last in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
            user.email = f"{username}@example.org"
            user.is_staff = user.is_superuser = role is None
            user.set_password(password)
            user.save()
            if abbreviation:
                organisation = Organisation.objects.get(abbreviation=abbreviation)
                services.membership_set(user=user, organisation=organisation, role=role)
            users[username] = user
        return users

    def make_cycle(self, mechanism: Mechanism, coordinator) -> ReportingCycle:
        today = timezone.localdate()
        cycle, _ = ReportingCycle.objects.get_or_create(
            mechanism=mechanism,
            reports_to_session_number=5,
            defaults={
                "title": "Progress report to the 5th Plenary Session",
                "title_zh": "向第五次會議提交的進展報告",
                "opens_on": today - datetime.timedelta(days=14),
                "due_on": today + datetime.timedelta(days=21),
                "created_by": coordinator,
            },
        )
        return cycle

    def make_updates(self, cycle: ReportingCycle, users: dict) -> None:
        def update(ref: str, author: str, status: str, progress: int, narrative: str, next_steps: str = "", **kwargs):
            commitment = Commitment.objects.get(ref=ref)
            membership = Membership.objects.filter(user=users[author]).select_related("organisation").first()
            return services.progress_update_create(
                commitment=commitment,
                author=users[author],
                organisation=membership.organisation,
                cycle=cycle,
                proposed_status=status,
                proposed_progress=progress,
                narrative=DEMO_NOTE + narrative,
                next_steps=next_steps,
                is_demo=True,
                notify=False,
                **kwargs,
            )

        coordinator = users["coordinator"]
        accepted = update(
            "HKBJ-4-2.1", "official-cmab", Status.ON_TRACK, 40,
            "Two Fintech exchange sessions held with Beijing enterprises; a joint sharing session on regulatory sandboxes is planned.",
            "Hold the third exchange session before the 5th Plenary Session.", submit=True,
        )
        services.progress_update_accept(update=accepted, reviewer=coordinator, comment="Thank you.", notify=False)
        winter_games = update(
            "HKBJ-4-7.1", "official-cmab", Status.COMPLETED, 100,
            "Hong Kong youth volunteers served at the Olympic and Paralympic Winter Games Beijing 2022.",
            submit=True,
        )
        services.progress_update_accept(update=winter_games, reviewer=coordinator, notify=False)
        update(
            "HKBJ-4-6.5", "official-mtr", Status.ON_TRACK, 25,
            "Meetings held with Beijing railway operators on operation and maintenance practice; training exchange being scoped.",
            "Agree a professional training programme with the Beijing side.", submit=True,
            internal_note="Beijing side has asked for the draft programme by the end of the quarter.",
        )
        returned = update(
            "HKBJ-4-5.3", "official-cmab", Status.ONGOING, 50, "Exchanges continued.", submit=True,
        )
        services.progress_update_return(
            update=returned, reviewer=coordinator, notify=False,
            comment="Please say how many officers took part in each direction and when the agreement is renewed.",
        )
        update(
            "HKBJ-4-6.2", "official-cmab", Status.AT_RISK, 10,
            "Networking session for environmental think tanks postponed; a new date is being sought.",
        )
