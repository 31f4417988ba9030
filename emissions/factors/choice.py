"""The emission-factor choice rule (docs/methodology.md, "Factor selection"), written once.

Records (activities.calculation) and market-based Scope 2's residual mix
(neutrality.scope2) both choose a factor by it, so the two cannot drift apart. The functions
take plain values and factor objects (anything with region, year, unit, pk and
dataset.is_shipped) and never read the database: loading the candidates is the caller's job.

1. Region: the first of the levels (province → regional grid → country → GLOBAL → the
   activity type's proxy region) with a candidate.
2. Year within it: the year itself ("exact"), else the latest earlier year ("lagged"), else
   the earliest later year ("proxy").
3. Tie-break: the fewest unit conversions, then the organisation's own datasets over shipped
   ones, then the newest entry.

The region comes first and never depends on the unit typed: within the chosen region only
factors whose unit the quantity's unit converts to take part (`unit_converts`, through the
fuel's density and calorific values where needed); when none does the record is refused
(`NoFactorInUnit`) rather than given another region's factor.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from .units import ENERGY, MASS, can_convert, parse_unit

if TYPE_CHECKING:
    from .models import EmissionFactor

GLOBAL_REGION = "GLOBAL"


# Stored on activity records (activities.models): the values must never change.
class YearMatch(models.TextChoices):
    EXACT = "exact", _("Same year")
    LAGGED = "lagged", _("Lagged: latest earlier year")
    PROXY = "proxy", _("Proxy: earliest later year")


class RegionMatch(models.TextChoices):
    PROVINCE = "province", _("Province")
    GRID = "grid", _("Regional grid")
    COUNTRY = "country", _("Country")
    GLOBAL = "global", _("Global default")
    PROXY = "proxy", _("Proxy region")
    SUPPLIER = "supplier", _("Supplier's own data")


@dataclass(frozen=True)
class FactorChoice:
    factor: "EmissionFactor"
    region_match: str
    year_match: str


def region_levels(
    *, province: str, grid_region: str, country: str, proxy_region: str = ""
) -> list[tuple[str, str]]:
    """List (level, region code) from the most specific, leaving out blank codes."""
    levels = [
        (RegionMatch.PROVINCE, province),
        (RegionMatch.GRID, grid_region),
        (RegionMatch.COUNTRY, country),
        (RegionMatch.GLOBAL, GLOBAL_REGION),
        (RegionMatch.PROXY, proxy_region),
    ]
    return [(level, code) for level, code in levels if code]


class NoFactorInUnit(Exception):
    """The chosen region has factors, but none in a unit the quantity converts to."""

    def __init__(self, factors: Sequence["EmissionFactor"], region_match: str):
        super().__init__(region_match)
        self.factors = list(factors)
        self.region_match = region_match


def unit_converts(
    unit: str,
    factor: "EmissionFactor",
    *,
    density_kg_per_l: Decimal | None = None,
    ncv_gj_per_t: Decimal | None = None,
    ncv_gj_per_m3: Decimal | None = None,
) -> bool:
    """Say whether a quantity in `unit` converts to the factor's unit (with the fuel's data)."""
    return can_convert(
        unit,
        factor.unit,
        density_kg_per_l=density_kg_per_l,
        ncv_gj_per_t=ncv_gj_per_t,
        ncv_gj_per_m3=ncv_gj_per_m3,
    )


def choose(
    factors: Iterable["EmissionFactor"],
    levels: Sequence[tuple[str, str]],
    year: int,
    unit: str,
    *,
    converts: Callable[["EmissionFactor"], bool] | None = None,
) -> FactorChoice | None:
    """Choose the first region with a factor, then among its factors; None when no level has one.

    With `converts`, only the region's factors it accepts take part, and a region with factors
    but none accepted raises NoFactorInUnit: the unit never moves the choice to another region.
    """
    factors = list(factors)
    for level, region in levels:
        here = [factor for factor in factors if factor.region == region]
        if not here:
            continue
        if converts is not None:
            usable = [factor for factor in here if converts(factor)]
            if not usable:
                raise NoFactorInUnit(here, level)
            here = usable
        return pick_year(here, year, level, unit)
    return None


def pick_year(
    factors: Sequence["EmissionFactor"], year: int, level: str, unit: str
) -> FactorChoice:
    """Choose among one region's factors by year, then by the tie-break."""
    same = [f for f in factors if f.year == year]
    earlier = [f for f in factors if f.year < year]
    if same:
        match, pool = YearMatch.EXACT, same
    elif earlier:
        latest = max(f.year for f in earlier)
        match, pool = YearMatch.LAGGED, [f for f in earlier if f.year == latest]
    else:
        earliest = min(f.year for f in factors)
        match, pool = YearMatch.PROXY, [f for f in factors if f.year == earliest]
    return FactorChoice(max(pool, key=_preference(unit)), level, match)


def _preference(unit: str):
    # Fewest conversions first: the quantity's own dimension, then per mass, then per energy
    # (each step needs a density or a calorific value); then the organisation's own factors
    # over shipped ones; then the newest entry.
    steps = [parse_unit(unit).dimensionality, MASS, ENERGY]

    def preference(factor):
        dimension = parse_unit(factor.unit).dimensionality
        distance = steps.index(dimension) if dimension in steps else len(steps)
        return (-distance, not factor.dataset.is_shipped, factor.pk)

    return preference
