import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.generation import demo_data_generate


class Command(BaseCommand):
    help = (
        "Adds a generated set of realistic demo data in bulk, the same for the same --seed: conferences, "
        "sessions, organisations, users (prefixed gen<run>-; password from DEMO_PASSWORD, default 'demo'), "
        "commitments, reporting cycles, progress updates in every state and their history. Adds to what is "
        "there without clashing. Never for production: refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--commitments", type=int, required=True, help="How many commitments to add.")
        parser.add_argument("--updates-per-commitment", type=int, default=3, help="Progress updates on each commitment (default 3).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same data (default 1).")
        parser.add_argument("--mechanisms", type=int, default=8, help="Conferences to add (default 8, at most 12).")
        parser.add_argument("--sessions", type=int, default=10, help="Plenary sessions of each conference (default 10).")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Demo data is not made; use --force to override.")
        verbose = options["verbosity"] > 0
        try:
            result = demo_data_generate(
                commitments=options["commitments"],
                updates_per_commitment=options["updates_per_commitment"],
                seed=options["seed"],
                mechanisms=options["mechanisms"],
                sessions=options["sessions"],
                password=os.environ.get("DEMO_PASSWORD") or "demo",
                report=(lambda line: self.stdout.write(line)) if verbose else None,
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        if verbose:
            counts = ", ".join(f"{number:,} {what}" for what, number in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Added set {result.run} in {result.seconds:.1f} s: {counts}."))
            for role, names in result.usernames.items():
                self.stdout.write(f"  {role}: {names[0]} … ({len(names)})")
