from django.core.management.base import BaseCommand

from emissions.facilities.demo import load_demo_organisation


class Command(BaseCommand):
    help = "Load the Xingtai Kehui demo data (safe to run again: existing rows are kept)."

    def handle(self, *args, **options):
        created, kept = load_demo_organisation()
        self.stdout.write(f"Demo facilities: {created} created, {kept} already present.")
