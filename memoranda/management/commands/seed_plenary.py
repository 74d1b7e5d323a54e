from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from memoranda.models import Commitment, PlenarySession

FIXTURE = "fixtures/hk_beijing_4th_plenary.json"


class Command(BaseCommand):
    help = (
        "Loads the 4th plenary of the Hong Kong/Beijing Co-operation Conference from the bundled "
        "fixture, unless that session is already in the database (so work done since is kept)."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if PlenarySession.objects.filter(mechanism__code="HKBJ", number=4).exists():
            self.stdout.write("The 4th plenary (HKBJ-4) is already loaded; nothing to do.")
            return
        call_command("loaddata", FIXTURE, verbosity=0)
        # loaddata saves raw rows, which django-simple-history does not record (only their
        # many-to-many links): give every commitment without one its first history entry, so
        # that its change history starts from what was agreed.
        recorded = Commitment.history.values("id")
        Commitment.history.bulk_history_create(
            list(Commitment.objects.exclude(pk__in=recorded)), default_change_reason="Loaded from the 4th plenary fixture"
        )
        count = Commitment.objects.filter(session__mechanism__code="HKBJ", session__number=4).count()
        self.stdout.write(self.style.SUCCESS(f"Loaded the 4th plenary of HKBJ with {count} commitments."))
