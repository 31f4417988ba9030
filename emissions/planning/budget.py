"""The offsets budget: the credits a forecast's residual needs each year, and what they cost.

For a neutral year every tonne of the residual is covered by a retired credit. The removals
share rises in a straight line from the scenario's first-year share to its share in the
neutrality year (ISO 14068-1 expects counterbalancing to move to removals), and stays there
after. Credits the organisation already holds (unretired batches, by kind) are used first,
oldest years first; the rest is bought at the scenario's price in that year:
price × (1 + change)^(years after the first forecast year). Without a scenario the shares are
0 % → 100 % and no price is known, so no cost is shown.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from emissions.neutrality.gap import credits_held
from emissions.neutrality.inventory import KG_PER_TONNE
from emissions.offsets.models import CreditKind

from .forecast import MONEY, Forecast

ZERO = Decimal(0)
TONNES = Decimal("0.001")
DEFAULT_REMOVALS_START_PCT = Decimal(0)
DEFAULT_REMOVALS_END_PCT = Decimal(100)


@dataclass(frozen=True)
class BudgetYear:
    year: int
    needed_t: Decimal
    removals_share_pct: Decimal
    removals_t: Decimal
    avoidance_t: Decimal
    held_removals_used_t: Decimal
    held_avoidance_used_t: Decimal
    removal_price: Decimal | None
    avoidance_price: Decimal | None

    @property
    def buy_removals_t(self) -> Decimal:
        return self.removals_t - self.held_removals_used_t

    @property
    def buy_avoidance_t(self) -> Decimal:
        return self.avoidance_t - self.held_avoidance_used_t

    @property
    def cost(self) -> Decimal | None:
        if self.removal_price is None or self.avoidance_price is None:
            return None
        cost = self.buy_removals_t * self.removal_price
        cost += self.buy_avoidance_t * self.avoidance_price
        return cost.quantize(MONEY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OffsetsBudget:
    held_removals_t: Decimal
    held_avoidance_t: Decimal
    years: tuple[BudgetYear, ...]
    currency: str

    @property
    def needed_t(self) -> Decimal:
        return sum((year.needed_t for year in self.years), ZERO)

    @property
    def cost(self) -> Decimal | None:
        costs = [year.cost for year in self.years]
        return None if None in costs else sum(costs, ZERO)

    @property
    def from_held_t(self) -> Decimal:
        return self.needed_t - self.to_buy_t

    @property
    def to_buy_t(self) -> Decimal:
        return sum((year.buy_removals_t + year.buy_avoidance_t for year in self.years), ZERO)


def offsets_budget(forecast: Forecast, *, held: tuple[Decimal, Decimal] | None = None):
    """The budget for every projected year of `forecast`. `held` = (removals, avoidance) t
    held; read from the unretired batches when not given."""
    scenario = forecast.scenario
    if held is None:
        held = _held()
    removals_left, avoidance_left = held
    projected = forecast.projected
    years = []
    for row in projected:
        needed = (row.residual_kg / KG_PER_TONNE).quantize(TONNES, rounding=ROUND_HALF_UP)
        share = _removals_share(forecast, row.year)
        removals = (needed * share / 100).quantize(TONNES, rounding=ROUND_HALF_UP)
        avoidance = needed - removals
        used_removals, used_avoidance = min(removals, removals_left), min(avoidance, avoidance_left)
        removals_left -= used_removals
        avoidance_left -= used_avoidance
        years.append(
            BudgetYear(
                year=row.year,
                needed_t=needed,
                removals_share_pct=share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
                removals_t=removals,
                avoidance_t=avoidance,
                held_removals_used_t=used_removals,
                held_avoidance_used_t=used_avoidance,
                removal_price=_price(scenario, "removal_price", row.year, forecast),
                avoidance_price=_price(scenario, "avoidance_price", row.year, forecast),
            )
        )
    return OffsetsBudget(
        held_removals_t=held[0],
        held_avoidance_t=held[1],
        years=tuple(years),
        currency=scenario.currency if scenario else "",
    )


def _held() -> tuple[Decimal, Decimal]:
    today = timezone.localdate()
    by_kind = {kind.kind: kind for kind in credits_held(today.year, today)}

    def remaining(kind: str) -> Decimal:
        credits = by_kind.get(kind)
        return credits.available_t + credits.excluded_t if credits else ZERO

    return remaining(CreditKind.REMOVAL), remaining(CreditKind.AVOIDANCE)


def _removals_share(forecast: Forecast, year: int) -> Decimal:
    scenario = forecast.scenario
    start = Decimal(scenario.removals_share_start_pct) if scenario else DEFAULT_REMOVALS_START_PCT
    end = Decimal(scenario.removals_share_end_pct) if scenario else DEFAULT_REMOVALS_END_PCT
    first, last = forecast.base_year + 1, forecast.end_year
    if year >= last or last == first:
        return end
    return start + (end - start) * Decimal(year - first) / Decimal(last - first)


def _price(scenario, name: str, year: int, forecast: Forecast) -> Decimal | None:
    if scenario is None:
        return None
    # Decimal(): a scenario built in code may still hold the ints it was given.
    change = (1 + Decimal(scenario.price_change_pct) / 100) ** (year - forecast.base_year - 1)
    return (Decimal(getattr(scenario, name)) * change).quantize(MONEY, rounding=ROUND_HALF_UP)
