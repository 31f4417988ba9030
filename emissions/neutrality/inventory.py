"""The inventory read model: the one place emissions totals are made.

Every figure a page, an export or the report shows about emissions, credits, net, pathway or
progress comes from here. This module alone sums the rollups (activities/rollups.py); it applies,
once each:

- the **approval basis**: approved records only (what the inventory report counts) or approved
  and pending ones (what the dashboard counts, saying how much is pending); rejected never count;
- the **Scope 2 method**: location-based as records store it, market-based per facility-year
  from neutrality/scope2.py, swapped in for grid electricity only;
- the **boundary**: the neutrality target's coverage (`Boundary.of(target)`), or all scopes;
- the **credits**, read through the offsets selectors (never re-summed here).

It returns organisation-years (`YearBalance`) and facility-years (`FacilityYear`) whose fields say
their basis. Per-facility figures of one basis add up to the organisation's, to the milligram:
both are sums of the same rollup rows and of the same market-based Scope 2 rows.

Aggregation happens in the database (values().annotate(Sum(...))); Python combines the grouped
rows, so the query count does not grow with the records. kg are rounded half-up to 6 decimals,
percentages half-up to 1 decimal.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Count, Max, Min, Q, QuerySet, Sum, Value
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import (
    ActivityRecord,
    ActivityType,
    DataQuality,
    MonthRollup,
    RecordRollup,
    ReviewStatus,
)
from emissions.activities.rollups import months_for, rollup_for
from emissions.activities.selectors import records_for
from emissions.evidence.models import EvidenceFile
from emissions.facilities.models import MarketScope2Matching, Organisation
from emissions.factors.calculation import round_kg
from emissions.factors.models import FactorBasis
from emissions.factors.taxonomy import Category, scope_of
from emissions.offsets.selectors import (
    allowances_surrendered_by_year,
    credits_retired_by_year,
    internal_removals_by_year,
)

from .energy import EnergySum, EnergyYear, energy_from_sums
from .hourly_scope2 import hourly_market_scope2
from .models import Scope2Method, Target, TargetKind
from .scope2 import (
    FacilityScope2,
    MarketScope2,
    calculate_market_scope2,
    calculate_market_scope2_both,
)
from .snapshot import per_snapshot

KG_PER_TONNE = Decimal(1000)
PERCENT_PLACES = Decimal("0.1")
ZERO = Decimal(0)
# The target a neutrality balance is measured against, in order of preference.
NEUTRALITY_KINDS = [TargetKind.CARBON_NEUTRALITY, TargetKind.NET_ZERO]


def kg_to_t(kg: Decimal | None) -> Decimal | None:
    """kg → t (or kWh → MWh), exact: the decimal point moves, nothing is divided into a float."""
    return None if kg is None else kg.scaleb(-3)


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part as a percentage of whole, half-up to 0.1; None without a whole."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def percent_change(new: Decimal, old: Decimal | None) -> Decimal | None:
    if not old:
        return None
    return percent(new - old, old)


# --- The bases a figure is stated on ----------------------------------------------------------


class Approval:
    """Which records a figure counts. Rejected records never count."""

    APPROVED = "approved"
    WITH_PENDING = "with_pending"
    LABELS = {
        APPROVED: _("approved data only"),
        WITH_PENDING: _("approved and pending data"),
    }

    @classmethod
    def of(cls, approved_only: bool) -> str:
        return cls.APPROVED if approved_only else cls.WITH_PENDING


@dataclass(frozen=True)
class Boundary:
    """Which emissions a gross figure counts: the neutrality target's coverage, or all scopes.

    scope2_method is None when Scope 2 is outside; scope3_categories None means every category.
    """

    scope1: bool
    scope2_method: str | None
    scope3_categories: frozenset[str] | None
    is_target: bool

    @classmethod
    def of(cls, target: Target | None) -> "Boundary":
        """The target's coverage; without a target, Scope 1, 2 market-based and all of 3."""
        if target is None:
            return ALL_SCOPES
        return cls(
            scope1=target.covers_scope1,
            scope2_method=target.scope2_method if target.covers_scope2 else None,
            scope3_categories=frozenset(target.scope3_categories),
            is_target=True,
        )

    def q(self) -> Q:
        """The rollup rows (or records) this boundary counts, as a filter."""
        scopes = Q(scope=1) if self.scope1 else Q(pk__in=[])
        if self.scope2_method is not None:
            scopes |= Q(scope=2)
        if self.scope3_categories is None:
            scopes |= Q(scope=3)
        elif self.scope3_categories:
            scopes |= Q(scope=3, category__in=sorted(self.scope3_categories))
        return scopes

    def covers_category(self, category: str) -> bool:
        return self.scope3_categories is None or category in self.scope3_categories

    @property
    def label(self) -> str:
        if self.is_target:
            return str(_("within the neutrality target's boundary"))
        return str(_("all scopes"))

    def parts(
        self,
        *,
        scope1_kg: Decimal,
        scope2_location_kg: Decimal,
        scope2_market_kg: Decimal,
        scope3_kg_by_category: dict[str, Decimal],
    ) -> tuple[Decimal, Decimal, Decimal]:
        """(Scope 1, Scope 2, Scope 3) within this boundary: they add up to its gross."""
        scope1 = scope1_kg if self.scope1 else ZERO
        if self.scope2_method is None:
            scope2 = ZERO
        elif self.scope2_method == Scope2Method.LOCATION:
            scope2 = scope2_location_kg
        else:
            scope2 = scope2_market_kg
        scope3 = sum(
            (
                kg
                for c, kg in scope3_kg_by_category.items()
                if scope_of(c) == 3 and self.covers_category(c)
            ),
            ZERO,
        )
        return scope1, scope2, scope3


