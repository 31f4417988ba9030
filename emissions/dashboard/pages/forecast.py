"""The forecast page (one scenario's road to the neutrality year: wedge chart, years, levers and
their cost curve, offsets budget) and the comparison of scenarios side by side.

planning/forecast.py and planning/budget.py compute; this module only shapes what they return.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext
from django.utils.translation import gettext as _

from emissions.facilities.models import OutputMetric
from emissions.neutrality.inventory import kg_to_t
from emissions.neutrality.models import InitiativeKind
from emissions.planning.budget import OffsetsBudget, offsets_budget
from emissions.planning.forecast import Forecast, Lever, build_forecast
from emissions.planning.models import Scenario

from .. import charts
from ..spreadsheet import Table
from ..tables import TableSpec

# At most this many scenarios side by side, besides the committed plans alone.
MOST_COMPARED = 4
WEDGE_COLOURS = dict(zip([kind.value for kind in InitiativeKind], charts.PALETTE, strict=False))


@dataclass(frozen=True)
class Outlook:
    """A scenario's forecast and offsets budget (scenario None: committed initiatives only)."""

    scenario: Scenario | None
    forecast: Forecast
    budget: OffsetsBudget

    @property
    def name(self) -> str:
        if self.scenario is None:
            return gettext("Committed initiatives only")
        return self.scenario.local_name

    @property
    def total_cost(self) -> Decimal | None:
        credits = self.budget.cost
        return None if credits is None else credits + self.forecast.levers_cost


def outlook(scenario: Scenario | None) -> Outlook | None:
    forecast = build_forecast(scenario)
    if forecast is None:
        return None
    return Outlook(scenario, forecast, offsets_budget(forecast))


@dataclass
class ForecastPage:
    outlook: Outlook | None
    scenarios: list[Scenario]
    ignored: list[str] = field(default_factory=list)

    @property
    def forecast(self) -> Forecast | None:
        return self.outlook.forecast if self.outlook else None

    @property
    def scenario(self) -> Scenario | None:
        return self.outlook.scenario if self.outlook else None

    @cached_property
    def mac_levers(self) -> list[tuple[int, Lever, Decimal]]:
        """(number, lever, where its bar ends in t a year): cheapest per tonne first."""
        if self.forecast is None:
            return []
        priced = [lever for lever in self.forecast.levers if lever.cost_per_t is not None]
        priced.sort(key=lambda lever: (lever.cost_per_t, lever.title))
        rows, end = [], Decimal(0)
        for number, lever in enumerate(priced, start=1):
            end += kg_to_t(lever.full_year_kg)
            rows.append((number, lever, end))
        return rows

    @property
    def wedge_chart(self) -> dict:
        f = self.forecast
        years = [row.year for row in f.years]
        wedges = [
            (
                InitiativeKind(wedge).label,
                [charts.tonnes(row.wedges_kg.get(wedge)) for row in f.years],
                WEDGE_COLOURS[wedge],
            )
            for wedge in f.wedges
        ]
        return charts.wedge_chart(
            years,
            bau=[charts.tonnes(row.bau_kg) for row in f.years],
            wedges=wedges,
            residual=[charts.tonnes(row.residual_kg) for row in f.years],
            pathway=[
                None if row.pathway_kg is None else charts.tonnes(row.pathway_kg) for row in f.years
            ],
        )

    @property
    def mac_chart(self) -> dict:
        currencies = sorted({lever.currency for _n, lever, _e in self.mac_levers})
        if len(currencies) == 1:
            unit = _("%(currency)s per tCO2e") % {"currency": currencies[0]}
        else:
            unit = _("Cost per tCO2e (currencies as entered)")
        bars = [
            (number, lever.title, end - kg_to_t(lever.full_year_kg), end, lever.cost_per_t)
            for number, lever, end in self.mac_levers
        ]
        return charts.mac_chart(bars, unit)


def build_forecast_page(scenario: Scenario | None, scenarios: list[Scenario], ignored=None):
    return ForecastPage(outlook(scenario), scenarios, list(ignored or []))


