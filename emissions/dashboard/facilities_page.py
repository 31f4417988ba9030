"""What the facility pages show, assembled from the domain selectors (no queries in loops).

A facility's emissions are its records' kg CO2e with Scope 2 market-based: its grid
electricity's location-based kg swapped for the market-based kg of the neutrality balance's
facility rows (market_based_scope2 is what yearly_balance() reports as scope2_facilities).
All amounts are kg (Decimal); templates show tonnes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import ActivityRecord
from emissions.activities.rollups import rollup_for
from emissions.activities.selectors import records_for, years_with_records
from emissions.facilities.models import Facility
from emissions.facilities.selectors import facilities_for_listing, production_by_year
from emissions.factors.taxonomy import Category, scope_of
from emissions.neutrality.scope2 import market_based_scope2

from . import charts
from .ledger import plain_number, type_name
from .overview import percent_change

ZERO = Decimal(0)
RECENT_RECORDS = 20


def kg_by_facility_year_and_scope(
    *, years=None, facility_ids=None
) -> dict[tuple[int, int], dict[int, Decimal]]:
    """(facility id, year) → scope → kg CO2e as recorded (Scope 2 location-based); one query."""
    totals: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    records = rollup_for(years=years, facility_ids=facility_ids).order_by()
    for row in records.values("facility", "year", "scope").annotate(kg=Sum("co2e_kg")):
        totals[(row["facility"], row["year"])][row["scope"]] = row["kg"]
    return totals


def scope2_market_swap_kg(*, years=None) -> dict[tuple[int, int], Decimal]:
    """(facility id, year) → market-based minus location-based kg of its grid electricity.

    Computed for every facility: organisation-wide certificates are shared among all of them.
    """
    swap: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for row in market_based_scope2(years):
        swap[(row.facility_id, row.year)] += row.market_kg - row.location_kg
    return swap


def gross_kg(by_scope: dict[int, Decimal], swap_kg: Decimal) -> Decimal:
    """Scope 1 + Scope 2 market-based + Scope 3."""
    return sum(by_scope.values(), ZERO) + swap_kg


# The facilities list


@dataclass(frozen=True)
class ListedFacility:
    facility: Facility
    gross_kg: Decimal | None  # in the listing's year; None without records that year
    previous_gross_kg: Decimal | None
    change_pct: Decimal | None
    # The choices' labels, looked up once per listing: get_FOO_display() per row of hundreds
    # rebuilds the choices and translates every label each time.
    kind_label: str = ""
    province_label: str = ""
    grid_region_label: str = ""


@dataclass(frozen=True)
class FacilityListing:
    rows: list[ListedFacility]
    active_count: int
    # The latest year with records (any facility's): every row's emissions are of this year.
    year: int | None


def facility_listing(*, with_emissions: bool) -> FacilityListing:
    facilities = list(facilities_for_listing())
    years = years_with_records() if with_emissions else []
    year = years[-1] if years else None
    totals, swap = {}, {}
    if year is not None:
        wanted = [year - 1, year]
        totals = kg_by_facility_year_and_scope(years=wanted)
        swap = scope2_market_swap_kg(years=wanted)

    def gross(facility, in_year):
        key = (facility.pk, in_year)
        return gross_kg(totals[key], swap.get(key, ZERO)) if key in totals else None

    labels = {name: _choice_labels(name) for name in ("kind", "province", "grid_region")}
    rows = []
    for facility in facilities:
        current = gross(facility, year)
        previous = gross(facility, year - 1) if year is not None else None
        change = percent_change(current, previous) if current is not None else None
        rows.append(
            ListedFacility(
                facility,
                current,
                previous,
                change,
                kind_label=labels["kind"].get(facility.kind, facility.kind),
                province_label=labels["province"].get(facility.province, facility.province),
                grid_region_label=labels["grid_region"].get(
                    facility.grid_region, facility.grid_region
                ),
            )
        )
    return FacilityListing(
        rows=rows,
        active_count=sum(1 for facility in facilities if facility.is_active),
        year=year,
    )


def _choice_labels(field_name: str) -> dict[str, str]:
    return {
        value: str(label) for value, label in Facility._meta.get_field(field_name).flatchoices
    }


# One facility's page


@dataclass(frozen=True)
class FacilityYear:
    """One year of one facility: the stacks add up to gross."""

    year: int
    scope1_kg: Decimal
    scope2_location_kg: Decimal
    scope2_market_kg: Decimal
    scope3_kg: Decimal
    gross_kg: Decimal
    production: Decimal | None
    production_unit: str
    intensity_kg_per_unit: Decimal | None


@dataclass(frozen=True)
class RecentRecord:
    """A record as the ledger shows it: its type's local name, its quantity without padding."""

    record: ActivityRecord
    type_name: str
    quantity: str