ALL_SCOPES = Boundary(
    scope1=True, scope2_method=Scope2Method.MARKET, scope3_categories=None, is_target=False
)


# --- Emissions of one organisation-year or facility-year ----------------------------------------


@dataclass(frozen=True)
class Emissions:
    """What was emitted in one year by the organisation or one facility, on one approval basis.

    kg_by_category is as records store it (Scope 2 location-based); scope2_market_kg swaps the
    grid electricity's location-based kg for its market-based kg. The derived figures are
    computed once per object (cached_property: pages read them many times).
    """

    year: int
    approval: str
    kg_by_category: dict[str, Decimal]
    scope2_market_kg: Decimal
    boundary: Boundary

    def scope_kg(self, scope: int) -> Decimal:
        return sum((kg for c, kg in self.kg_by_category.items() if scope_of(c) == scope), ZERO)

    @cached_property
    def scope1_kg(self) -> Decimal:
        return self.scope_kg(1)

    @cached_property
    def scope2_location_kg(self) -> Decimal:
        return self.scope_kg(2)

    @cached_property
    def scope3_kg(self) -> Decimal:
        """All of Scope 3, whatever the boundary (boundary_scope3_kg is the part within it)."""
        return self.scope_kg(3)

    @cached_property
    def scope3_kg_by_category(self) -> dict[str, Decimal]:
        return {c: kg for c, kg in sorted(self.kg_by_category.items()) if scope_of(c) == 3}

    @property
    def scope2_market_adjustment_kg(self) -> Decimal:
        """Market-based minus location-based Scope 2 (certificates and residual mix)."""
        return self.scope2_market_kg - self.scope2_location_kg

    @cached_property
    def all_scopes_market_kg(self) -> Decimal:
        return self.scope1_kg + self.scope2_market_kg + self.scope3_kg

    @cached_property
    def all_scopes_location_kg(self) -> Decimal:
        return self.scope1_kg + self.scope2_location_kg + self.scope3_kg

    @cached_property
    def _parts(self) -> tuple[Decimal, Decimal, Decimal]:
        return self.boundary.parts(
            scope1_kg=self.scope1_kg,
            scope2_location_kg=self.scope2_location_kg,
            scope2_market_kg=self.scope2_market_kg,
            scope3_kg_by_category=self.kg_by_category,
        )

    @cached_property
    def boundary_scope1_kg(self) -> Decimal:
        return self._parts[0]

    @cached_property
    def boundary_scope2_kg(self) -> Decimal:
        return self._parts[1]

    @cached_property
    def boundary_scope3_kg(self) -> Decimal:
        return self._parts[2]

    @cached_property
    def gross_kg(self) -> Decimal:
        """Gross emissions within the boundary."""
        return sum(self._parts, ZERO)

    def gross_kg_for(self, target: Target | None) -> Decimal:
        """Gross emissions within another target's boundary (the targets page's rows)."""
        return sum(
            Boundary.of(target).parts(
                scope1_kg=self.scope1_kg,
                scope2_location_kg=self.scope2_location_kg,
                scope2_market_kg=self.scope2_market_kg,
                scope3_kg_by_category=self.kg_by_category,
            ),
            ZERO,
        )


@dataclass(frozen=True)
class YearBalance(Emissions):
    """One year of the organisation's neutrality balance: the same row feeds the table, the
    chart, the export and the report. gross_kg is within the neutrality target's boundary."""

    credits_removal_kg: Decimal
    credits_avoidance_kg: Decimal
    internal_removals_kg: Decimal
    internal_removals_counted: bool
    base_year: int | None
    base_gross_kg: Decimal | None
    electricity_kwh: Decimal
    # On-site renewable generation consumed (records of renewable electricity types).
    onsite_renewable_kwh: Decimal
    # Grid electricity covered by zero-emission certificates.
    certificate_renewable_kwh: Decimal
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
    def net_kg(self) -> Decimal:
        """Gross within the boundary, less credits (and own planting where it counts)."""
        counted = self.internal_removals_kg if self.internal_removals_counted else ZERO
        return self.gross_kg - self.credits_kg - counted

    @property
    def is_neutral(self) -> bool:
        return self.net_kg <= 0

    @property
    def change_vs_base_pct(self) -> Decimal | None:
        return percent_change(self.gross_kg, self.base_gross_kg)

    @property
    def pathway_kg(self) -> Decimal | None:
        if self.target is None or self.base_gross_kg is None:
            return None
        return pathway_kg(self.target, self.base_gross_kg, self.year)

    @property
    def renewable_kwh(self) -> Decimal:
        return self.onsite_renewable_kwh + self.certificate_renewable_kwh

    @property
    def renewable_share_pct(self) -> Decimal | None:
        return percent(self.renewable_kwh, self.electricity_kwh)

    @property
    def scope2_uses_location_fallback(self) -> bool:
        """Whether any facility's market-based figure fell back to its location-based rate."""
        return any(row.uses_location_fallback for row in self.scope2_facilities)

    def net_kg_for(self, target: Target) -> Decimal:
        """Net emissions within another target's boundary: the same credits, its gross."""
        counted = self.internal_removals_kg if self.internal_removals_counted else ZERO
        return self.gross_kg_for(target) - self.credits_kg - counted


