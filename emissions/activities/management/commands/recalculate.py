import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from emissions.activities.recalculation import (
    recalculate_co2e,
    recalculate_factor_records,
    reselect_factors,
)
from emissions.factors.models import EmissionFactor


class Command(BaseCommand):
    help = (
        "Recalculate stored emissions, set-based: per-gas kg from each factor's current values, "
        "then CO2e with the organisation's GWP basis. --reselect also re-chooses every record's "
        "factor (needed after adding factors or changing the factor series)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--factor", action="append", default=[], help="factor key (repeatable)")
        parser.add_argument("--reselect", action="store_true", help="choose factors again")

    def handle(self, *args, factor, reselect, **options):
        started = time.perf_counter()
        factors = EmissionFactor.objects.all()
        if factor:
            factors = factors.filter(key__in=factor)
            unknown = set(factor) - set(factors.values_list("key", flat=True))
            if unknown:
                raise CommandError(f"Unknown factor keys: {', '.join(sorted(unknown))}")
        if reselect:
            try:
                changed = reselect_factors()
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(f"Re-selected factors: {changed} records changed factor.")
        ids = list(factors.values_list("pk", flat=True))
        rows = recalculate_factor_records(ids)
        if not factor:
            rows = recalculate_co2e()
        seconds = time.perf_counter() - started
        self.stdout.write(f"Recalculated {rows} records in {seconds:.1f} s.")
