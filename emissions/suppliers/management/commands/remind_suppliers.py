"""E-mail a reminder for each open supplier data request whose link expires soon.

Run it daily (cron, a systemd timer or docker-compose's scheduler of choice;
docs/operations.md): each request is reminded once, however often it runs.
"""

from django.core.management.base import BaseCommand

from emissions.suppliers.services import remind_due


class Command(BaseCommand):
    help = "E-mail suppliers whose data-request link expires within SUPPLIER_REMINDER_DAYS."

    def handle(self, *args, **options):
        sent = remind_due()
        self.stdout.write(f"Reminders sent: {sent}")