@dataclass(frozen=True)
class FacilityYear(Emissions):
    """One facility in one year. Its boundary is the organisation's; credits are retired for
    the whole organisation, so a facility has no net."""

    facility_id: int
    onsite_renewable_kwh: Decimal
    scope2: FacilityScope2 | None
    # All its electricity (grid and on-site renewable), as the balance's electricity_kwh.
    electricity_kwh: Decimal

    @property
    def renewable_kwh(self) -> Decimal:
        """On-site renewables and grid kWh covered by zero-emission certificates."""
        covered = self.scope2.zero_emission_certificate_kwh if self.scope2 else ZERO
        return self.onsite_renewable_kwh + covered

    @property
    def renewable_share_pct(self) -> Decimal | None:
        return percent(self.renewable_kwh, self.electricity_kwh)


# --- Reading them -------------------------------------------------------------------------------


def neutrality_target() -> Target | None:
    """The target the balance is measured against: carbon neutrality, else net zero."""
    targets = list(Target.objects.filter(kind__in=NEUTRALITY_KINDS))
    for kind in NEUTRALITY_KINDS:
        of_kind = [target for target in targets if target.kind == kind]
        if of_kind:
            return of_kind[0]  # the earliest target year (the model's ordering)
    return None


def yearly_balance(years=None, *, approved_only=False, with_base_year=True) -> list[YearBalance]:
    """The neutrality balance of each year with activity data, oldest first.

    With `approved_only`, emissions count approved records only (the inventory report);
    otherwise approved and pending ones (the dashboard). Rejected records never count.
    Without `with_base_year`, the base year is not read (base_gross_kg and the pathway are then
    those of the target's stated figure, if any): for a net figure alone.

    Remembered while nothing is committed to the database (snapshot.py), as
    balances_on_both_bases is; each caller gets its own list.
    """
    years = None if years is None else sorted(set(years))
    return list(_yearly_balance(years, approved_only=approved_only, with_base_year=with_base_year))


@per_snapshot
def _yearly_balance(years, *, approved_only, with_base_year) -> list[YearBalance]:
    organisation = Organisation.current()
    if organisation is None:
        return []
    target = neutrality_target()
    wanted = _wanted(years, organisation, target, with_base_year)
    sums = _sums_by_year(wanted, approved_only=approved_only)
    scope2 = _market_scope2(wanted, organisation, approved_only=approved_only)
    reads = _Reads(
        years, organisation, target, sorted(year for year in sums if _shown(year, years))
    )
    return _balances(reads, Approval.of(approved_only), sums, scope2)


def yearly_balances_on_both_bases(
    years=None, *, with_base_year=True
) -> tuple[list[YearBalance], list[YearBalance]]:
    """(approved and pending, approved only): the two lists yearly_balance gives, read in one
    pass (balances_on_both_bases)."""
    read = balances_on_both_bases(years, with_base_year=with_base_year)
    return read.with_pending, read.approved


@dataclass(frozen=True)
class BalancesOnBothBases:
    """Each year's balance with pending data and on approved data, and how many records each
    year has in review (draft or submitted), all from one pass."""

    with_pending: list[YearBalance]
    approved: list[YearBalance]
    records_in_review: dict[int, int]
    # The years the approved list was read for; None: every year.
    approved_years: frozenset[int] | None = None

    def both(self, year: int) -> "BothBases":
        """One year of them, as both_bases() gives it."""
        if self.approved_years is not None and year not in self.approved_years:
            raise ValueError(f"{year} was not read on approved data (approved_years).")
        with_pending, approved = (
            next((b for b in basis if b.year == year), None)
            for basis in (self.with_pending, self.approved)
        )
        in_review = self.records_in_review.get(year, 0) if with_pending else 0
        return BothBases(approved=approved, with_pending=with_pending, records_in_review=in_review)


def balances_on_both_bases(
    years=None, *, with_base_year=True, approved_years=None
) -> BalancesOnBothBases:
    """yearly_balance on both approval bases, and the records in review, in the queries of one
    basis: the rollup read once grouped by review status too (it is keyed by it, so this costs
    no more than one basis), the grid electricity once with the review status beside its sums,
    market-based Scope 2's other inputs and the credits once.

    With `approved_years`, the approved list has those years only, each as both_bases(year)
    gives it (its base-year figures only if it is the base year): a page showing every year
    with pending data and one on approved data calculates no other approved year.

    Remembered while nothing is committed to the database (snapshot.py): the overview, the
    offsets page and the gap card read it on every visit, and the inventory changes far less
    often than it is read."""
    years = None if years is None else sorted(set(years))
    approved_years = None if approved_years is None else sorted(set(approved_years))
    read = _balances_on_both_bases(years, with_base_year, approved_years)
    # Callers get their own lists: what is remembered is shared.
    return replace(read, with_pending=list(read.with_pending), approved=list(read.approved))


@per_snapshot
def _balances_on_both_bases(years, with_base_year, approved_years) -> BalancesOnBothBases:
    organisation = Organisation.current()
    if organisation is None:
        return BalancesOnBothBases(with_pending=[], approved=[], records_in_review={})
    target = neutrality_target()
    wanted = _wanted(years, organisation, target, with_base_year)
    with_pending, approved, in_review = _sums_by_year_on_both_bases(wanted)
    if approved_years is not None:
        approved = {year: sums for year, sums in approved.items() if year in approved_years}
    if _hourly(organisation):
        scope2 = (
            hourly_market_scope2(wanted, organisation=organisation),
            hourly_market_scope2(
                wanted if approved_years is None else approved_years,
                organisation=organisation,
                approved_only=True,
            ),
        )
    else:
        scope2 = calculate_market_scope2_both(
            wanted, organisation=organisation, approved_years=approved_years
        )
    shown = sorted(year for year in with_pending if _shown(year, years))
    reads = _Reads(years, organisation, target, shown)
    return BalancesOnBothBases(
        with_pending=_balances(reads, Approval.WITH_PENDING, with_pending, scope2[0]),
        approved=_balances(reads, Approval.APPROVED, approved, scope2[1]),
        records_in_review={year: n for year, n in in_review.items() if _shown(year, years)},
        approved_years=None if approved_years is None else frozenset(approved_years),
    )


