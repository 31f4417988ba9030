from django.core.management.base import BaseCommand

from emissions.jobs.export_files import purge_expired


class Command(BaseCommand):
    help = (
        "Delete the export files (and their rows) whose download time is over "
        "(EXPORT_KEEP_HOURS after they were written). Safe to run at any time, e.g. hourly."
    )

    def handle(self, *args, **options):
        purged = purge_expired()
        self.stdout.write(f"Purged {purged} expired export file(s).")
