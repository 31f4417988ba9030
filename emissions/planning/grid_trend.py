"""The grid factor's trend: how fast the electricity the plants buy gets cleaner.

China publishes its grid factors a year or two late and publishes no projection. The forecast
therefore extends the published series the organisation reports with (organisation profile,
"electricity series": MEE–NBS annual factors or the carbon-market factor) at its compound
yearly change between its first and its latest published national value, e.g. MEE–NBS 2021
0.5568 → 2023 0.5306 kg/kWh: (0.5306 / 0.5568)^(1/2) − 1 = −2.4 % a year. A scenario may set
another rate (planning.models.Scenario.grid_change_pct).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor

GRID_GROUP = "grid_electricity"
NATIONAL = "CN"
PCT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class GridTrend:
    """A yearly change of the grid factor (%), and where it comes from."""

    change_pct: Decimal
    series: str = ""
    first_year: int | None = None
    first_kg_per_kwh: Decimal | None = None
    last_year: int | None = None
    last_kg_per_kwh: Decimal | None = None

    @property
    def is_published(self) -> bool:
        """Derived from the published factors (False: a scenario's own rate, or none found)."""
        return self.first_year is not None

    def multiplier(self, years_after: int) -> Decimal:
        """The factor `years_after` the base year, as a multiple of the base year's."""
        return (1 + self.change_pct / 100) ** years_after


def published_grid_trend(organisation: Organisation | None) -> GridTrend:
    """The compound yearly change of the organisation's national grid-factor series; 0 % when
    fewer than two years are published (nothing to extend)."""
    series = organisation.electricity_series if organisation else ""
    rows = (
        EmissionFactor.objects.filter(group=GRID_GROUP, series=series, region=NATIONAL)
        .order_by("year", "pk")
        .values_list("year", "co2e_kg", "co2_kg")
    )
    # The latest loaded factor of each year (a corrected release replaces an earlier one).
    by_year = {year: co2e if co2e is not None else co2 for year, co2e, co2 in rows}
    by_year = {year: kg for year, kg in by_year.items() if kg}
    if len(by_year) < 2:
        return GridTrend(change_pct=Decimal(0), series=series)
    first, last = min(by_year), max(by_year)
    ratio = by_year[last] / by_year[first]
    change = (ratio ** (Decimal(1) / (last - first)) - 1) * 100
    return GridTrend(
        change_pct=change.quantize(PCT_PLACES, rounding=ROUND_HALF_UP),
        series=series,
        first_year=first,
        first_kg_per_kwh=by_year[first],
        last_year=last,
        last_kg_per_kwh=by_year[last],
    )
