import datetime

from django.core.management.base import BaseCommand

from tracker.notifications import due_reminders


class Command(BaseCommand):
    help = (
        "E-mails the officials who still owe progress updates in open reporting cycles: once when a "
        "cycle's due date is near, then weekly once it is overdue. Safe to run as often as you like "
        "(e.g. daily from cron): nothing is sent twice on one day."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="pretend today is YYYY-MM-DD")

    def handle(self, *args, today=None, **options) -> None:
        results = due_reminders(today)
        if not results:
            self.stdout.write("No open cycle is due soon or overdue; nothing sent.")
        for cycle, sent in results.items():
            self.stdout.write(f"{cycle}: {sent} reminder(s) sent.")
