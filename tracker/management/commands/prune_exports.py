"""Remove export jobs past EXPORT_KEEP_HOURS, with their files (run from cron or a systemd timer;
each finished job also prunes)."""
from django.core.management.base import BaseCommand

from tracker import export_jobs


class Command(BaseCommand):
    help = "Remove export jobs, and their files, kept longer than EXPORT_KEEP_HOURS."

    def handle(self, *args, **options) -> None:
        removed = export_jobs.prune()
        self.stdout.write(f"Removed {removed} export job(s).")