def _wanted(years, organisation, target, with_base_year) -> list[int] | None:
    base_year = target.base_year if target else organisation.base_year
    also = [base_year] if with_base_year else []
    return None if years is None else sorted({*years, *also})


def _shown(year: int, years) -> bool:
    return years is None or year in years


class _Reads:
    """What a balance reads besides the emissions (the same for both approval bases)."""

    def __init__(self, years, organisation, target, shown: list[int]):
        self.organisation, self.target, self.shown = organisation, target, shown
        self.base_year = target.base_year if target else organisation.base_year
        self.credits = credits_retired_by_year(shown)
        self.planted = internal_removals_by_year(shown)
        self.surrendered = allowances_surrendered_by_year(shown)


def _balances(reads: _Reads, approval: str, sums, scope2) -> list[YearBalance]:
    target, organisation = reads.target, reads.organisation
    boundary = Boundary.of(target)
    facility_rows = defaultdict(list)
    for row in scope2.rows:
        facility_rows[row.year].append(row)
    base = sums.get(reads.base_year)
    base_gross_kg = _base_gross_kg(
        target,
        None
        if base is None
        else Emissions(
            year=reads.base_year,
            approval=approval,
            kg_by_category=base[0],
            scope2_market_kg=_scope2_market_kg(base[0], facility_rows[reads.base_year]),
            boundary=boundary,
        ),
    )
    balances = []
    for year in reads.shown:
        if year not in sums:
            continue  # no records of that year on this basis (none approved yet)
        kg, kwh, onsite = sums[year]
        rows = facility_rows[year]
        credits = reads.credits[year]
        balances.append(
            YearBalance(
                year=year,
                approval=approval,
                kg_by_category=kg,
                scope2_market_kg=_scope2_market_kg(kg, rows),
                boundary=boundary,
                credits_removal_kg=round_kg(credits.removal_t * KG_PER_TONNE),
                credits_avoidance_kg=round_kg(credits.avoidance_t * KG_PER_TONNE),
                internal_removals_kg=round_kg(reads.planted[year] * KG_PER_TONNE),
                internal_removals_counted=organisation.count_internal_removals,
                base_year=reads.base_year,
                base_gross_kg=base_gross_kg,
                electricity_kwh=kwh,
                onsite_renewable_kwh=onsite,
                certificate_renewable_kwh=sum(
                    (row.zero_emission_certificate_kwh for row in rows), ZERO
                ),
                ets_surrendered_t=reads.surrendered.get(year, ZERO),
                unused_certificate_kwh=sum((row.unused_certificate_kwh for row in rows), ZERO)
                + scope2.unused_organisation_kwh_by_year.get(year, ZERO),
                scope2_facilities=tuple(rows),
                target=target,
            )
        )
    return balances


def facility_years(
    *, years=None, facility_ids=None, approved_only=False, balances=None
) -> list[FacilityYear]:
    """Each facility-year with records, by year then facility, within the neutrality target's
    boundary (gross_kg) and over all scopes (all_scopes_market_kg).

    Given the organisation's `balances` of the same approval basis (covering `years`), their
    market-based Scope 2 rows and target are reused instead of being read again.
    """
    context = _facility_context(years, approved_only, balances)
    if context is None:
        return []
    boundary, scope2_rows = context
    approval = Approval.of(approved_only)
    records = rollup_for(years=years, facility_ids=facility_ids, approved_only=approved_only)
    kg = defaultdict(dict)
    kwh, onsite = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    rows = records.order_by().values("facility", "year", "category").annotate(**_SUMS)
    for row in rows:
        key = (row["year"], row["facility"])
        kg[key][row["category"]] = round_kg(row["kg"] or ZERO)
        kwh[key] += row["kwh"] or ZERO
        onsite[key] += row["onsite_kwh"] or ZERO
    scope2 = {(row.year, row.facility_id): row for row in scope2_rows}
    return [
        FacilityYear(
            year=year,
            approval=approval,
            kg_by_category=kg[year, facility_id],
            scope2_market_kg=_scope2_market_kg(
                kg[year, facility_id],
                [scope2[year, facility_id]] if (year, facility_id) in scope2 else [],
            ),
            boundary=boundary,
            facility_id=facility_id,
            onsite_renewable_kwh=onsite[year, facility_id],
            scope2=scope2.get((year, facility_id)),
            electricity_kwh=kwh[year, facility_id],
        )
        for year, facility_id in sorted(kg)
    ]


@dataclass(frozen=True)
class FacilityGross:
    """One facility-year's gross: within the neutrality target's boundary and over all scopes
    (both Scope 2 market-based where the boundary says so). The same figures as FacilityYear's
    gross_kg and all_scopes_market_kg, read without the per-category detail."""

    facility_id: int
    year: int
    gross_kg: Decimal
    all_scopes_market_kg: Decimal


def facility_gross(*, years, approved_only=False, balances=None) -> list[FacilityGross]:
    """Every facility-year's gross on one basis: one query grouped by facility and year (a
    facility list needs no more), plus market-based Scope 2 (reused from `balances`)."""
    context = _facility_context(years, approved_only, balances)
    if context is None:
        return []
    boundary, scope2_rows = context
    records = rollup_for(years=years, approved_only=approved_only).order_by()
    rows = records.values_list("facility", "year").annotate(
        kg=Sum("co2e_kg"), boundary_kg=Sum("co2e_kg", filter=boundary.q())
    )
    swap = {(r.facility_id, r.year): r.market_kg - r.location_kg for r in scope2_rows}
    boundary_swap = boundary.scope2_method == Scope2Method.MARKET
    return [
        FacilityGross(
            facility_id=facility_id,
            year=year,
            gross_kg=round_kg(boundary_kg or ZERO)
            + (swap.get((facility_id, year), ZERO) if boundary_swap else ZERO),
            all_scopes_market_kg=round_kg(kg or ZERO) + swap.get((facility_id, year), ZERO),
        )
        for facility_id, year, kg, boundary_kg in rows
    ]


