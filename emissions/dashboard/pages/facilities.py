"""What the facility pages show, shaped from the inventory read model (no sums of its own).

A facility's emissions are over all scopes with Scope 2 market-based (the inventory's
FacilityYear.all_scopes_market_kg), approved and pending records. All amounts are kg (Decimal);
the tables below hold them in tonnes, which the page rounds and a download writes exact.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import ActivityRecord
from emissions.activities.selectors import records_for, years_with_records
from emissions.facilities.models import Facility
from emissions.facilities.selectors import facilities_for_listing, production_by_year
from emissions.factors.taxonomy import Category, scope_of
from emissions.factors.units import display_unit
from emissions.neutrality.inventory import FacilityYear as InventoryYear
from emissions.neutrality.inventory import facility_gross, facility_years, kg_to_t, percent_change

from .. import charts
from ..spreadsheet import Link, Table
from ..tables import TableSpec, ledger_link, year_header
from .ledger import type_name

ZERO = Decimal(0)
RECENT_RECORDS = 20


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
    # Whether the reader may see records: their emissions, and each facility's page.
    with_emissions: bool


def facility_listing(*, with_emissions: bool) -> FacilityListing:
    facilities = list(facilities_for_listing())
    years = years_with_records() if with_emissions else []
    year = years[-1] if years else None
    gross = {}
    if year is not None:
        # Every facility's figure on one basis: all scopes, Scope 2 market-based.
        gross = {
            (row.facility_id, row.year): row.all_scopes_market_kg
            for row in facility_gross(years=[year - 1, year])
        }

    labels = {name: _choice_labels(name) for name in ("kind", "province", "grid_region")}
    rows = []
    for facility in facilities:
        current = gross.get((facility.pk, year))
        previous = gross.get((facility.pk, year - 1)) if year is not None else None
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
        with_emissions=with_emissions,
    )


def _choice_labels(field_name: str) -> dict[str, str]:
    return {value: str(label) for value, label in Facility._meta.get_field(field_name).flatchoices}


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
    """A record as the ledger shows it: with its type's local name."""

    record: ActivityRecord
    type_name: str


@dataclass
class FacilityPage:
    facility: Facility
    rows: list[FacilityYear]
    year: int | None
    current: FacilityYear | None
    change_vs_previous_pct: Decimal | None
    # (category, its label, scope, kg as recorded), largest first, then the market-based
    # adjustment of Scope 2 (category ""), so that the rows add up to the year's gross.
    by_category: list[tuple[str, str, int, Decimal]]
    # The selected year's records, newest first.
    recent_records: list[RecentRecord]
    charts: dict = field(default_factory=dict)

    @property
    def by_category_kg(self) -> Decimal:
        """The category table's total: the headline gross (it carries the Scope 2 adjustment)."""
        return sum((row[3] for row in self.by_category), ZERO)

    @property
    def missing_output(self) -> bool:
        return any(row.production is None for row in self.rows)


def facility_page(facility: Facility, *, year: int | None) -> FacilityPage:
    """The facility's page for `year`; without one, for its latest year with records."""
    inventory = facility_years(facility_ids=[facility.pk])
    rows = _facility_years(facility, inventory)
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
        by_category=_by_category(next((f for f in inventory if f.year == year), None)),
        recent_records=_recent_records(facility, year),
    )
    page.charts = {"years": _years_chart(facility, rows)}
    return page


def _facility_years(facility: Facility, inventory: list[InventoryYear]) -> list[FacilityYear]:
    production = production_by_year(facility_ids=[facility.pk])
    rows = []
    for own in inventory:
        gross = own.all_scopes_market_kg
        output, unit = production.get(own.year, (None, ""))
        rows.append(
            FacilityYear(
                year=own.year,
                scope1_kg=own.scope1_kg,
                scope2_location_kg=own.scope2_location_kg,
                scope2_market_kg=own.scope2_market_kg,
                scope3_kg=own.scope3_kg,
                gross_kg=gross,
                production=output,
                production_unit=unit,
                intensity_kg_per_unit=(gross / output).quantize(Decimal("0.001"))
                if output
                else None,
            )
        )
    return rows


