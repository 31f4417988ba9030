"""The forecast to the neutrality year: business as usual, the reduction wedges, the residual.

From the latest complete year (the year the overview opens on, approved and pending records,
within the neutrality target's boundary) every facility is projected to the target year:

- business as usual (BAU): the base year's emissions, kept in the same fuel mix, grow with the
  facility's output plan (its FacilityOutput rows for later years: production, else revenue,
  else headcount; a year without a row keeps the latest planned value; no plan: flat; nothing
  after the year it closes). Its grid electricity also follows the grid factor's trend
  (grid_trend.py): electricity_kg × growth × (1 + trend)^(years after the base year).
- wedges: each counted reduction initiative abates its expected tonnes a year for the share of
  each year's days on or after its start date, less the share already in the base year (an
  initiative started before is in the actuals); a scenario's measures abate from their first
  year (solar and certificates at the facility's grid kg per kWh, following the grid trend,
  never more than the grid electricity left to cover). Initiatives keep working after their
  lifetime (replaced like for like): the lifetime spreads their cost only.
- residual = BAU − wedges (not below zero): what credits must cover for a neutral year.

Every number comes from the inventory read model (inventory.yearly_balance, facility_years);
nothing here sums records. The worked example is in docs/methodology.md, "Forecast".
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from emissions.facilities.models import Facility, FacilityOutput, Organisation, OutputMetric
from emissions.factors.calculation import round_kg
from emissions.factors.taxonomy import Category
from emissions.neutrality.inventory import (
    KG_PER_TONNE,
    YearBalance,
    facility_years,
    latest_complete_year,
    neutrality_target,
    pathway_kg,
    target_base_kg,
    yearly_balance,
)
from emissions.neutrality.models import (
    InitiativeKind,
    InitiativeStatus,
    ReductionInitiative,
    Scope2Method,
    Target,
    TargetKind,
)

from .grid_trend import GridTrend, published_grid_trend
from .models import MeasureKind, Scenario, ScenarioMeasure

ZERO = Decimal(0)
KWH_PER_MWH = Decimal(1000)
MONEY = Decimal("0.01")
# Without a neutrality target the forecast still looks this far ahead.
YEARS_WITHOUT_TARGET = 10
# Output metrics in the order a facility's growth is read from.
GROWTH_METRICS = [OutputMetric.PRODUCTION, OutputMetric.REVENUE, OutputMetric.HEADCOUNT]
COMMITTED = [InitiativeStatus.PLANNED, InitiativeStatus.IN_PROGRESS, InitiativeStatus.DONE]
# Scope 2 categories that are not grid electricity: no grid trend for them.
NOT_ELECTRICITY = [Category.PURCHASED_HEAT, Category.PURCHASED_STEAM, Category.PURCHASED_COOLING]
# The wedge a scenario measure joins.
MEASURE_WEDGE = {
    MeasureKind.ROOFTOP_SOLAR: InitiativeKind.ROOFTOP_SOLAR,
    MeasureKind.CERTIFICATES: InitiativeKind.GREEN_POWER,
    MeasureKind.ABATEMENT: InitiativeKind.OTHER,
}


@dataclass(frozen=True)
class FacilityBase:
    """One facility's base year, split the way it is projected."""

    facility_id: int
    code: str
    # Grid electricity within the boundary (its Scope 2 method): follows the grid trend.
    electricity_kg: Decimal
    # Everything else within the boundary (Scope 1, heat and steam, Scope 3): output only.
    other_kg: Decimal
    grid_kwh: Decimal
    # year → output as a multiple of the base year's (years without a plan are absent: 1).
    growth: dict[int, Decimal]
    growth_metric: str  # "" without a base-year output
    last_year: int | None  # the last year it runs (its closing date), None while open

    def growth_in(self, year: int) -> Decimal:
        if self.last_year is not None and year > self.last_year:
            return ZERO
        return self.growth.get(year, Decimal(1))

    def bau_kg(self, year: int, base_year: int, grid: GridTrend) -> Decimal:
        growth = self.growth_in(year)
        electricity = self.electricity_kg * grid.multiplier(year - base_year)
        return (self.other_kg + electricity) * growth

    def grid_kwh_in(self, year: int) -> Decimal:
        return self.grid_kwh * self.growth_in(year)

    @property
    def kg_per_kwh(self) -> Decimal | None:
        """What its grid electricity emitted per kWh in the base year (boundary's method)."""
        return self.electricity_kg / self.grid_kwh if self.grid_kwh else None