def _facility_context(years, approved_only, balances):
    """(the neutrality target's boundary, every facility-year's market-based Scope 2 rows) for
    per-facility figures; None without an organisation. From `balances` when given."""
    if balances is not None:
        target = balances[0].target if balances else None
        return Boundary.of(target), [row for b in balances for row in b.scope2_facilities]
    organisation = Organisation.current()
    if organisation is None:
        return None
    # Every facility's: organisation-wide certificates are shared among all of them.
    scope2 = _market_scope2(years, organisation, approved_only=approved_only)
    return Boundary.of(neutrality_target()), scope2.rows


def _hourly(organisation) -> bool:
    return organisation.market_scope2_matching == MarketScope2Matching.HOURLY


def _market_scope2(years, organisation, *, approved_only: bool) -> MarketScope2:
    """Market-based Scope 2 by the matching the organisation profile chose: annual (the 2015
    Scope 2 Guidance, the default) or hourly (the draft revision; neutrality/hourly_scope2.py).
    The hourly engine runs only when it is chosen: annual pages never pay for it."""
    if _hourly(organisation):
        return hourly_market_scope2(years, organisation=organisation, approved_only=approved_only)
    return calculate_market_scope2(years, organisation=organisation, approved_only=approved_only)


_SUMS = {
    "kg": Sum("co2e_kg"),
    "kwh": Sum("electricity_kwh"),
    "onsite_kwh": Sum("electricity_kwh", filter=Q(activity_type__is_renewable_electricity=True)),
}


def _sums_by_year(years, *, approved_only) -> dict[int, tuple[dict, Decimal, Decimal]]:
    """year → (kg by category, electricity kWh, on-site renewable kWh); one query."""
    records = rollup_for(years=years, approved_only=approved_only)
    rows = records.order_by().values("year", "category").annotate(**_SUMS)
    kg, kwh, onsite = defaultdict(dict), defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for row in rows:
        kg[row["year"]][row["category"]] = round_kg(row["kg"] or ZERO)
        kwh[row["year"]] += row["kwh"] or ZERO
        onsite[row["year"]] += row["onsite_kwh"] or ZERO
    return {year: (kg[year], kwh[year], onsite[year]) for year in kg}


def _sums_by_year_on_both_bases(years) -> tuple[dict, dict, dict[int, int]]:
    """_sums_by_year for (approved and pending, approved only), and year → records in review:
    one query, grouped by review status as well. The rollup is keyed by status, so this reads
    the same rows as one basis does (conditional sums per basis would cost a second pass)."""
    rows = (
        rollup_for(years=years)
        .order_by()
        .values_list("year", "category", "status")
        .annotate(n=Sum("record_count"), **_SUMS)
    )
    # year → [kg by category, kWh, on-site kWh]; exact Decimal sums of the database's sums.
    bases = ({}, {})
    in_review = defaultdict(int)
    for year, category, status, n, kg, kwh, onsite_kwh in rows:
        approved = status == ReviewStatus.APPROVED
        if not approved:
            in_review[year] += n  # rollup_for() leaves rejected records out
        for basis in bases if approved else bases[:1]:
            into = basis.setdefault(year, [{}, ZERO, ZERO])
            into[0][category] = into[0].get(category, ZERO) + (kg or ZERO)
            into[1] += kwh or ZERO
            into[2] += onsite_kwh or ZERO
    with_pending, approved = (
        {
            year: ({c: round_kg(kg) for c, kg in sorted(by_category.items())}, kwh, onsite)
            for year, (by_category, kwh, onsite) in basis.items()
        }
        for basis in bases
    )
    return with_pending, approved, dict(in_review)


def _scope2_market_kg(kg_by_category: dict, scope2_rows) -> Decimal:
    """Scope 2 with grid electricity market-based; heat, steam and the rest as recorded."""
    location = sum((kg for c, kg in kg_by_category.items() if scope_of(c) == 2), ZERO)
    grid_location = sum((row.location_kg for row in scope2_rows), ZERO)
    grid_market = sum((row.market_kg for row in scope2_rows), ZERO)
    return location - grid_location + grid_market


def _base_gross_kg(target: Target | None, base: Emissions | None) -> Decimal | None:
    if target is not None and target.base_year_gross_t is not None:
        return round_kg(target.base_year_gross_t * KG_PER_TONNE)
    return None if base is None else base.gross_kg


# --- Targets ------------------------------------------------------------------------------------


def pathway_kg(target: Target, base_kg: Decimal, year: int) -> Decimal | None:
    """The straight line from the base year's gross to the target year's goal.

    A carbon-neutrality target's goal is 0 (net); an absolute or net-zero target's goal is the
    base less its reduction (gross: a net-zero target neutralises the residual with removals).
    """
    if not target.base_year <= year <= target.target_year:
        return None
    if target.kind == TargetKind.CARBON_NEUTRALITY:
        goal = ZERO
    else:
        goal = base_kg * (1 - (target.reduction_pct or ZERO) / 100)
    progress = Decimal(year - target.base_year) / (target.target_year - target.base_year)
    return round_kg(base_kg + (goal - base_kg) * progress)


def measures_net(target: Target) -> bool:
    """A carbon-neutrality target is met on net emissions (after credits), the others on gross."""
    return target.kind == TargetKind.CARBON_NEUTRALITY