@dataclass
class FacilityPage:
    facility: Facility
    rows: list[FacilityYear]
    year: int | None
    current: FacilityYear | None
    change_vs_previous_pct: Decimal | None
    # (category, its label, scope, kg as recorded: Scope 2 location-based), largest first.
    by_category: list[tuple[str, str, int, Decimal]]
    recent_records: list[RecentRecord]
    charts: dict = field(default_factory=dict)

    @property
    def missing_output(self) -> bool:
        return any(row.production is None for row in self.rows)


def facility_page(facility: Facility, *, year: int | None) -> FacilityPage:
    """The facility's page for `year`; without one, for its latest year with records."""
    rows = _facility_years(facility)
    if year is None and rows:
        year = rows[-1].year
    by_year = {row.year: row for row in rows}
    current = by_year.get(year)
    previous = by_year.get(year - 1) if year is not None else None
    page = FacilityPage(
        facility=facility,
        rows=rows,
        year=year,
        current=current,
        change_vs_previous_pct=percent_change(current.gross_kg, previous and previous.gross_kg)
        if current
        else None,
        by_category=_by_category(facility, year),
        recent_records=_recent_records(facility),
    )
    page.charts = {"years": _years_chart(rows)}
    return page


def _facility_years(facility: Facility) -> list[FacilityYear]:
    totals = kg_by_facility_year_and_scope(facility_ids=[facility.pk])
    swap = scope2_market_swap_kg()
    production = production_by_year(facility_ids=[facility.pk])
    rows = []
    for (_facility_id, year), by_scope in sorted(totals.items()):
        swap_kg = swap.get((facility.pk, year), ZERO)
        gross = gross_kg(by_scope, swap_kg)
        output, unit = production.get(year, (None, ""))
        rows.append(
            FacilityYear(
                year=year,
                scope1_kg=by_scope.get(1, ZERO),
                scope2_location_kg=by_scope.get(2, ZERO),
                scope2_market_kg=by_scope.get(2, ZERO) + swap_kg,
                scope3_kg=by_scope.get(3, ZERO),
                gross_kg=gross,
                production=output,
                production_unit=unit,
                intensity_kg_per_unit=(gross / output).quantize(Decimal("0.001"))
                if output
                else None,
            )
        )
    return rows


def _by_category(facility: Facility, year: int | None) -> list[tuple[str, str, int, Decimal]]:
    if year is None:
        return []
    records = rollup_for(years=[year], facility_ids=[facility.pk]).order_by()
    rows = records.values("category").annotate(kg=Sum("co2e_kg")).order_by("-kg", "category")
    labels = dict(Category.choices)
    return [
        (row["category"], labels[row["category"]], scope_of(row["category"]), row["kg"])
        for row in rows
    ]


def _recent_records(facility: Facility) -> list[RecentRecord]:
    records = records_for(facility_ids=[facility.pk]).select_related("facility", "activity_type")
    # Newest first, led by (year, month) so the (facility, year, month) index serves the order.
    records = records.order_by("-year", "-month", "-period_start", "-pk")
    return [
        RecentRecord(record, type_name(record.activity_type), plain_number(record.quantity))
        for record in records[:RECENT_RECORDS]
    ]


def _years_chart(rows: list[FacilityYear]) -> dict:
    return charts.bar_chart(
        [row.year for row in rows],
        [
            charts.dataset(
                _("Scope 1"),
                [charts.tonnes(row.scope1_kg) for row in rows],
                charts.COLOURS["scope1"],
                stack="gross",
            ),
            charts.dataset(
                _("Scope 2 (market-based)"),
                [charts.tonnes(row.scope2_market_kg) for row in rows],
                charts.COLOURS["scope2"],
                stack="gross",
            ),
            charts.dataset(
                _("Scope 3"),
                [charts.tonnes(row.scope3_kg) for row in rows],
                charts.COLOURS["scope3"],
                stack="gross",
            ),
        ],
        stacked=True,
    )