@dataclass
class ComparePage:
    outlooks: list[Outlook]
    scenarios: list[Scenario]
    chosen: list[int]
    ignored: list[str] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return [row.year for row in self.outlooks[0].forecast.years] if self.outlooks else []

    @property
    def chart(self) -> dict:
        """Each scenario's residual per year, and the target pathway."""
        first = self.outlooks[0].forecast
        series = [
            charts.dataset(
                o.name,
                [charts.tonnes(row.residual_kg) for row in o.forecast.years],
                charts.PALETTE[index % len(charts.PALETTE)],
                type="line",
                fill=False,
                borderWidth=2,
                pointRadius=2,
            )
            for index, o in enumerate(self.outlooks)
        ]
        pathway = [
            None if row.pathway_kg is None else charts.tonnes(row.pathway_kg) for row in first.years
        ]
        series.append(charts.pathway_dataset(pathway))
        chart = charts.bar_chart(self.years, series)
        chart["type"] = "line"
        chart["options"]["scales"]["y"]["beginAtZero"] = True
        return chart


def build_compare_page(chosen: list[Scenario], scenarios: list[Scenario], ignored=None):
    outlooks = [o for o in (outlook(s) for s in [None, *chosen]) if o is not None]
    return ComparePage(outlooks, scenarios, [s.pk for s in chosen], list(ignored or []))


# Tables (the page and its CSV/XLSX downloads)


def _years_table(p: ForecastPage) -> Table:
    f = p.forecast
    wedges = f.wedges
    header = [
        gettext("Year"),
        gettext("Business as usual (t CO2e)"),
        *[gettext("%(wedge)s (t CO2e)") % {"wedge": InitiativeKind(w).label} for w in wedges],
        gettext("Residual (t CO2e)"),
        gettext("Target pathway (t CO2e)"),
        gettext("Residual over the pathway (t CO2e)"),
        gettext("Cost of the measures"),
    ]
    rows = [
        [
            gettext("%(year)s (actual)") % {"year": row.year} if row.is_actual else str(row.year),
            kg_to_t(row.bau_kg),
            *[kg_to_t(row.wedges_kg.get(w, Decimal(0))) for w in wedges],
            kg_to_t(row.residual_kg),
            kg_to_t(row.pathway_kg),
            kg_to_t(row.over_pathway_kg),
            None if row.is_actual else row.cost,
        ]
        for row in f.years
    ]
    formats = ["text", "t", *["t"] * len(wedges), "t", "t", "t", "n0"]
    return Table(gettext("Forecast by year"), header, rows, formats)


def _levers_table(p: ForecastPage) -> Table:
    header = [
        gettext("Measure"),
        gettext("Wedge"),
        gettext("Facility"),
        gettext("First year"),
        gettext("Abatement in a full year (t CO2e)"),
        gettext("Yearly cost (capital over lifetime + running − saving)"),
        gettext("Cost per tCO2e"),
        gettext("Currency"),
        gettext("Note"),
    ]
    rows = [
        [
            lever.title,
            lever.wedge_label,
            lever.facility_code,
            lever.first_year,
            kg_to_t(lever.full_year_kg),
            lever.yearly_cost,
            lever.cost_per_t,
            lever.currency,
            lever.note,
        ]
        for lever in p.forecast.levers
    ]
    formats = ["text", "text", "code", "text", "t", "n0", "n0", "text", "text"]
    return Table(gettext("Measures counted"), header, rows, formats)


def _skipped_table(p: ForecastPage) -> Table:
    header = [gettext("Initiative"), gettext("Not counted because")]
    rows = [[s.title, s.reason] for s in p.forecast.skipped]
    return Table(gettext("Initiatives not counted"), header, rows)