def target_base_kg(target: Target, balances: list[YearBalance]) -> Decimal | None:
    """The base-year gross within the target's own boundary (or the figure entered for it)."""
    if target.base_year_gross_t is not None:
        return round_kg(target.base_year_gross_t * KG_PER_TONNE)
    base = next((b for b in balances if b.year == target.base_year), None)
    return None if base is None else base.gross_kg_for(target)


def target_pathway(target: Target, balances: list[YearBalance] | None = None):
    """(year, kg) for every year from the base year to the target year; [] without a base."""
    if target.kind == TargetKind.RENEWABLE_SHARE:
        return []  # a share of electricity, not a quantity of emissions
    if balances is None and target.base_year_gross_t is None:
        balances = yearly_balance([target.base_year])
    base = target_base_kg(target, balances or [])
    if base is None:
        return []
    return [
        (year, pathway_kg(target, base, year))
        for year in range(target.base_year, target.target_year + 1)
    ]


# --- Other views of the same rollups ------------------------------------------------------------


def latest_year() -> int | None:
    """The latest year with activity records (any review status), or None."""
    return MonthRollup.objects.aggregate(year=Max("year"))["year"]


@dataclass(frozen=True)
class YearCoverage:
    """How much of a year the records cover: a year is partial while it is still running or
    when its records stop before December."""

    year: int
    last_month: int
    today: dt.date

    @property
    def is_partial(self) -> bool:
        return self.year >= self.today.year or self.last_month < 12


def year_coverage(*, facility_ids=None, today: dt.date | None = None) -> dict[int, YearCoverage]:
    """year → its coverage by counted records (approved and pending); one query."""
    today = today or dt.date.today()
    rows = months_for(facility_ids=facility_ids).order_by().values("year").annotate(m=Max("month"))
    return {row["year"]: YearCoverage(row["year"], row["m"], today) for row in rows}


def latest_complete_year(
    today: dt.date | None = None, coverage: dict[int, YearCoverage] | None = None
) -> int | None:
    """The latest year whose records are not partial (see YearCoverage), or None."""
    coverage = year_coverage(today=today) if coverage is None else coverage
    complete = [y for y, c in coverage.items() if not c.is_partial]
    return max(complete, default=None)


def kg_by_month(*, years, facility_ids=None) -> dict[tuple[int, int], Decimal]:
    """(year, month) → kg CO2e of approved and pending records: all scopes, Scope 2
    location-based (market-based Scope 2 is a yearly figure, so months are as recorded)."""
    records = months_for(years=years, facility_ids=facility_ids).order_by()
    return {
        (row["year"], row["month"]): row["kg"]
        for row in records.values("year", "month").annotate(kg=Sum("co2e_kg"))
    }


@dataclass(frozen=True)
class Pending:
    """A year's records still in review, and what they add to the with-pending figures."""

    records: int
    # gross(with pending) − gross(approved) on the same boundary and Scope 2 method.
    kg: Decimal
    # kg as a share of the with-pending gross that the page shows.
    share_pct: Decimal | None


def pending_records(*, years, facility_ids=None) -> dict[int, int]:
    """year → the number of records in draft or submitted; one query."""
    rows = (
        RecordRollup.objects.pending()
        .filter(year__in=years)
        .order_by()
        .values("year")
        .annotate(n=Sum("record_count"))
    )
    if facility_ids is not None:
        rows = rows.filter(facility_id__in=facility_ids)
    return {row["year"]: row["n"] for row in rows}


@dataclass(frozen=True)
class BothBases:
    """One year's balance on approved data (the report's) and with pending data (the
    dashboard's), and how many records are in review between them."""

    approved: YearBalance | None
    with_pending: YearBalance | None
    records_in_review: int

    @property
    def pending(self) -> Pending | None:
        return pending_between(self.with_pending, self.approved, self.records_in_review)


def both_bases(
    year: int, *, balances: "BalancesOnBothBases | tuple[list, list] | None" = None
) -> BothBases:
    """The year's balance on both approval bases and how many records are in review.

    `balances` is what balances_on_both_bases() (nothing more to read) or
    yearly_balances_on_both_bases() (one query for the records in review) returned, when the
    page has read it."""
    if balances is None:
        balances = balances_on_both_bases([year], with_base_year=False)
    if isinstance(balances, BalancesOnBothBases):
        return balances.both(year)
    with_pending, approved = (
        next((b for b in basis if b.year == year), None) for basis in balances
    )
    in_review = pending_records(years=[year]).get(year, 0) if with_pending else 0
    return BothBases(approved=approved, with_pending=with_pending, records_in_review=in_review)


def pending_between(
    with_pending: Emissions | None,
    approved: Emissions | None,
    records: int,
    *,
    all_scopes: bool = False,
) -> Pending | None:
    """What the year's pending records add: the difference of the two bases' gross (within the
    boundary, or over all scopes), and its share of the with-pending gross."""
    if not records or with_pending is None:
        return None

    def gross(emissions: Emissions | None) -> Decimal:
        if emissions is None:
            return ZERO
        return emissions.all_scopes_market_kg if all_scopes else emissions.gross_kg

    kg = gross(with_pending) - gross(approved)
    return Pending(records=records, kg=kg, share_pct=percent(kg, gross(with_pending)))


# --- The report's breakdowns of one year ------------------------------------------------------


def _year_rows(year: int, approved_only: bool) -> QuerySet:
    return rollup_for(years=[year], approved_only=approved_only).order_by()