@dataclass(frozen=True)
class Lever:
    """A reduction initiative or a scenario measure, as the forecast counts it."""

    key: str  # "initiative-12", "measure-3"
    title: str
    wedge: str  # an InitiativeKind value: the wedge it is drawn in
    facility_code: str
    first_year: int | None
    abatement_kg: dict[int, Decimal]  # forecast year → kg it abates in that year
    # Capital spread over the lifetime, plus running cost, less saving: per full year.
    yearly_cost: Decimal
    currency: str
    note: str = ""

    @property
    def wedge_label(self) -> str:
        return InitiativeKind(self.wedge).label

    @property
    def full_year_kg(self) -> Decimal:
        """Its abatement in its best year (a full year of work)."""
        return max(self.abatement_kg.values(), default=ZERO)

    @property
    def cost_per_t(self) -> Decimal | None:
        """Marginal abatement cost: yearly cost per tonne abated in a full year."""
        if not self.full_year_kg:
            return None
        per_t = self.yearly_cost / (self.full_year_kg / KG_PER_TONNE)
        return per_t.quantize(MONEY, rounding=ROUND_HALF_UP)

    def cost_in(self, year: int) -> Decimal:
        """Its cost in a year: the yearly cost for the share of the year it works."""
        if not self.full_year_kg:
            return ZERO
        share = self.abatement_kg.get(year, ZERO) / self.full_year_kg
        return (self.yearly_cost * share).quantize(MONEY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Skipped:
    """An initiative the forecast does not count, and why."""

    title: str
    reason: str


@dataclass(frozen=True)
class ForecastYear:
    year: int
    is_actual: bool  # the base year: the inventory's figure, not a projection
    bau_kg: Decimal
    wedges_kg: dict[str, Decimal]  # wedge (InitiativeKind value) → kg abated
    residual_kg: Decimal
    pathway_kg: Decimal | None
    cost: Decimal  # the levers' cost in the year

    @property
    def abated_kg(self) -> Decimal:
        return sum(self.wedges_kg.values(), ZERO)

    @property
    def over_pathway_kg(self) -> Decimal | None:
        """Residual above the target pathway (negative: below it)."""
        return None if self.pathway_kg is None else self.residual_kg - self.pathway_kg


@dataclass(frozen=True)
class Forecast:
    base_year: int
    end_year: int
    target: Target | None
    grid: GridTrend
    scenario: Scenario | None
    facilities: tuple[FacilityBase, ...]
    levers: tuple[Lever, ...]
    skipped: tuple[Skipped, ...]
    years: tuple[ForecastYear, ...]
    base_balance: YearBalance = field(repr=False)

    @property
    def wedges(self) -> list[str]:
        """The wedges with any abatement, in the order of InitiativeKind."""
        used = {wedge for year in self.years for wedge, kg in year.wedges_kg.items() if kg}
        return [kind.value for kind in InitiativeKind if kind.value in used]

    @property
    def projected(self) -> tuple[ForecastYear, ...]:
        return tuple(year for year in self.years if not year.is_actual)

    def year(self, year: int) -> ForecastYear | None:
        return next((row for row in self.years if row.year == year), None)

    @property
    def target_year_row(self) -> ForecastYear | None:
        return self.year(self.end_year) if self.target else None

    @property
    def last_residual_kg(self) -> Decimal:
        return self.years[-1].residual_kg

    @property
    def reduction_vs_base_pct(self) -> Decimal | None:
        """The residual in the last year against the base year's actual emissions."""
        base, last = self.years[0].bau_kg, self.years[-1].residual_kg
        if not base:
            return None
        return ((last - base) / base * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def meets_pathway(self) -> bool | None:
        """Whether the residual is on or below the pathway in the target year (None without
        one). A carbon-neutrality pathway ends at zero net: reached with credits, see the
        offsets budget."""
        row = self.target_year_row
        if row is None or row.pathway_kg is None:
            return None
        return row.residual_kg <= row.pathway_kg

    @property
    def levers_cost(self) -> Decimal:
        return sum((year.cost for year in self.projected), ZERO)


def build_forecast(scenario: Scenario | None = None, *, today: dt.date | None = None):
    """The forecast under a scenario (None: the published trend, the output plans and the
    committed initiatives). None without an organisation or a complete year."""
    organisation = Organisation.current()
    base_year = latest_complete_year(today=today)
    if organisation is None or base_year is None:
        return None
    target = neutrality_target()
    # The base year, and the target's base year for its pathway: one read.
    wanted = {base_year} | ({target.base_year} if target else set())
    balances = yearly_balance(sorted(wanted))
    base = next((balance for balance in balances if balance.year == base_year), None)
    if base is None:
        return None
    end_year = (
        max(target.target_year, base_year + 1) if target else base_year + YEARS_WITHOUT_TARGET
    )
    years = range(base_year, end_year + 1)
    grid = _grid_trend(scenario, organisation)
    facilities = _facility_bases(base, years)
    initiatives, skipped = _initiative_levers(base_year, years, scenario)
    measures = _measure_levers(scenario, facilities, base, years, grid)
    levers = initiatives + measures
    pathway = _pathway(target, balances, years)
    rows = [
        _year(year, base, facilities, levers, grid, pathway.get(year), base_year) for year in years
    ]
    return Forecast(
        base_year=base_year,
        end_year=end_year,
        target=target,
        grid=grid,
        scenario=scenario,
        facilities=tuple(facilities),
        levers=tuple(levers),
        skipped=tuple(skipped),
        years=tuple(rows),
        base_balance=base,
    )


def _grid_trend(scenario: Scenario | None, organisation: Organisation) -> GridTrend:
    if scenario is not None and scenario.grid_change_pct is not None:
        return GridTrend(change_pct=Decimal(scenario.grid_change_pct))
    return published_grid_trend(organisation)


def _year(year, base, facilities, levers, grid, pathway, base_year) -> ForecastYear:
    if year == base_year:
        # The inventory's own figure: the overview's gross for the year, to the kilogram.
        return ForecastYear(year, True, base.gross_kg, {}, base.gross_kg, pathway, ZERO)
    bau = round_kg(sum((f.bau_kg(year, base_year, grid) for f in facilities), ZERO))
    wedges = defaultdict(lambda: ZERO)
    for lever in levers:
        if kg := lever.abatement_kg.get(year):
            wedges[lever.wedge] += kg
    wedges = {wedge: round_kg(kg) for wedge, kg in wedges.items()}
    residual = max(bau - sum(wedges.values(), ZERO), ZERO)
    cost = sum((lever.cost_in(year) for lever in levers), ZERO)
    return ForecastYear(year, False, bau, wedges, residual, pathway, cost)


def _pathway(target: Target | None, balances: list[YearBalance], years) -> dict[int, Decimal]:
    if target is None or target.kind == TargetKind.RENEWABLE_SHARE:
        return {}
    base_kg = target_base_kg(target, balances)
    if base_kg is None:
        return {}
    return {year: kg for year in years if (kg := pathway_kg(target, base_kg, year)) is not None}


def _facility_bases(base: YearBalance, years) -> list[FacilityBase]:
    rows = facility_years(years=[base.year], balances=[base])
    facilities = {
        f.pk: f for f in Facility.objects.filter(pk__in=[row.facility_id for row in rows])
    }
    growth = _growth(base.year, list(facilities), years)
    bases = []
    for row in rows:
        facility = facilities[row.facility_id]
        not_electricity = sum((row.kg_by_category.get(c, ZERO) for c in NOT_ELECTRICITY), ZERO)
        electricity = row.boundary_scope2_kg - not_electricity if row.boundary_scope2_kg else ZERO
        metric, ratios = growth.get(facility.pk, ("", {}))
        closed = facility.closed_on
        bases.append(
            FacilityBase(
                facility_id=facility.pk,
                code=facility.code,
                electricity_kg=electricity,
                other_kg=row.gross_kg - electricity,
                grid_kwh=row.electricity_kwh - row.onsite_renewable_kwh,
                growth=ratios,
                growth_metric=metric,
                # A facility closed on 31 December still ran that year.
                last_year=None if closed is None else (closed + dt.timedelta(days=1)).year - 1,
            )
        )
    return bases


def _growth(base_year: int, facility_ids: list[int], years) -> dict[int, tuple[str, dict]]:
    """facility → (metric, {year: output ÷ base-year output}) from the output plans; one query.

    A year without a row keeps the latest earlier value (a plan of 2027 holds until the next).
    """
    outputs = defaultdict(dict)
    rows = FacilityOutput.objects.filter(
        facility_id__in=facility_ids, year__gte=base_year, year__lte=max(years)
    ).values_list("facility_id", "metric", "year", "value")
    for facility_id, metric, year, value in rows:
        outputs[facility_id, metric][year] = value
    growth = {}
    for facility_id in facility_ids:
        metric = next(
            (m for m in GROWTH_METRICS if base_year in outputs.get((facility_id, m), {})), None
        )
        if metric is None:
            continue
        values = outputs[facility_id, metric]
        ratios, latest = {}, values[base_year]
        for year in years:
            latest = values.get(year, latest)
            ratios[year] = latest / values[base_year]
        growth[facility_id] = (str(metric), ratios)
    return growth


def year_share_from(start: dt.date, year: int) -> Decimal:
    """The share of `year`'s days on or after `start` (0 before it, 1 after)."""
    if start.year < year:
        return Decimal(1)
    if start.year > year:
        return ZERO
    days = 366 if calendar.isleap(year) else 365
    return Decimal((dt.date(year, 12, 31) - start).days + 1) / days


def _initiative_levers(base_year, years, scenario) -> tuple[list[Lever], list[Skipped]]:
    statuses = COMMITTED + ([InitiativeStatus.IDEA] if scenario and scenario.include_ideas else [])
    levers, skipped = [], []
    for initiative in ReductionInitiative.objects.select_related("facility").order_by("pk"):
        if initiative.status not in statuses:
            skipped.append(Skipped(initiative.local_title, str(_("an idea, not yet committed"))))
            continue
        if initiative.start_date is None:
            skipped.append(Skipped(initiative.local_title, str(_("no start date"))))
            continue
        already = year_share_from(initiative.start_date, base_year)
        if already == 1:
            skipped.append(Skipped(initiative.local_title, str(_("in the base year's actuals"))))
            continue
        kg_a_year = initiative.expected_abatement_t_per_year * KG_PER_TONNE
        abatement = {
            year: kg_a_year * (year_share_from(initiative.start_date, year) - already)
            for year in years
            if year > base_year
        }
        levers.append(
            Lever(
                key=f"initiative-{initiative.pk}",
                title=initiative.local_title,
                wedge=initiative.kind,
                facility_code=initiative.facility.code if initiative.facility else "",
                first_year=initiative.start_date.year,
                abatement_kg={year: kg for year, kg in abatement.items() if kg},
                yearly_cost=initiative.capex / initiative.lifetime_years - initiative.annual_saving,
                currency=initiative.currency,
            )
        )
    return levers, skipped


def _measure_levers(scenario, facilities, base: YearBalance, years, grid) -> list[Lever]:
    if scenario is None:
        return []
    by_id = {f.facility_id: f for f in facilities}
    # Grid kWh still to cover, per (facility or None for the organisation, year).
    left = {}
    levers = []
    measures = ScenarioMeasure.objects.filter(scenario=scenario).select_related("facility")
    for measure in measures.order_by("start_year", "pk"):
        electricity = measure.kind != MeasureKind.ABATEMENT
        scope, note = (
            _electricity_replaced(measure, by_id, facilities, base) if electricity else ([], "")
        )
        # The base year's kg per kWh of the grid electricity replaced (trended each year).
        electricity_kg = sum((f.electricity_kg for f in scope), ZERO)
        grid_kwh = sum((f.grid_kwh for f in scope), ZERO)
        abatement = {}
        for year in years:
            if year <= base.year or year < measure.start_year:
                continue
            if not electricity:
                abatement[year] = measure.amount * KG_PER_TONNE
                continue
            if not grid_kwh:
                continue
            key = (measure.facility_id, year)
            if key not in left:
                left[key] = sum((f.grid_kwh_in(year) for f in scope), ZERO)
            # Never more than the grid electricity its BAU still buys after earlier measures.
            kwh = min(_kwh_a_year(measure), left[key])
            left[key] -= kwh
            abatement[year] = kwh * electricity_kg / grid_kwh * grid.multiplier(year - base.year)
        levers.append(
            Lever(
                key=f"measure-{measure.pk}",
                title=measure.local_title,
                wedge=MEASURE_WEDGE[MeasureKind(measure.kind)],
                facility_code=measure.facility.code if measure.facility else "",
                first_year=measure.start_year,
                abatement_kg={year: kg for year, kg in abatement.items() if kg},
                yearly_cost=measure.capex / measure.lifetime_years + measure.annual_cost,
                currency=scenario.currency,
                note=note,
            )
        )
    return levers


def _market_based(base: YearBalance) -> bool:
    return base.boundary.scope2_method == Scope2Method.MARKET


def _electricity_replaced(measure, by_id, facilities, base) -> tuple[list[FacilityBase], str]:
    """The facilities whose grid electricity a solar or certificate measure replaces (its own,
    or every one without a facility); none, with the reason, when it replaces nothing."""
    if measure.kind == MeasureKind.CERTIFICATES and not _market_based(base):
        return [], str(_("certificates change market-based Scope 2 only"))
    if measure.facility_id is None:
        return facilities, ""
    if measure.facility_id not in by_id:
        return [], str(_("the facility has no records in the base year: no electricity to replace"))
    return [by_id[measure.facility_id]], ""


def _kwh_a_year(measure) -> Decimal:
    """Solar: MW × full-load hours; certificates: MWh a year; in kWh."""
    if measure.kind == MeasureKind.ROOFTOP_SOLAR:
        return measure.amount * measure.full_load_hours * KWH_PER_MWH
    return measure.amount * KWH_PER_MWH