def _budget_table(p: ForecastPage) -> Table:
    budget = p.outlook.budget
    header = [
        gettext("Year"),
        gettext("Credits needed (t CO2e)"),
        gettext("Removals share (%)"),
        gettext("Removals (t CO2e)"),
        gettext("Avoidance (t CO2e)"),
        gettext("From credits held (t CO2e)"),
        gettext("To buy (t CO2e)"),
        gettext("Removal price"),
        gettext("Avoidance price"),
        gettext("Cost"),
    ]
    rows = [
        [
            year.year,
            year.needed_t,
            year.removals_share_pct,
            year.removals_t,
            year.avoidance_t,
            year.held_removals_used_t + year.held_avoidance_used_t,
            year.buy_removals_t + year.buy_avoidance_t,
            year.removal_price,
            year.avoidance_price,
            year.cost,
        ]
        for year in budget.years
    ]
    footer = [
        gettext("Total"),
        budget.needed_t,
        None,
        None,
        None,
        budget.from_held_t,
        budget.to_buy_t,
        None,
        None,
        budget.cost,
    ]
    formats = ["text", "t", "pct", "t", "t", "t", "t", "n2", "n2", "n0"]
    return Table(gettext("Offsets budget"), header, rows, formats, footer)


def _facilities_table(p: ForecastPage) -> Table:
    f = p.forecast
    last = f.end_year
    header = [
        gettext("Facility"),
        gettext("%(year)s grid electricity (t CO2e)") % {"year": f.base_year},
        gettext("%(year)s other emissions (t CO2e)") % {"year": f.base_year},
        gettext("Grows with"),
        gettext("Output %(year)s vs %(base)s") % {"year": last, "base": f.base_year},
        gettext("%(year)s business as usual (t CO2e)") % {"year": last},
    ]
    rows = [
        [
            base.code,
            kg_to_t(base.electricity_kg),
            kg_to_t(base.other_kg),
            OutputMetric(base.growth_metric).label if base.growth_metric else gettext("no plan"),
            base.growth_in(last),
            kg_to_t(base.bau_kg(last, f.base_year, f.grid)),
        ]
        for base in f.facilities
    ]
    return Table(
        gettext("Facilities projected"), header, rows, ["code", "t", "t", "text", "n3", "t"]
    )


FORECAST = {
    "years": TableSpec(_years_table),
    "levers": TableSpec(_levers_table),
    "skipped": TableSpec(_skipped_table),
    "budget": TableSpec(_budget_table),
    "facilities": TableSpec(_facilities_table),
}


def _comparison_table(p: ComparePage) -> Table:
    header = [
        gettext("Scenario"),
        gettext("Residual in the target year (t CO2e)"),
        gettext("Change against the base year (%)"),
        gettext("On the target pathway"),
        gettext("Credits needed in the target year (t CO2e)"),
        gettext("Credits needed, all years (t CO2e)"),
        gettext("Cost of the measures"),
        gettext("Cost of the credits"),
        gettext("Total cost"),
    ]
    rows = []
    for o in p.outlooks:
        f, last = o.forecast, o.forecast.years[-1]
        on_path = {True: gettext("Yes"), False: gettext("No"), None: None}[f.meets_pathway]
        rows.append(
            [
                o.name,
                kg_to_t(last.residual_kg),
                f.reduction_vs_base_pct,
                on_path,
                o.budget.years[-1].needed_t if o.budget.years else None,
                o.budget.needed_t,
                f.levers_cost,
                o.budget.cost,
                o.total_cost,
            ]
        )
    formats = ["text", "t", "pct+", "text", "t", "t", "n0", "n0", "n0"]
    return Table(gettext("Scenarios compared"), header, rows, formats)


def _residuals_table(p: ComparePage) -> Table:
    header = [
        gettext("Year"),
        *[gettext("%(name)s (t CO2e)") % {"name": o.name} for o in p.outlooks],
    ]
    rows = [
        [year, *[kg_to_t(o.forecast.years[i].residual_kg) for o in p.outlooks]]
        for i, year in enumerate(p.years)
    ]
    return Table(
        gettext("Residual emissions by year"), header, rows, ["text", *["t"] * len(p.outlooks)]
    )


COMPARE = {
    "comparison": TableSpec(_comparison_table),
    "residuals": TableSpec(_residuals_table),
}
