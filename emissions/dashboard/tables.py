"""Every table a dashboard page shows, as rows of exact values for its CSV and XLSX downloads.

Each function reads the object the page's own builder returned (build_overview(),
facility_page(), …), so a download holds the page's numbers — unrounded: kg become tonnes and
kWh MWh by moving the decimal point, never by dividing into a float. The headers carry the
units. A table is registered under the name its download URL uses; its `per_year` says
whether the page's year filter changes it (and so belongs in the file name).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from emissions.neutrality.inventory import kg_to_t

from .facilities_page import FacilityListing, FacilityPage
from .instruments_page import InstrumentsPage
from .overview import Overview
from .spreadsheet import Table
from .targets_page import TargetRow, TargetsPage


def _year(year: int | None, offset: int = 0) -> str:
    """A year for a header; "—" before there is any activity data."""
    return "—" if year is None else str(year + offset)


@dataclass(frozen=True)
class TableSpec:
    build: Callable[..., Table]
    per_year: bool = False


# The overview


def _road(o: Overview) -> Table:
    header = [
        _("Year"),
        _("Scope 1 (t CO2e)"),
        _("Scope 2 market-based (t CO2e)"),
        _("Scope 3 (t CO2e)"),
        _("Gross (t CO2e)"),
    ]
    if o.facility is None:
        header += [_("Credits retired (t CO2e)"), _("Net (t CO2e)"), _("Pathway (t CO2e)")]
    rows = []
    for r in o.rows:
        row = [
            r.year,
            kg_to_t(r.scope1_kg),
            kg_to_t(r.scope2_market_kg),
            kg_to_t(r.scope3_kg),
            kg_to_t(r.gross_kg),
        ]
        if o.facility is None:
            row += [kg_to_t(r.credits_kg), kg_to_t(r.net_kg), kg_to_t(r.pathway_kg)]
        rows.append(row)
    return Table(_("Road to neutrality"), header, rows)


def _scopes(o: Overview) -> Table:
    c = o.current
    rows = []
    if c is not None:
        rows = [
            [_("Scope 1"), kg_to_t(c.scope1_kg)],
            [_("Scope 2 location-based"), kg_to_t(c.scope2_location_kg)],
            [_("Scope 2 market-based"), kg_to_t(c.scope2_market_kg)],
            [_("Scope 3"), kg_to_t(c.scope3_kg)],
        ]
    header = [_("Scope"), _("%(year)s (t CO2e)") % {"year": _year(o.year)}]
    return Table(_("By scope"), header, rows)


def _facilities(o: Overview) -> Table:
    header = [
        _("Facility code"),
        _("Facility"),
        _("%(year)s (t CO2e)") % {"year": _year(o.year)},
    ]
    rows = [[f.code, f.local_name, kg_to_t(kg)] for f, kg in o.by_facility]
    return Table(_("By facility"), header, rows)


def _months(o: Overview) -> Table:
    header = [
        _("Month"),
        _("%(year)s (t CO2e, all scopes, Scope 2 location-based)") % {"year": _year(o.year, -1)},
        _("%(year)s (t CO2e, all scopes, Scope 2 location-based)") % {"year": _year(o.year)},
    ]
    rows = [[month, kg_to_t(last), kg_to_t(this)] for month, this, last in o.by_month]
    return Table(_("By month"), header, rows)


def _scope3(o: Overview) -> Table:
    header = [
        _("Category"),
        _("%(year)s (t CO2e)") % {"year": _year(o.year)},
        _("Within the target boundary"),
    ]
    rows = [
        [row.label, kg_to_t(row.kg), _("Yes") if row.in_boundary else _("No")]
        for row in o.scope3_by_category
    ]
    return Table(_("Scope 3 by category"), header, rows)


def _electricity(o: Overview) -> Table:
    header = [
        _("Year"),
        _("Grid (MWh)"),
        _("Certificates (MWh)"),
        _("On-site renewables (MWh)"),
    ]
    rows = [[year, kg_to_t(grid), kg_to_t(c), kg_to_t(s)] for year, grid, c, s in o.electricity]
    return Table(_("Electricity by source"), header, rows)


OVERVIEW = {
    "road": TableSpec(_road),
    "scopes": TableSpec(_scopes, per_year=True),
    "facilities": TableSpec(_facilities, per_year=True),
    "months": TableSpec(_months, per_year=True),
    "scope3": TableSpec(_scope3, per_year=True),
    "electricity": TableSpec(_electricity),
}


# The facilities list


def facility_list_table(listing: FacilityListing) -> Table:
    header = [
        _("Code"),
        _("Name"),
        _("Kind"),
        _("Province"),
        _("Grid region"),
        _("Country"),
        _("Ownership (%)"),
        _("Opened"),
        _("Status"),
        _("Closed on"),
    ]
    if listing.year:
        header += [
            _("%(year)s (t CO2e)") % {"year": listing.year},
            _("Change vs %(year)s (%%)") % {"year": listing.year - 1},
        ]
    rows = []
    for listed in listing.rows:
        f = listed.facility
        if f.is_active:
            status = _("Active")
        elif f.closed_on:
            status = _("Closed")
        else:
            status = _("Inactive")
        row = [
            f.code,
            f.local_name,
            f.get_kind_display(),
            f.get_province_display(),
            f.get_grid_region_display(),
            str(f.country),
            f.ownership_share,
            f.opened_on,
            status,
            f.closed_on,
        ]
        if listing.year:
            row += [kg_to_t(listed.gross_kg), listed.change_pct]
        rows.append(row)
    return Table(_("Facilities"), header, rows)


FACILITY_LIST = {"facilities": TableSpec(facility_list_table)}


# One facility's page


def _facility_years(p: FacilityPage) -> Table:
    header = [
        _("Year"),
        _("Scope 1 (t CO2e)"),
        _("Scope 2 market-based (t CO2e)"),
        _("Scope 2 location-based (t CO2e)"),
        _("Scope 3 (t CO2e)"),
        _("Gross (t CO2e)"),
    ]
    rows = [
        [
            r.year,
            kg_to_t(r.scope1_kg),
            kg_to_t(r.scope2_market_kg),
            kg_to_t(r.scope2_location_kg),
            kg_to_t(r.scope3_kg),
            kg_to_t(r.gross_kg),
        ]
        for r in p.rows
    ]
    return Table(_("Emissions per year"), header, rows)


def _facility_intensity(p: FacilityPage) -> Table:
    header = [
        _("Year"),
        _("Gross (t CO2e)"),
        _("Production"),
        _("Production unit"),
        _("Intensity (kg CO2e per unit)"),
    ]
    rows = [
        [r.year, kg_to_t(r.gross_kg), r.production, r.production_unit, r.intensity_kg_per_unit]
        for r in p.rows
    ]
    return Table(_("Intensity per year"), header, rows)


def _facility_categories(p: FacilityPage) -> Table:
    header = [
        _("Category"),
        _("Scope"),
        _("%(year)s (t CO2e)") % {"year": _year(p.year)},
    ]
    rows = [[str(label), scope, kg_to_t(kg)] for _code, label, scope, kg in p.by_category]
    if rows:
        rows.append(
            [_("Gross (all scopes, Scope 2 market-based)"), None, kg_to_t(p.by_category_kg)]
        )
    return Table(_("By category"), header, rows)


def _facility_records(p: FacilityPage) -> Table:
    header = [
        _("Record id"),
        _("Facility code"),
        _("Activity type"),
        _("Period start"),
        _("Period end"),
        _("Quantity"),
        _("Unit"),
        _("t CO2e"),
    ]
    rows = [
        [
            recent.record.pk,
            recent.record.facility.code,
            recent.type_name,
            recent.record.period_start,
            recent.record.period_end,
            recent.record.quantity,
            recent.record.unit,
            kg_to_t(recent.record.co2e_kg),
        ]
        for recent in p.recent_records
    ]
    return Table(_("Most recent records of %(year)s") % {"year": _year(p.year)}, header, rows)


FACILITY_DETAIL = {
    "years": TableSpec(_facility_years),
    "intensity": TableSpec(_facility_intensity),
    "categories": TableSpec(_facility_categories, per_year=True),
    "records": TableSpec(_facility_records),
}


# Offsets and certificates: the tables show every year whatever the year filter.


def _vintages(p: InstrumentsPage) -> Table:
    header = [
        _("Vintage"),
        _("Project type"),
        _("Removal or avoidance"),
        _("Bought (t CO2e)"),
        _("Retired (t CO2e)"),
        _("Remaining (t CO2e)"),
    ]
    rows = [
        [r.vintage_year, str(r.project_type), str(r.kind), r.quantity_t, r.retired_t, r.remaining_t]
        for r in p.vintages
    ]
    rows.append([_("Total"), None, None, p.bought_t, p.retired_t, p.held_t])
    return Table(_("Credits by vintage"), header, rows)


def _projects(p: InstrumentsPage) -> Table:
    header = [
        _("Project"),
        _("Standard / registry"),
        _("Registry project id"),
        _("Project type"),
        _("Removal or avoidance"),
        _("Bought (t CO2e)"),
        _("Retired (t CO2e)"),
        _("Remaining (t CO2e)"),
    ]
    rows = [
        [
            r.name,
            str(r.standard),
            r.registry_project_id,
            str(r.project_type),
            str(r.kind),
            r.quantity_t,
            r.retired_t,
            r.remaining_t,
        ]
        for r in p.projects
    ]
    return Table(_("Credit projects"), header, rows)


def _retired(p: InstrumentsPage) -> Table:
    header = [
        _("Reporting year"),
        _("Removals (t CO2e)"),
        _("Avoidance / reduction (t CO2e)"),
        _("Total (t CO2e)"),
    ]
    rows = [[r.year, r.removal_t, r.avoidance_t, r.total_t] for r in p.retired_years]
    return Table(_("Removals and avoidance"), header, rows)


def _coverage(p: InstrumentsPage) -> Table:
    header = [
        _("Reporting year"),
        _("Gross emissions (t CO2e)"),
        _("Credits retired (t CO2e)"),
        _("Coverage (%)"),
    ]
    rows = [[r.year, kg_to_t(r.gross_kg), r.total_t, r.coverage_pct] for r in p.credit_years]
    return Table(_("Credits against emissions"), header, rows)


def _planting(p: InstrumentsPage) -> Table:
    header = [
        _("Name"),
        _("Area (ha)"),
        _("Species"),
        _("Planting year"),
        _("Estimated (t CO2 per year)"),
    ]
    rows = [
        [t.name, t.area_ha, t.species, t.planting_year, t.sequestration_t_per_year]
        for t in p.plantings
    ]
    return Table(_("Own tree planting"), header, rows)


def _certificates(p: InstrumentsPage) -> Table:
    header = [
        _("Reporting year"),
        _("Facility code"),
        _("Applied to"),
        _("Certificates (MWh)"),
        _("Of which renewable (MWh)"),
        _("Factor (kg CO2e/kWh)"),
    ]
    rows = [
        [
            r.year,
            r.facility.code if r.facility else None,
            r.facility.local_name if r.facility else _("Whole organisation"),
            r.mwh,
            r.renewable_mwh,
            r.kg_co2e_per_kwh,
        ]
        for r in p.certificates
    ]
    return Table(_("Energy certificates"), header, rows)


def _allowances(p: InstrumentsPage) -> Table:
    header = [
        _("Compliance year"),
        _("Facility code"),
        _("Facility"),
        _("Allocated (t CO2)"),
        _("Purchased (t CO2)"),
        _("Sold (t CO2)"),
        _("Surrendered (t CO2)"),
        _("Balance (t CO2)"),
    ]
    rows = [
        [
            r.year,
            r.facility.code,
            r.facility.local_name,
            r.allocated_t,
            r.purchased_t,
            r.sold_t,
            r.surrendered_t,
            r.held_t,
        ]
        for r in p.allowances
    ]
    return Table(_("ETS allowances"), header, rows)


def _ets_credits(p: InstrumentsPage) -> Table:
    header = [_("Compliance year"), _("Credits retired for ETS compliance (t CO2e)")]
    return Table(_("Credits for ETS"), header, [[year, t] for year, t in p.ets_credits])


INSTRUMENTS = {
    "vintages": TableSpec(_vintages),
    "projects": TableSpec(_projects),
    "retired": TableSpec(_retired),
    "coverage": TableSpec(_coverage),
    "planting": TableSpec(_planting),
    "certificates": TableSpec(_certificates),
    "allowances": TableSpec(_allowances),
    "ets-credits": TableSpec(_ets_credits),
}


# Targets and initiatives


def _targets(p: TargetsPage) -> Table:
    """One row per target card: emissions in t CO2e, renewable shares in % (apart)."""
    year = _year(p.year)
    header = [
        _("Target"),
        _("Kind"),
        _("Coverage"),
        _("Base year"),
        _("Base year (t CO2e)"),
        _("Base year (%)"),
        _("Target year"),
        _("Goal (t CO2e)"),
        _("Goal (%)"),
        _("Reduction against the base year (%)"),
        _("Measured on"),
        _("%(year)s (t CO2e)") % {"year": year},
        _("%(year)s pathway (t CO2e)") % {"year": year},
        _("%(year)s (%%)") % {"year": year},
        _("%(year)s pathway (%%)") % {"year": year},
        _("Progress"),
    ]
    rows = []
    for row in p.targets:
        t, selected = row.target, row.selected
        tonnes = not row.is_share
        on_track = {True: _("On track"), False: _("Off track"), None: None}[row.on_track]
        rows.append(
            [
                t.name,
                t.get_kind_display(),
                ", ".join(str(item) for item in row.coverage),
                t.base_year,
                kg_to_t(row.base_value) if tonnes else None,
                None if tonnes else row.base_value,
                t.target_year,
                kg_to_t(row.goal_value) if tonnes else None,
                None if tonnes else row.goal_value,
                t.reduction_pct if tonnes else None,
                _measure(row),
                kg_to_t(selected.actual) if selected and tonnes else None,
                kg_to_t(selected.pathway) if selected and tonnes else None,
                selected.actual if selected and not tonnes else None,
                selected.pathway if selected and not tonnes else None,
                on_track,
            ]
        )
    return Table(_("Targets"), header, rows)


def _measure(row: TargetRow) -> str:
    if row.is_share:
        return _("Renewable share of electricity")
    return _("Net emissions") if row.is_net else _("Gross emissions")


def pathway_table(row: TargetRow) -> Table:
    if row.is_share:
        header = [_("Year"), _("Renewable share (%)"), _("Pathway (%)")]
        rows = [[point.year, point.actual, point.pathway] for point in row.points]
    elif row.is_net:
        header = [_("Year"), _("Gross (t CO2e)"), _("Net (t CO2e)"), _("Pathway (t CO2e)")]
        rows = [
            [point.year, kg_to_t(point.gross), kg_to_t(point.actual), kg_to_t(point.pathway)]
            for point in row.points
        ]
    else:
        header = [_("Year"), _("Gross (t CO2e)"), _("Pathway (t CO2e)")]
        rows = [[point.year, kg_to_t(point.actual), kg_to_t(point.pathway)] for point in row.points]
    return Table(row.target.name, header, rows)


def _initiatives(p: TargetsPage) -> Table:
    header = [
        _("Title"),
        _("Facility"),
        _("Kind"),
        _("Status"),
        _("Start"),
        _("Abatement (t CO2e per year)"),
        _("Cumulative (t CO2e per year)"),
        _("Capital cost"),
        _("Annual saving"),
        _("Currency"),
        _("Lifetime (years)"),
        _("Cost per t CO2e"),
    ]
    rows = []
    for row in p.initiatives:
        i = row.initiative
        rows.append(
            [
                i.title,
                i.facility.code if i.facility else _("All sites"),
                i.get_kind_display(),
                i.get_status_display(),
                i.start_date,
                row.abatement_t,
                row.cumulative_t,
                i.capex,
                i.annual_saving,
                i.currency,
                i.lifetime_years,
                row.cost_per_t,
            ]
        )
    rows.append([_("Total"), None, None, None, None, p.abatement_t, *[None] * 6])
    return Table(_("Reduction initiatives"), header, rows)


TARGETS = {
    "targets": TableSpec(_targets, per_year=True),
    "initiatives": TableSpec(_initiatives),
}
