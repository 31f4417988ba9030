"""The neutrality balance per year, target pathways and the marginal abatement cost curve.

Every figure is aggregated in the database (values().annotate(Sum(...))); Python only combines
the aggregated rows, so yearly_balance runs the same handful of queries for ten records or a
million. kg are rounded half-up to 6 decimals; percentages half-up to 1 decimal.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum

from emissions.activities.rollups import rollup_for
from emissions.facilities.models import Organisation
from emissions.factors.calculation import round_kg
from emissions.factors.taxonomy import scope_of
from emissions.offsets.models import (
    AllowanceTransaction,
    AllowanceTransactionKind,
    CreditKind,
    Retirement,
    RetirementPurpose,
    RetirementReversal,
    TreePlanting,
)

from .models import ReductionInitiative, Scope2Method, Target, TargetKind
from .scope2 import FacilityScope2, calculate_market_scope2

KG_PER_TONNE = Decimal(1000)
PERCENT_PLACES = Decimal("0.1")
ZERO = Decimal(0)
# The target a neutrality balance is measured against, in order of preference.
NEUTRALITY_KINDS = [TargetKind.CARBON_NEUTRALITY, TargetKind.NET_ZERO]


@dataclass(frozen=True)
class YearBalance:
    """One year of the neutrality balance: the same row feeds the table, the chart, the export."""

    year: int
    scope1_kg: Decimal
    scope2_location_kg: Decimal
    scope2_market_kg: Decimal
    scope3_kg_by_category: dict[str, Decimal]
    scope3_kg: Decimal
    # Per the neutrality target's coverage (see _gross_kg).
    gross_kg: Decimal
    credits_removal_kg: Decimal
    credits_avoidance_kg: Decimal
    internal_removals_kg: Decimal
    internal_removals_counted: bool
    net_kg: Decimal
    is_neutral: bool
    base_year: int | None
    base_gross_kg: Decimal | None
    change_vs_base_pct: Decimal | None
    pathway_kg: Decimal | None
    electricity_kwh: Decimal
    renewable_kwh: Decimal
    renewable_share_pct: Decimal | None
    # Compliance only: shown beside the balance, never subtracted from it.
    ets_surrendered_t: Decimal
    # Certificates beyond the electricity consumed (facility and organisation-wide): not counted.
    unused_certificate_kwh: Decimal
    scope2_facilities: tuple[FacilityScope2, ...]
    target: Target | None

    @property
    def credits_kg(self) -> Decimal:
        return self.credits_removal_kg + self.credits_avoidance_kg

    @property
    def scope2_uses_location_fallback(self) -> bool:
        """Whether any facility's market-based figure fell back to its location-based rate."""
        return any(row.uses_location_fallback for row in self.scope2_facilities)


@dataclass(frozen=True)
class _YearInventory:
    """A year's emissions before any target's coverage is applied."""

    kg_by_category: dict[str, Decimal]
    scope2_market_kg: Decimal
    electricity_kwh: Decimal
    renewable_kwh: Decimal
    unused_certificate_kwh: Decimal
    scope2_facilities: tuple[FacilityScope2, ...]

    def scope_kg(self, scope: int) -> Decimal:
        return sum((kg for c, kg in self.kg_by_category.items() if scope_of(c) == scope), ZERO)


def neutrality_target() -> Target | None:
    """The target the balance is measured against: carbon neutrality, else net zero."""
    targets = list(Target.objects.filter(kind__in=NEUTRALITY_KINDS))
    for kind in NEUTRALITY_KINDS:
        of_kind = [target for target in targets if target.kind == kind]
        if of_kind:
            return of_kind[0]  # the earliest target year (the model's ordering)
    return None


