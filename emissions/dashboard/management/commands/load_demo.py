from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from emissions.activities.demo import load_demo_activity
from emissions.activities.models import ActivityType
from emissions.evidence.demo import load_demo_evidence
from emissions.facilities.demo import load_demo_organisation, load_demo_outputs
from emissions.neutrality.demo import load_demo_targets
from emissions.offsets.demo import load_demo_instruments
from emissions.planning.demo import load_demo_scenarios, load_demo_streams
from emissions.products.demo import load_demo_products
from emissions.suppliers.demo import load_demo_suppliers

from .create_demo_superuser import DEMO_USERNAME

LIBRARY_MISSING = "Run 'python manage.py load_factors' and 'load_activity_types' first."


class Command(BaseCommand):
    help = (
        "Load the Xingtai Kehui demo data: organisation, facilities and 2019–2025 monthly "
        "activity records, sample evidence files, credits, certificates, allowances, tree "
        "planting, targets and initiatives, forecast scenarios, suppliers, products and "
        "production (safe to run again: existing rows are kept)."
    )

    def handle(self, *args, **options):
        created, kept = load_demo_organisation()
        self.stdout.write(f"Demo facilities: {created} created, {kept} already present.")
        self.stdout.write(f"Demo production figures: {load_demo_outputs()} created.")
        if not ActivityType.objects.exists():
            raise CommandError(LIBRARY_MISSING)
        try:
            created, kept = load_demo_activity()
        except ValidationError as error:
            raise CommandError(f"{LIBRARY_MISSING} ({' '.join(error.messages)})") from error
        self.stdout.write(f"Demo activity records: {created} created, {kept} already present.")
        self._evidence_and_streams()
        self.stdout.write(f"Demo instruments: {load_demo_instruments()} created.")
        self.stdout.write(f"Demo targets and initiatives: {load_demo_targets()} created.")
        self.stdout.write(f"Demo forecast scenarios: {load_demo_scenarios()} created.")
        self.stdout.write(f"Demo suppliers: {load_demo_suppliers()} created.")
        self.stdout.write(f"Demo products and production: {load_demo_products()} created.")

    def _evidence_and_streams(self) -> None:
        # An evidence file has an uploader, an expected stream an owner: the demo administrator
        # (create_demo_superuser), else the first superuser; without one, they wait for the
        # next run.
        superusers = get_user_model().objects.filter(is_superuser=True, is_active=True)
        uploader = (
            superusers.filter(username=DEMO_USERNAME).first() or superusers.order_by("pk").first()
        )
        if uploader is None:
            self.stdout.write(
                "Demo evidence files and expected streams: not made, no superuser yet (run "
                "create_demo_superuser, then load_demo again)."
            )
            return
        self.stdout.write(f"Demo expected data streams: {load_demo_streams(uploader)} created.")
        result = load_demo_evidence(user=uploader)
        self.stdout.write(
            f"Demo evidence files: {result.attached} attached, {result.kept} already present."
        )
        for reason in result.skipped:
            self.stderr.write(f"Demo evidence file not attached: {reason}")
