from django.core.management.base import BaseCommand

from emissions.factors.loading import load_shipped_factors


class Command(BaseCommand):
    help = "Load the shipped gases/GWPs, factor datasets and emission factors (safe to re-run)."

    def handle(self, *args, **options):
        report = load_shipped_factors()
        self.stdout.write(
            f"Gases: {report.gases}. Datasets: {report.datasets}. Factors: {report.created} "
            f"created, {report.updated} updated, {report.unchanged} unchanged."
        )
        if report.changed_factor_ids or report.changed_gas_codes:
            # Saving a changed factor or GWP recalculates the records that use it (see the
            # receivers in emissions/activities/signals.py).
            self.stdout.write(
                f"Changed: {len(report.changed_factor_ids)} factors, "
                f"{len(report.changed_gas_codes)} gases; their records were recalculated."
            )
