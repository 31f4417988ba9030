from django.core.management.base import BaseCommand, CommandError

from emissions.activities.catalogue import load_activity_types
from emissions.factors.models import Gas


class Command(BaseCommand):
    help = "Load the shipped activity types (run load_factors first; safe to re-run)."

    def handle(self, *args, **options):
        if not Gas.objects.exists():
            raise CommandError("No gases yet: run 'python manage.py load_factors' first.")
        created, updated = load_activity_types()
        self.stdout.write(f"Activity types: {created} created, {updated} refreshed.")