def yearly_balance(years=None, *, approved_only=False) -> list[YearBalance]:
    """The neutrality balance of each year with activity data, oldest first.

    With `approved_only`, emissions count approved records only (the inventory report);
    otherwise approved and pending ones (the dashboard). Rejected records never count.
    """
    organisation = Organisation.current()
    if organisation is None:
        return []
    target = neutrality_target()
    base_year = target.base_year if target else organisation.base_year
    wanted = None if years is None else sorted({*years, base_year})
    inventories = _inventories(wanted, organisation, approved_only=approved_only)
    base_gross_kg = _base_gross_kg(target, inventories.get(base_year))

    credits = _credits_kg_by_year_and_kind(wanted)
    planted = _planted_t_per_year_by_planting_year()
    surrendered = _surrendered_t_by_year(wanted)

    balances = []
    for year in sorted(inventories):
        if years is not None and year not in years:
            continue
        inventory = inventories[year]
        gross = _gross_kg(inventory, target)
        removal = credits.get((year, CreditKind.REMOVAL), ZERO)
        avoidance = credits.get((year, CreditKind.AVOIDANCE), ZERO)
        internal = round_kg(
            sum((t for planted_in, t in planted.items() if planted_in <= year), ZERO) * KG_PER_TONNE
        )
        counted = organisation.count_internal_removals
        net = gross - removal - avoidance - (internal if counted else ZERO)
        scope3 = {c: kg for c, kg in inventory.kg_by_category.items() if scope_of(c) == 3}
        balances.append(
            YearBalance(
                year=year,
                scope1_kg=inventory.scope_kg(1),
                scope2_location_kg=inventory.scope_kg(2),
                scope2_market_kg=inventory.scope2_market_kg,
                scope3_kg_by_category=dict(sorted(scope3.items())),
                scope3_kg=inventory.scope_kg(3),
                gross_kg=gross,
                credits_removal_kg=removal,
                credits_avoidance_kg=avoidance,
                internal_removals_kg=internal,
                internal_removals_counted=counted,
                net_kg=net,
                is_neutral=net <= 0,
                base_year=base_year,
                base_gross_kg=base_gross_kg,
                change_vs_base_pct=_change_pct(gross, base_gross_kg),
                pathway_kg=(
                    pathway_kg(target, base_gross_kg, year)
                    if target and base_gross_kg is not None
                    else None
                ),
                electricity_kwh=inventory.electricity_kwh,
                renewable_kwh=inventory.renewable_kwh,
                renewable_share_pct=_percent(inventory.renewable_kwh, inventory.electricity_kwh),
                ets_surrendered_t=surrendered.get(year, ZERO),
                unused_certificate_kwh=inventory.unused_certificate_kwh,
                scope2_facilities=inventory.scope2_facilities,
                target=target,
            )
        )
    return balances


def target_pathway(target: Target) -> list[tuple[int, Decimal]]:
    """(year, kg) for every year from the base year to the target year; [] without a base."""
    if target.kind == TargetKind.RENEWABLE_SHARE:
        return []  # a share of electricity, not a quantity of emissions
    base_gross_kg = _base_gross_kg(target, None)
    if base_gross_kg is None:
        organisation = Organisation.current()
        if organisation is None:
            return []
        inventory = _inventories([target.base_year], organisation).get(target.base_year)
        base_gross_kg = None if inventory is None else _gross_kg(inventory, target)
    if base_gross_kg is None:
        return []
    return [
        (year, pathway_kg(target, base_gross_kg, year))
        for year in range(target.base_year, target.target_year + 1)
    ]


@dataclass(frozen=True)
class MacRow:
    """One bar of the marginal abatement cost curve."""

    initiative: ReductionInitiative
    abatement_t: Decimal  # per year
    cost_per_t: Decimal  # negative: the initiative saves money
    cumulative_start_t: Decimal  # where the bar starts on the curve's x axis


def initiatives_mac(statuses=None) -> list[MacRow]:
    """Reduction initiatives cheapest per tonne first, with their place on the MAC curve."""
    initiatives = ReductionInitiative.objects.select_related("facility")
    if statuses is not None:
        initiatives = initiatives.filter(status__in=statuses)
    ordered = sorted(initiatives, key=lambda item: (item.abatement_cost_per_t, item.title, item.pk))
    rows, start = [], ZERO
    for initiative in ordered:
        abatement = initiative.expected_abatement_t_per_year
        rows.append(MacRow(initiative, abatement, initiative.abatement_cost_per_t, start))
        start += abatement
    return rows


def _inventories(
    years, organisation: Organisation, *, approved_only=False
) -> dict[int, _YearInventory]:
    records = rollup_for(approved_only=approved_only)
    if years is not None:
        records = records.filter(year__in=years)
    rows = (
        records.order_by()
        .values("year", "category")
        .annotate(
            kg=Sum("co2e_kg"),
            kwh=Sum("electricity_kwh"),
            renewable_kwh=Sum(
                "electricity_kwh", filter=Q(activity_type__is_renewable_electricity=True)
            ),
        )
    )
    kg_by_category = defaultdict(dict)
    electricity = defaultdict(lambda: ZERO)
    renewable = defaultdict(lambda: ZERO)
    for row in rows:
        kg_by_category[row["year"]][row["category"]] = round_kg(row["kg"] or ZERO)
        electricity[row["year"]] += row["kwh"] or ZERO
        renewable[row["year"]] += row["renewable_kwh"] or ZERO

    scope2 = calculate_market_scope2(
        years, organisation=organisation, approved_only=approved_only
    )
    facilities_by_year = defaultdict(list)
    for facility_row in scope2.rows:
        facilities_by_year[facility_row.year].append(facility_row)

    inventories = {}
    for year, by_category in kg_by_category.items():
        facility_rows = facilities_by_year[year]
        grid_location = sum((row.location_kg for row in facility_rows), ZERO)
        grid_market = sum((row.market_kg for row in facility_rows), ZERO)
        scope2_location = sum((kg for c, kg in by_category.items() if scope_of(c) == 2), ZERO)
        certificate_renewable = sum(
            (row.zero_emission_certificate_kwh for row in facility_rows), ZERO
        )
        unused = sum((row.unused_certificate_kwh for row in facility_rows), ZERO)
        inventories[year] = _YearInventory(
            kg_by_category=by_category,
            # Heat, steam and anything else in Scope 2 is the same in both methods.
            scope2_market_kg=scope2_location - grid_location + grid_market,
            electricity_kwh=electricity[year],
            renewable_kwh=renewable[year] + certificate_renewable,
            unused_certificate_kwh=unused + scope2.unused_organisation_kwh_by_year.get(year, ZERO),
            scope2_facilities=tuple(facility_rows),
        )
    return inventories


