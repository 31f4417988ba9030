"""What the overview page shows, shaped from the inventory read model (no sums of its own).

All amounts are kg (Decimal); templates show tonnes. For the whole organisation the figures
are the neutrality balance's, within the neutrality target's boundary, Scope 2 market-based,
approved and pending records; the verdict states the year on approved data too, as the report
counts it. For one facility they are its own emissions over all scopes (credits are retired
for the whole organisation and not shown).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emissions.facilities.models import Facility, Organisation
from emissions.facilities.selectors import production_by_year
from emissions.factors.taxonomy import Category
from emissions.neutrality.gap import NeutralityGap, neutrality_gap
from emissions.neutrality.green_power import GreenPowerShare, GreenPowerTarget, organisation_shares
from emissions.neutrality.inventory import (
    BothBases,
    Emissions,
    FacilityYear,
    Pending,
    Scope3Quality,
    YearBalance,
    YearCoverage,
    balances_on_both_bases,
    facility_gross,
    facility_years,
    kg_by_month,
    kg_to_t,
    pathway_kg,
    pending_between,
    pending_records,
    percent_change,
    scope3_quality,
    year_coverage,
)
from emissions.planning.completeness import Completeness, completeness

from .. import charts
from ..spreadsheet import Table
from ..tables import TableSpec, ledger_link, year_header
from .completeness import completeness_sentence

ZERO = Decimal(0)
MONTHS = range(1, 13)


@dataclass(frozen=True)
class YearRow:
    """One year on the road to neutrality: the stacks add up to gross.

    Each scope figure is that scope's part of gross: for the organisation, within the target's
    boundary (the balance's boundary_scope*_kg); for one facility, all of it. scope2_location_kg
    is shown beside them, never stacked.
    """

    year: int
    scope1_kg: Decimal
    scope2_market_kg: Decimal
    scope2_location_kg: Decimal
    scope3_kg: Decimal
    gross_kg: Decimal
    credits_kg: Decimal | None
    net_kg: Decimal | None
    pathway_kg: Decimal | None


@dataclass(frozen=True)
class Verdict:
    """The year's answer to "are we carbon neutral?", on approved data and with pending data."""

    approved: YearBalance | None
    with_pending: YearBalance
    pending: Pending | None

    @property
    def approved_net_kg(self) -> Decimal | None:
        return None if self.approved is None else self.approved.net_kg


@dataclass(frozen=True)
class SameMonths:
    """A partial year against the same months of the year before (all scopes, as recorded)."""

    last_month: int
    kg: Decimal
    previous_kg: Decimal

    @property
    def change_pct(self) -> Decimal | None:
        return percent_change(self.kg, self.previous_kg)


@dataclass(frozen=True)
class Scope3Row:
    category: str
    label: str
    kg: Decimal
    in_boundary: bool


@dataclass
class Overview:
    year: int | None
    facility: Facility | None
    rows: list[YearRow]
    current: YearRow | None
    previous: YearRow | None
    balance: YearBalance | None
    verdict: Verdict | None
    coverage: YearCoverage | None
    same_months: SameMonths | None
    change_vs_previous_pct: Decimal | None
    change_vs_base_pct: Decimal | None
    intensity_kg_per_unit: Decimal | None
    intensity_unit: str
    by_facility: list[tuple[Facility, Decimal]]
    by_month: list[tuple[int, Decimal, Decimal]]
    scope3_by_category: list[Scope3Row]
    electricity: list[tuple[int, Decimal, Decimal, Decimal]]
    pending: Pending | None = None
    # The year's gap to neutrality and the credits that could close it (organisation only).
    gap: NeutralityGap | None = None
    # The year's green-power share against the profile's target share (organisation only).
    green_power: GreenPowerShare | None = None
    # The year's Scope 3 by whose data (supplier-specific, average, spend; organisation only).
    scope3_quality: Scope3Quality | None = None
    # Expected data received so far this year (planning/completeness.py); None without a year.
    completeness: Completeness | None = None

    @property
    def completeness_sentence(self) -> str:
        return completeness_sentence(self.completeness)

    charts: dict = field(default_factory=dict)

    @property
    def is_partial(self) -> bool:
        return self.coverage is not None and self.coverage.is_partial

    @property
    def scope3_outside_boundary(self) -> bool:
        return any(not row.in_boundary for row in self.scope3_by_category)


def build_overview(
    *, year: int | None, facility: Facility | None, coverage: dict | None = None
) -> Overview:
    """The overview of `year`; `coverage` is year_coverage() when the view has read it."""
    facility_ids = None if facility is None else [facility.pk]
    # Every year with pending data, the selected one on approved data too, and the records in
    # review: in one basis's queries.
    read = balances_on_both_bases(approved_years=[] if year is None else [year])
    balances = read.with_pending
    if facility is None:
        years = {b.year: b for b in balances}
        rows = [_organisation_row(b) for b in balances]
    else:
        own = facility_years(facility_ids=facility_ids, balances=balances)
        years = {f.year: f for f in own}
        rows = [_facility_row(f) for f in own]
    by_year = {row.year: row for row in rows}
    current, previous = by_year.get(year), by_year.get(year - 1) if year else None
    balance = next((b for b in balances if b.year == year), None)
    base = by_year.get(balance.base_year) if balance and balance.base_year else None
    production = production_by_year(facility_ids=facility_ids).get(year)
    if coverage is None or facility is not None:
        coverage = year_coverage(facility_ids=facility_ids)
    coverage = coverage.get(year) if year else None
    months = kg_by_month(years=[year - 1, year], facility_ids=facility_ids) if year else {}
    same_months = None
    if coverage is not None and coverage.is_partial and previous is not None:
        same_months = _same_months(year, coverage.last_month, months)
    both = read.both(year) if balance is not None else None
    approved, pending = _approved_and_pending(year, facility_ids, both, years.get(year))

    overview = Overview(
        year=year,
        facility=facility,
        rows=rows,
        current=current,
        previous=previous,
        balance=balance,
        verdict=Verdict(approved, balance, pending)
        if balance is not None and facility is None
        else None,
        coverage=coverage,
        same_months=same_months,
        # A partial year is compared on its months only (same_months), never with a whole year.
        change_vs_previous_pct=percent_change(current.gross_kg, previous and previous.gross_kg)
        if current and same_months is None
        else None,
        change_vs_base_pct=percent_change(current.gross_kg, base and base.gross_kg)
        if current
        else None,
        intensity_kg_per_unit=(current.gross_kg / production[0]).quantize(Decimal("0.001"))
        if current and production
        else None,
        intensity_unit=production[1] if production else "",
        by_facility=_by_facility(year, balance) if facility is None else [],
        by_month=[
            (month, months.get((year, month), ZERO), months.get((year - 1, month), ZERO))
            for month in MONTHS
        ]
        if year
        else [],
        scope3_by_category=_scope3_by_category(years.get(year)),
        electricity=_electricity(balances, years, facility),
        pending=pending,
        gap=neutrality_gap(year, both=both) if both is not None and facility is None else None,
        green_power=_green_power(balance) if facility is None else None,
        scope3_quality=scope3_quality(year, approved_only=False)
        if facility is None and year is not None
        else None,
        completeness=completeness(year, facility=facility) if year is not None else None,
    )
    overview.charts = _charts(overview)
    return overview


def _organisation_row(b: YearBalance) -> YearRow:
    return YearRow(
        year=b.year,
        scope1_kg=b.boundary_scope1_kg,
        scope2_market_kg=b.boundary_scope2_kg,
        scope2_location_kg=b.scope2_location_kg,
        scope3_kg=b.boundary_scope3_kg,
        gross_kg=b.gross_kg,
        credits_kg=b.credits_kg,
        net_kg=b.net_kg,
        pathway_kg=b.pathway_kg,
    )


def _facility_row(f: FacilityYear) -> YearRow:
    return YearRow(
        year=f.year,
        scope1_kg=f.scope1_kg,
        scope2_market_kg=f.scope2_market_kg,
        scope2_location_kg=f.scope2_location_kg,
        scope3_kg=f.scope3_kg,
        gross_kg=f.all_scopes_market_kg,
        credits_kg=None,
        net_kg=None,
        pathway_kg=None,
    )


def _approved_and_pending(year, facility_ids, both: BothBases | None, with_pending):
    """The year's balance on approved data only (what the report says) and what the records
    still in review add to the page's gross, on the page's own basis."""
    if both is None or with_pending is None:
        return None, None
    if facility_ids is None:
        return both.approved, both.pending
    records = pending_records(years=[year], facility_ids=facility_ids).get(year, 0)
    if not records:
        return both.approved, None
    own = facility_years(
        years=[year],
        facility_ids=facility_ids,
        approved_only=True,
        balances=[both.approved] if both.approved else [],
    )
    # A facility's gross is over all scopes: its pending share is taken on that basis.
    pending = pending_between(with_pending, own[0] if own else None, records, all_scopes=True)
    return both.approved, pending


def _green_power(balance: YearBalance | None) -> GreenPowerShare | None:
    """The year's share against the organisation's target: one query (the profile)."""
    if balance is None:
        return None
    (share,) = organisation_shares([balance], GreenPowerTarget.of(Organisation.current()))
    return share


def _same_months(year: int, last_month: int, months: dict) -> SameMonths:
    def total(in_year):
        return sum((kg for (y, m), kg in months.items() if y == in_year and m <= last_month), ZERO)

    return SameMonths(last_month=last_month, kg=total(year), previous_kg=total(year - 1))


def _by_facility(year, balance) -> list[tuple[Facility, Decimal]]:
    """Each facility's gross within the target boundary: they add up to the headline gross."""
    if year is None or balance is None:
        return []
    rows = facility_gross(years=[year], balances=[balance])
    facilities = Facility.objects.in_bulk([row.facility_id for row in rows])
    ranked = sorted(rows, key=lambda row: (-row.gross_kg, facilities[row.facility_id].code))
    return [(facilities[row.facility_id], row.gross_kg) for row in ranked]


def _scope3_by_category(emissions: Emissions | None) -> list[Scope3Row]:
    if emissions is None:
        return []
    labels = dict(Category.choices)
    rows = [
        Scope3Row(code, str(labels[code]), kg, emissions.boundary.covers_category(code))
        for code, kg in emissions.scope3_kg_by_category.items()
    ]
    return sorted(rows, key=lambda row: (-row.kg, row.category))


def _electricity(balances, years, facility) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(year, grid kWh not covered by certificates, certificate kWh, on-site renewable kWh)."""
    rows = []
    for b in balances:
        if facility is None:
            scope2_rows, onsite = b.scope2_facilities, b.onsite_renewable_kwh
        else:
            own = years.get(b.year)
            if own is None:
                continue
            scope2_rows = [own.scope2] if own.scope2 else []
            onsite = own.onsite_renewable_kwh
        certificates = sum((r.certificate_kwh for r in scope2_rows), ZERO)
        grid = sum((r.grid_kwh for r in scope2_rows), ZERO) - certificates
        rows.append((b.year, grid, certificates, onsite))
    return rows


def _charts(o: Overview) -> dict:
    years = [row.year for row in o.rows]
    # A bar opens the ledger filtered as the figure is: its year, scope and the page's facility.
    code = o.facility.code if o.facility else None

    def ledger(**query):
        return charts.ledger_url(facility=code, **query)

    road = [
        charts.dataset(
            _("Scope 1"),
            [charts.tonnes(r.scope1_kg) for r in o.rows],
            charts.COLOURS["scope1"],
            stack="gross",
            links=[ledger(year=r.year, scope=1) for r in o.rows],
        ),
        charts.dataset(
            _("Scope 2 (market-based)"),
            [charts.tonnes(r.scope2_market_kg) for r in o.rows],
            charts.COLOURS["scope2"],
            stack="gross",
            links=[ledger(year=r.year, scope=2) for r in o.rows],
        ),
        charts.dataset(
            _("Scope 3"),
            [charts.tonnes(r.scope3_kg) for r in o.rows],
            charts.COLOURS["scope3"],
            stack="gross",
            links=[ledger(year=r.year, scope=3) for r in o.rows],
        ),
    ]
    labels = list(years)
    if o.facility is None:
        # The balance already knows the neutrality target (no second query).
        target = o.balance.target if o.balance else None
        labels = _road_years(o, target)
        base_kg = o.balance.base_gross_kg if o.balance else None
        # Every year on the axis takes the inventory's own pathway rule, past the data too.
        pathway = [_pathway_t(target, base_kg, year) for year in labels]
        road += [
            charts.dataset(
                _("Credits retired"),
                [-charts.tonnes(r.credits_kg) for r in o.rows],
                charts.COLOURS["credits"],
                stack="credits",
                links=[_offsets_url(r.year) for r in o.rows],
            ),
            charts.dataset(
                _("Net"),
                [charts.tonnes(r.net_kg) for r in o.rows],
                charts.COLOURS["net"],
                # Lines get a stack of their own, or Chart.js piles them onto each other.
                stack="net",
                type="line",
                fill=False,
                tension=0,
            ),
            charts.dataset(
                _("Target pathway"),
                pathway,
                charts.COLOURS["pathway"],
                stack="pathway",
                type="line",
                fill=False,
                borderDash=[6, 4],
                pointRadius=0,
                spanGaps=True,
            ),
        ]
    road_chart = charts.bar_chart(labels, road, stacked=True)

    current = o.current
    scope_chart = charts.bar_chart(
        [_("Scope 1"), _("Scope 2 location"), _("Scope 2 market"), _("Scope 3")],
        [
            charts.dataset(
                str(o.year or ""),
                [
                    charts.tonnes(current.scope1_kg) if current else 0,
                    charts.tonnes(current.scope2_location_kg) if current else 0,
                    charts.tonnes(current.scope2_market_kg) if current else 0,
                    charts.tonnes(current.scope3_kg) if current else 0,
                ],
                [
                    charts.COLOURS["scope1"],
                    charts.COLOURS["scope2_location"],
                    charts.COLOURS["scope2"],
                    charts.COLOURS["scope3"],
                ],
                links=[ledger(year=o.year, scope=scope) for scope in (1, 2, 2, 3)],
            )
        ],
    )
    scope_chart["options"]["plugins"]["legend"] = {"display": False}

    # Facilities by name, in the page's language; a bar opens that facility's page.
    facility_chart = charts.bar_chart(
        [f.local_name for f, _kg in o.by_facility],
        [
            charts.dataset(
                _("tCO2e"),
                [charts.tonnes(kg) for _f, kg in o.by_facility],
                charts.COLOURS["scope1"],
                links=[charts.facility_url(f.code, year=o.year) for f, _kg in o.by_facility],
            )
        ],
        horizontal=True,
    )
    facility_chart["options"]["plugins"]["legend"] = {"display": False}

    last_year = o.year - 1 if o.year else None
    month_chart = charts.bar_chart(
        [charts.month_label(month) for month, _this, _last in o.by_month],
        [
            charts.dataset(
                str((o.year or 0) - 1),
                [charts.tonnes(last) for _m, _t, last in o.by_month],
                charts.COLOURS["last_year"],
                links=[ledger(year=last_year, month=m) for m, _t, _l in o.by_month],
            ),
            charts.dataset(
                str(o.year or ""),
                [charts.tonnes(this) for _m, this, _l in o.by_month],
                charts.COLOURS["this_year"],
                links=[ledger(year=o.year, month=m) for m, _t, _l in o.by_month],
            ),
        ],
    )

    scope3_chart = charts.bar_chart(
        [row.label for row in o.scope3_by_category],
        [
            charts.dataset(
                _("tCO2e"),
                [charts.tonnes(row.kg) for row in o.scope3_by_category],
                charts.PALETTE[: len(o.scope3_by_category)] or charts.COLOURS["scope3"],
                links=[ledger(year=o.year, category=row.category) for row in o.scope3_by_category],
            )
        ],
        horizontal=True,
    )
    scope3_chart["options"]["plugins"]["legend"] = {"display": False}

    def mwh(kwh):
        return round(float(kwh / 1000), 1)

    electricity_chart = charts.bar_chart(
        [year for year, *_rest in o.electricity],
        [
            charts.dataset(
                _("Grid"),
                [mwh(grid) for _y, grid, _c, _o in o.electricity],
                charts.COLOURS["grid"],
                links=[ledger(year=year, scope=2) for year, *_rest in o.electricity],
            ),
            charts.dataset(
                _("Certificates"),
                [mwh(c) for _y, _g, c, _o in o.electricity],
                charts.COLOURS["certificates"],
                links=[_offsets_url(year) for year, *_rest in o.electricity],
            ),
            charts.dataset(
                _("On-site renewables"),
                [mwh(s) for _y, _g, _c, s in o.electricity],
                charts.COLOURS["onsite"],
            ),
        ],
        stacked=True,
        y_title="MWh",
    )
    return {
        "road": road_chart,
        "scopes": scope_chart,
        "facilities": facility_chart,
        "months": month_chart,
        "scope3": scope3_chart,
        "electricity": electricity_chart,
    }


def _offsets_url(year: int) -> str:
    """The offsets page of a year: its credits retired and certificates."""
    return f"{reverse('dashboard:offsets')}?{urlencode({'year': year})}"


def _road_years(o: Overview, target) -> list[int]:
    """The years with data, extended to the neutrality target's year when it lies ahead."""
    years = [row.year for row in o.rows]
    if target is not None and years and target.target_year > years[-1]:
        years += list(range(years[-1] + 1, target.target_year + 1))
    return years


def _pathway_t(target, base_kg: Decimal | None, year: int) -> float | None:
    kg = None if target is None or base_kg is None else pathway_kg(target, base_kg, year)
    return None if kg is None else charts.tonnes(kg)


# Its tables: the page renders each (dashboard/_table.html) and its CSV and XLSX downloads
# write the same Table.


def _road_table(o: Overview) -> Table:
    header = [
        gettext("Year"),
        gettext("Scope 1 (t CO2e)"),
        gettext("Scope 2 market-based (t CO2e)"),
        gettext("Scope 3 (t CO2e)"),
        gettext("Gross (t CO2e)"),
    ]
    if o.facility is None:
        header += [
            gettext("Credits retired (t CO2e)"),
            gettext("Net (t CO2e)"),
            gettext("Pathway (t CO2e)"),
        ]
    # The ledger filtered as the figure is: the year, the scope and the page's facility.
    facility = {} if o.facility is None else {"facility": o.facility.code}
    rows = []
    for r in o.rows:
        row = [
            r.year,
            ledger_link(kg_to_t(r.scope1_kg), year=r.year, scope=1, **facility),
            ledger_link(kg_to_t(r.scope2_market_kg), year=r.year, scope=2, **facility),
            ledger_link(kg_to_t(r.scope3_kg), year=r.year, scope=3, **facility),
            kg_to_t(r.gross_kg),
        ]
        if o.facility is None:
            row += [kg_to_t(r.credits_kg), kg_to_t(r.net_kg), kg_to_t(r.pathway_kg)]
        rows.append(row)
    formats = ["text", *["t"] * (len(header) - 1)]
    return Table(gettext("Road to neutrality"), header, rows, formats)


def _scopes_table(o: Overview) -> Table:
    c = o.current
    rows = []
    if c is not None:
        rows = [
            [gettext("Scope 1"), kg_to_t(c.scope1_kg)],
            [gettext("Scope 2 location-based"), kg_to_t(c.scope2_location_kg)],
            [gettext("Scope 2 market-based"), kg_to_t(c.scope2_market_kg)],
            [gettext("Scope 3"), kg_to_t(c.scope3_kg)],
        ]
    header = [gettext("Scope"), gettext("%(year)s (t CO2e)") % {"year": year_header(o.year)}]
    return Table(gettext("By scope"), header, rows, ["text", "t"])


def _facilities_table(o: Overview) -> Table:
    header = [
        gettext("Facility code"),
        gettext("Facility"),
        gettext("%(year)s (t CO2e)") % {"year": year_header(o.year)},
    ]
    rows = [
        [f.code, ledger_link(f.local_name, year=o.year, facility=f.code), kg_to_t(kg)]
        for f, kg in o.by_facility
    ]
    return Table(gettext("By facility"), header, rows, ["text", "text", "t"])


def _months_table(o: Overview) -> Table:
    header = [
        gettext("Month"),
        gettext("%(year)s (t CO2e, all scopes, Scope 2 location-based)")
        % {"year": year_header(o.year, -1)},
        gettext("%(year)s (t CO2e, all scopes, Scope 2 location-based)")
        % {"year": year_header(o.year)},
    ]
    rows = [[month, kg_to_t(last), kg_to_t(this)] for month, this, last in o.by_month]
    return Table(gettext("By month"), header, rows, ["text", "t", "t"])


def _scope3_table(o: Overview) -> Table:
    header = [
        gettext("Category"),
        gettext("%(year)s (t CO2e)") % {"year": year_header(o.year)},
        gettext("Within the target boundary"),
    ]
    rows = [
        [row.label, kg_to_t(row.kg), gettext("Yes") if row.in_boundary else gettext("No")]
        for row in o.scope3_by_category
    ]
    return Table(gettext("Scope 3 by category"), header, rows, ["text", "t", "text"])


def _electricity_table(o: Overview) -> Table:
    header = [
        gettext("Year"),
        gettext("Grid (MWh)"),
        gettext("Certificates (MWh)"),
        gettext("On-site renewables (MWh)"),
    ]
    # kWh → MWh moves the decimal point as kg → t does.
    rows = [[year, kg_to_t(grid), kg_to_t(c), kg_to_t(s)] for year, grid, c, s in o.electricity]
    return Table(gettext("Electricity by source"), header, rows, ["text", "mwh", "mwh", "mwh"])


OVERVIEW = {
    "road": TableSpec(_road_table),
    "scopes": TableSpec(_scopes_table, per_year=True),
    "facilities": TableSpec(_facilities_table, per_year=True),
    "months": TableSpec(_months_table, per_year=True),
    "scope3": TableSpec(_scope3_table, per_year=True),
    "electricity": TableSpec(_electricity_table),
}