def scope1_gas_sums(year: int, *, approved_only: bool) -> list[dict]:
    """Scope 1 kg per gas, grouped by the other gas (None for records without one): one query.

    Each row: other_gas__code, co2, ch4, n2o, other, published (kg CO2e published unsplit)."""
    rows = (
        _year_rows(year, approved_only)
        .filter(scope=1)
        .values("other_gas__code")
        .annotate(
            co2=Sum("co2_kg"),
            ch4=Sum("ch4_kg"),
            n2o=Sum("n2o_kg"),
            other=Sum("other_gas_kg"),
            published=Sum("published_co2e_kg"),
        )
        .order_by("other_gas__code")
    )
    return list(rows)


def category_quality_sums(year: int, *, approved_only: bool) -> list[dict]:
    """kg CO2e, record count and biogenic CO2 per (category, data quality): one query."""
    rows = _year_rows(year, approved_only).values("category", "data_quality")
    return list(
        rows.annotate(kg=Sum("co2e_kg"), n=Sum("record_count"), biogenic=Sum("biogenic_co2_kg"))
    )


def records_by_factor(year: int, *, approved_only: bool) -> dict[int, int]:
    """factor id → how many of the year's records used it: one query."""
    rows = _year_rows(year, approved_only).exclude(factor=None).values("factor")
    return dict(rows.annotate(n=Sum("record_count")).values_list("factor", "n"))


@dataclass(frozen=True)
class EvidenceCoverage:
    """How much of a year's CO2e (as records store it: Scope 2 location-based) has evidence."""

    kg: Decimal
    kg_with_evidence: Decimal
    records: int
    records_with_evidence: int

    @property
    def share_pct(self) -> Decimal | None:
        """The share of the year's tonnes whose records have at least one file attached."""
        return percent(self.kg_with_evidence, self.kg)


@per_snapshot
def evidence_coverage(year: int, *, approved_only: bool) -> EvidenceCoverage:
    """The year's kg CO2e and records, and those with evidence files: one query.

    Read from the records, not a rollup (evidence is no rollup key): one pass over the year's
    records. "id IN (the evidence table's record ids)" is uncorrelated, so PostgreSQL hashes
    the ids once instead of probing the evidence table for each of the year's records.
    """
    records = ActivityRecord.objects.filter(year=year)
    records = records.approved() if approved_only else records.counted()
    attached = Q(pk__in=EvidenceFile.objects.values("record_id"))
    totals = records.order_by().aggregate(
        kg=Sum("co2e_kg"),
        kg_with_evidence=Sum("co2e_kg", filter=attached),
        records=Count("pk"),
        records_with_evidence=Count("pk", filter=attached),
    )
    return EvidenceCoverage(
        kg=totals["kg"] or ZERO,
        kg_with_evidence=totals["kg_with_evidence"] or ZERO,
        records=totals["records"],
        records_with_evidence=totals["records_with_evidence"],
    )


# --- The ledger's totals ------------------------------------------------------------------------

# The filters each rollup is keyed by (activities/rollup_sql.py), besides review status.
RECORD_ROLLUP_FILTERS = {
    "facility_id",
    "activity_type_id",
    "scope",
    "category",
    "year",
    "data_quality",
}
MONTH_ROLLUP_FILTERS = {"facility_id", "year", "month"}


def totals_source(filter_columns) -> QuerySet:
    """Rows to total for filters on these columns: a rollup's when it is keyed by every one.

    The records' own totals need a pass over every matching record, a million unfiltered.
    """
    if set(filter_columns) <= RECORD_ROLLUP_FILTERS:
        return RecordRollup.objects.all()
    if set(filter_columns) <= MONTH_ROLLUP_FILTERS:
        return MonthRollup.objects.all()
    return ActivityRecord.objects.annotate(record_count=Value(1))


def recorded_kg_by_year(years=None) -> dict[int, Decimal]:
    """Each year's emissions as recorded (approved and pending records, Scope 2 location-based,
    no boundary): what a restatement rewrites and measures its change against. One query."""
    rows = rollup_for(years=years).order_by().values_list("year").annotate(kg=Sum("co2e_kg"))
    return {year: round_kg(kg or ZERO) for year, kg in rows}


def activity_types_with_records(filters: dict) -> QuerySet:
    """Ids of the activity types that have records under these filters (record columns →
    values), read from the record rollup: filters it is not keyed by are left out, so the ids
    may be more than those with records, never fewer. Lazy: one small query when read."""
    keyed = {column: value for column, value in filters.items() if column in RECORD_ROLLUP_FILTERS}
    rows = RecordRollup.objects.filter(record_count__gt=0, **keyed)
    return rows.order_by().values_list("activity_type_id", flat=True).distinct()


def count_and_kg(rows: QuerySet) -> tuple[int, Decimal]:
    """How many records and kg CO2e (as recorded) the rows of totals_source() hold: one query."""
    totals = rows.order_by().aggregate(count=Sum("record_count"), kg=Sum("co2e_kg"))
    return totals["count"] or 0, totals["kg"] or ZERO


# --- Energy in tonnes of standard coal equivalent (GB/T 2589-2020) -----------------------------

# The records that are energy the enterprise consumed: fuels burnt and energy bought (Scope 3 is
# the value chain's energy; process and fugitive emissions burn nothing).
ENERGY_CATEGORIES = [
    Category.STATIONARY_COMBUSTION,
    Category.MOBILE_COMBUSTION,
    Category.PURCHASED_ELECTRICITY,
    Category.PURCHASED_HEAT,
    Category.PURCHASED_STEAM,
    Category.PURCHASED_COOLING,
]