def _by_category(own: InventoryYear | None) -> list[tuple[str, str, int, Decimal]]:
    if own is None:
        return []
    labels = dict(Category.choices)
    rows = sorted(
        ((code, str(labels[code]), scope_of(code), kg) for code, kg in own.kg_by_category.items()),
        key=lambda row: (-row[3], row[0]),
    )
    adjustment = own.scope2_market_adjustment_kg
    if adjustment:
        label = str(_("Scope 2 market-based adjustment (certificates and residual mix)"))
        rows.append(("", label, 2, adjustment))
    return rows


def _recent_records(facility: Facility, year: int | None) -> list[RecentRecord]:
    if year is None:
        return []
    records = records_for(years=[year], facility_ids=[facility.pk])
    records = records.select_related("facility", "activity_type")
    # Newest first, led by (year, month) so the (facility, year, month) index serves the order.
    records = records.order_by("-year", "-month", "-period_start", "-pk")
    return [
        RecentRecord(record, type_name(record.activity_type)) for record in records[:RECENT_RECORDS]
    ]


def _years_chart(facility: Facility, rows: list[FacilityYear]) -> dict:
    def links(scope: int) -> list[str]:
        """Each year's bar opens the facility's records of that year and scope."""
        return [
            charts.ledger_url(facility=facility.code, year=row.year, scope=scope) for row in rows
        ]

    return charts.bar_chart(
        [row.year for row in rows],
        [
            charts.dataset(
                _("Scope 1"),
                [charts.tonnes(row.scope1_kg) for row in rows],
                charts.COLOURS["scope1"],
                stack="gross",
                links=links(1),
            ),
            charts.dataset(
                _("Scope 2 (market-based)"),
                [charts.tonnes(row.scope2_market_kg) for row in rows],
                charts.COLOURS["scope2"],
                stack="gross",
                links=links(2),
            ),
            charts.dataset(
                _("Scope 3"),
                [charts.tonnes(row.scope3_kg) for row in rows],
                charts.COLOURS["scope3"],
                stack="gross",
                links=links(3),
            ),
        ],
        stacked=True,
    )


# Its tables: the page renders each (dashboard/_table.html) and its CSV and XLSX downloads
# write the same Table.


# The facilities list


def facility_list_table(listing: FacilityListing) -> Table:
    header = [
        gettext("Code"),
        gettext("Name"),
        gettext("Kind"),
        gettext("Province"),
        gettext("Grid region"),
        gettext("Country"),
        gettext("Ownership (%)"),
        gettext("Opened"),
        gettext("Status"),
        gettext("Closed on"),
    ]
    formats = ["text", "text", "text", "text", "text", "text", "pct", "date", "text", "date"]
    if listing.year:
        header += [
            gettext("%(year)s (t CO2e)") % {"year": listing.year},
            gettext("Change vs %(year)s (%%)") % {"year": listing.year - 1},
        ]
        formats += ["t", "pct+"]
    rows = []
    for listed in listing.rows:
        f = listed.facility
        code = f.code
        # A facility's page shows its records: linked only for those who may read them.
        if listing.with_emissions:
            code = Link(f.code, reverse("dashboard:facility_detail", args=[f.code]))
        row = [
            code,
            f.local_name,
            listed.kind_label,
            listed.province_label,
            listed.grid_region_label,
            str(f.country),
            f.ownership_share,
            f.opened_on,
            _status(f),
            f.closed_on,
        ]
        if listing.year:
            row += [kg_to_t(listed.gross_kg), listed.change_pct]
        rows.append(row)
    return Table(gettext("Facilities"), header, rows, formats)


def _status(facility: Facility) -> str:
    if facility.is_active:
        return gettext("Active")
    if facility.closed_on:
        return gettext("Closed")
    return gettext("Inactive")