def _gross_kg(inventory: _YearInventory, target: Target | None) -> Decimal:
    """Gross emissions the target covers; without a target, Scope 1, 2 market-based and 3."""
    if target is None:
        return inventory.scope_kg(1) + inventory.scope2_market_kg + inventory.scope_kg(3)
    gross = ZERO
    if target.covers_scope1:
        gross += inventory.scope_kg(1)
    if target.covers_scope2:
        market = target.scope2_method == Scope2Method.MARKET
        gross += inventory.scope2_market_kg if market else inventory.scope_kg(2)
    for category in set(target.scope3_categories):
        gross += inventory.kg_by_category.get(category, ZERO)
    return gross


def covered_gross_kg(balance: YearBalance, target: Target) -> Decimal:
    """A year's gross emissions within `target`'s coverage (the rule of _gross_kg, per balance)."""
    gross = ZERO
    if target.covers_scope1:
        gross += balance.scope1_kg
    if target.covers_scope2:
        market = target.scope2_method == Scope2Method.MARKET
        gross += balance.scope2_market_kg if market else balance.scope2_location_kg
    for category in set(target.scope3_categories):
        gross += balance.scope3_kg_by_category.get(category, ZERO)
    return gross


def _base_gross_kg(target: Target | None, inventory: _YearInventory | None) -> Decimal | None:
    if target is not None and target.base_year_gross_t is not None:
        return round_kg(target.base_year_gross_t * KG_PER_TONNE)
    if inventory is None:
        return None
    return _gross_kg(inventory, target)


def pathway_kg(target: Target, base_kg: Decimal, year: int) -> Decimal | None:
    """The straight line from the base year's gross to the target year's goal."""
    if not target.base_year <= year <= target.target_year:
        return None
    if target.kind == TargetKind.CARBON_NEUTRALITY:
        goal = ZERO
    else:
        goal = base_kg * (1 - (target.reduction_pct or ZERO) / 100)
    progress = Decimal(year - target.base_year) / (target.target_year - target.base_year)
    return round_kg(base_kg + (goal - base_kg) * progress)


def _change_pct(gross: Decimal, base: Decimal | None) -> Decimal | None:
    if not base:
        return None
    return _percent(gross - base, base)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def _credits_kg_by_year_and_kind(years) -> dict[tuple[int, str], Decimal]:
    """Credits retired for neutrality, net of reversals, by claimed year and removal/avoidance."""
    retirements = Retirement.objects.filter(purpose=RetirementPurpose.NEUTRALITY)
    reversals = RetirementReversal.objects.filter(retirement__purpose=RetirementPurpose.NEUTRALITY)
    if years is not None:
        retirements = retirements.filter(claimed_year__in=years)
        reversals = reversals.filter(retirement__claimed_year__in=years)
    tonnes = defaultdict(lambda: ZERO)
    retired = (
        retirements.order_by()
        .values("claimed_year", "batch__project__kind")
        .annotate(t=Sum("quantity_t"))
    )
    for row in retired:
        tonnes[(row["claimed_year"], row["batch__project__kind"])] += row["t"]
    reversed_ = (
        reversals.order_by()
        .values("retirement__claimed_year", "retirement__batch__project__kind")
        .annotate(t=Sum("quantity_t"))
    )
    for row in reversed_:
        key = (row["retirement__claimed_year"], row["retirement__batch__project__kind"])
        tonnes[key] -= row["t"]
    return {key: round_kg(t * KG_PER_TONNE) for key, t in tonnes.items()}


def _planted_t_per_year_by_planting_year() -> dict[int, Decimal]:
    rows = (
        TreePlanting.objects.order_by()
        .values("planting_year")
        .annotate(t=Sum("sequestration_t_per_year"))
    )
    return {row["planting_year"]: row["t"] for row in rows}


def _surrendered_t_by_year(years) -> dict[int, Decimal]:
    surrenders = AllowanceTransaction.objects.filter(kind=AllowanceTransactionKind.SURRENDER)
    if years is not None:
        surrenders = surrenders.filter(compliance_year__in=years)
    rows = surrenders.order_by().values("compliance_year").annotate(t=Sum("quantity_t"))
    return {row["compliance_year"]: row["t"] for row in rows}