@per_snapshot
def energy_year(year: int, *, facility_ids=None, approved_only=True) -> EnergyYear:
    """The year's energy per facility and carrier, in physical units and tce: two queries.

    Approved records only by default, as the report counts them. Each rollup row holds one
    factor, so its summed quantity has one unit (the factor's); energy.py converts it.
    """
    rows = (
        rollup_for(years=[year], facility_ids=facility_ids, approved_only=approved_only)
        .filter(category__in=ENERGY_CATEGORIES)
        .order_by()
        .values_list("facility", "activity_type", "factor__unit")
        .annotate(
            quantity=Sum("factor_quantity"), kwh=Sum("electricity_kwh"), n=Sum("record_count")
        )
    )
    sums = [
        EnergySum(facility, activity_type, unit or "", quantity or ZERO, kwh or ZERO, n)
        for facility, activity_type, unit, quantity, kwh, n in rows
    ]
    types = ActivityType.objects.in_bulk({row.activity_type_id for row in sums})
    return energy_from_sums(year, Approval.of(approved_only), sums, types)


# --- Scope 3: whose data the tonnes come from (suppliers) ------------------------------------


@dataclass(frozen=True)
class Scope3Quality:
    """A year's Scope 3 kg CO2e (as recorded, every category) by the kind of factor behind it:
    the supplier's product footprint, the supplier's intensity, a library average, or spend."""

    year: int
    approval: str
    kg_by_basis: dict[str, Decimal]

    @property
    def kg(self) -> Decimal:
        return sum(self.kg_by_basis.values(), ZERO)

    def share_pct(self, *bases: str) -> Decimal | None:
        return percent(sum((self.kg_by_basis.get(b, ZERO) for b in bases), ZERO), self.kg)

    @property
    def supplier_specific_pct(self) -> Decimal | None:
        return self.share_pct(FactorBasis.SUPPLIER_PRODUCT, FactorBasis.SUPPLIER_COMPANY)

    @property
    def average_pct(self) -> Decimal | None:
        return self.share_pct(FactorBasis.AVERAGE)

    @property
    def spend_pct(self) -> Decimal | None:
        return self.share_pct(FactorBasis.SPEND)

    def rows(self) -> list[tuple[str, Decimal, Decimal | None]]:
        """(label, kg, share %) for each kind of data, in the precedence order."""
        return [
            (basis.label, self.kg_by_basis.get(basis.value, ZERO), self.share_pct(basis.value))
            for basis in FactorBasis
        ]


@per_snapshot
def scope3_quality(year: int, *, approved_only: bool) -> Scope3Quality:
    """One query over the year's rollup rows: each row holds one factor, so one basis.

    Records without a factor (zero-emission types) weigh nothing and count as averages."""
    rows = (
        _year_rows(year, approved_only)
        .filter(scope=3)
        .values_list("factor__dataset__basis")
        .annotate(kg=Sum("co2e_kg"))
    )
    kg_by_basis: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for basis, kg in rows:
        kg_by_basis[basis or FactorBasis.AVERAGE] += kg or ZERO
    return Scope3Quality(year, Approval.of(approved_only), dict(kg_by_basis))


@dataclass(frozen=True)
class SupplierScope3:
    supplier_id: int
    kg: Decimal
    kg_by_basis: dict[str, Decimal]

    @property
    def spend_kg(self) -> Decimal:
        return self.kg_by_basis.get(FactorBasis.SPEND, ZERO)


def scope3_by_supplier(year: int, *, approved_only: bool) -> dict[int, SupplierScope3]:
    """The year's Scope 3 kg CO2e of purchases that name a supplier product, per supplier and
    kind of data: one query over the year's purchases (rollups do not know suppliers)."""
    records = ActivityRecord.objects.filter(year=year, scope=3, purchased_product__isnull=False)
    records = records.approved() if approved_only else records.counted()
    rows = (
        records.order_by()
        .values_list("purchased_product__supplier", "factor__dataset__basis")
        .annotate(kg=Sum("co2e_kg"))
    )
    by_supplier: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for supplier_id, basis, kg in rows:
        basis = basis or FactorBasis.AVERAGE
        by_supplier[supplier_id][basis] = by_supplier[supplier_id].get(basis, ZERO) + (kg or ZERO)
    return {
        supplier_id: SupplierScope3(supplier_id, sum(kinds.values(), ZERO), kinds)
        for supplier_id, kinds in by_supplier.items()
    }


# --- What each expected data stream has received (planning/completeness.py) -------------------


@dataclass(frozen=True)
class StreamPeriod:
    """The records (not rejected) of one facility and activity type over one period."""

    facility_id: int
    activity_type_id: int
    period_start: dt.date
    period_end: dt.date
    kg: Decimal  # CO2e, approved and in review
    records: int
    # Of them: entered with data quality "estimated", and still drafts (never submitted).
    estimated: int
    drafts: int
    # When the first of them was submitted for review (None: all drafts).
    first_submitted_at: dt.datetime | None


def stream_periods(years, facility_ids, activity_type_ids) -> list[StreamPeriod]:
    """Records of those years, facilities and types grouped by period, rejected ones left out:
    one query (the records' (facility, year, month) index), for the completeness grid. Its kg
    are what the records say; completeness states them, it never adds them to a total."""
    records = records_for(years=years, facility_ids=facility_ids).filter(
        activity_type_id__in=activity_type_ids
    )
    rows = (
        records.order_by()
        .values_list("facility_id", "activity_type_id", "period_start", "period_end")
        .annotate(
            kg=Sum("co2e_kg"),
            n=Count("pk"),
            estimated=Count("pk", filter=Q(data_quality=DataQuality.ESTIMATED)),
            drafts=Count("pk", filter=Q(status=ReviewStatus.DRAFT)),
            first_submitted_at=Min("submitted_at"),
        )
    )
    return [StreamPeriod(*row) for row in rows]