FACILITY_LIST = {"facilities": TableSpec(facility_list_table)}


# One facility's page


def _facility_years_table(p: FacilityPage) -> Table:
    header = [
        gettext("Year"),
        gettext("Scope 1 (t CO2e)"),
        gettext("Scope 2 market-based (t CO2e)"),
        gettext("Scope 2 location-based (t CO2e)"),
        gettext("Scope 3 (t CO2e)"),
        gettext("Gross (t CO2e)"),
    ]
    code = p.facility.code
    # The figures summed from records link to them; market-based Scope 2 and gross are not
    # sums of records (certificates, residual mix).
    rows = [
        [
            r.year,
            ledger_link(kg_to_t(r.scope1_kg), facility=code, year=r.year, scope=1),
            kg_to_t(r.scope2_market_kg),
            ledger_link(kg_to_t(r.scope2_location_kg), facility=code, year=r.year, scope=2),
            ledger_link(kg_to_t(r.scope3_kg), facility=code, year=r.year, scope=3),
            kg_to_t(r.gross_kg),
        ]
        for r in p.rows
    ]
    formats = ["text", "t", "t", "t", "t", "t"]
    return Table(gettext("Emissions per year"), header, rows, formats)


def _facility_intensity_table(p: FacilityPage) -> Table:
    header = [
        gettext("Year"),
        gettext("Gross (t CO2e)"),
        gettext("Production"),
        gettext("Production unit"),
        gettext("Intensity (kg CO2e per unit)"),
    ]
    rows = [
        [r.year, kg_to_t(r.gross_kg), r.production, r.production_unit, r.intensity_kg_per_unit]
        for r in p.rows
    ]
    formats = ["text", "t", "n1", "text", "n1"]
    return Table(gettext("Intensity per year"), header, rows, formats)


def _facility_categories_table(p: FacilityPage) -> Table:
    header = [
        gettext("Category"),
        gettext("Scope"),
        gettext("%(year)s (t CO2e)") % {"year": year_header(p.year)},
    ]
    code = p.facility.code
    rows = [
        # The Scope 2 adjustment (no category) is no sum of records: it has no ledger link.
        [
            label,
            scope,
            ledger_link(kg_to_t(kg), facility=code, year=p.year, category=category)
            if category
            else kg_to_t(kg),
        ]
        for category, label, scope, kg in p.by_category
    ]
    footer = None
    if rows:
        footer = [
            gettext("Gross (all scopes, Scope 2 market-based)"),
            None,
            kg_to_t(p.by_category_kg),
        ]
    formats = ["text", "int", "t"]
    return Table(gettext("By category"), header, rows, formats, footer)


def _facility_records_table(p: FacilityPage) -> Table:
    header = [
        gettext("Record id"),
        gettext("Facility code"),
        gettext("Activity type"),
        gettext("Period start"),
        gettext("Period end"),
        gettext("Quantity"),
        gettext("Unit"),
        gettext("t CO2e"),
    ]
    rows = [
        [
            recent.record.pk,
            recent.record.facility.code,
            Link(recent.type_name, reverse("dashboard:record_detail", args=[recent.record.pk])),
            recent.record.period_start,
            recent.record.period_end,
            recent.record.quantity,
            display_unit(recent.record.unit),
            kg_to_t(recent.record.co2e_kg),
        ]
        for recent in p.recent_records
    ]
    formats = ["text", "text", "text", "date", "date", "as_entered", "text", "t"]
    return Table(
        gettext("Most recent records of %(year)s") % {"year": year_header(p.year)},
        header,
        rows,
        formats,
    )


FACILITY_DETAIL = {
    "years": TableSpec(_facility_years_table),
    "intensity": TableSpec(_facility_intensity_table),
    "categories": TableSpec(_facility_categories_table, per_year=True),
    "records": TableSpec(_facility_records_table),
}
