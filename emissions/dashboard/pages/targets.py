"""What the targets and initiatives page shows, shaped from the inventory read model.

Each target's actuals come from one yearly_balance() for all targets: each balance applies a
target's own boundary (`gross_kg_for`, `net_kg_for`), and the pathway is the inventory's
`pathway_kg`, so no rule is restated here and there is no query per target. A carbon-neutrality
target is measured on net emissions (after credits), as the overview's verdict is; the other
kinds on gross. Emissions are kg (Decimal), shares percentages.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils.translation import gettext
from django.utils.translation import gettext as _

from emissions.facilities.models import Facility, Organisation
from emissions.factors.taxonomy import Category
from emissions.neutrality.green_power import (
    GreenPowerShare,
    GreenPowerTarget,
    facility_shares,
    organisation_shares,
)
from emissions.neutrality.inventory import (
    NEUTRALITY_KINDS,
    YearBalance,
    facility_years,
    kg_to_t,
    measures_net,
    pathway_kg,
    target_base_kg,
    yearly_balance,
)
from emissions.neutrality.models import ReductionInitiative, Target, TargetKind
from emissions.neutrality.restatements import restated_years
from emissions.neutrality.selectors import initiatives_mac

from .. import charts
from ..spreadsheet import Table
from ..tables import TableSpec, year_header

ZERO = Decimal(0)
PERCENT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class PathwayPoint:
    """One year of a target: what happened and where its straight line says it should be."""

    year: int
    # kg (net for a carbon-neutrality target, gross otherwise), or % for a renewable share.
    actual: Decimal | None
    pathway: Decimal | None
    # Gross within the target's boundary, beside a neutrality target's net (None otherwise).
    gross: Decimal | None = None

    @property
    def gap(self) -> Decimal | None:
        if self.actual is None or self.pathway is None:
            return None
        return self.actual - self.pathway


@dataclass
class TargetRow:
    target: Target
    is_share: bool
    # Measured on net emissions (carbon neutrality) rather than gross.
    is_net: bool
    coverage: list[str]
    base_value: Decimal | None  # kg or %, None when the base year is unknown
    goal_value: Decimal | None
    points: list[PathwayPoint]
    selected: PathwayPoint | None  # the filter's year, when the target has a figure for it
    chart: dict = field(default_factory=dict)

    @property
    def chart_id(self) -> str:
        return f"chart-target-{self.target.pk}"

    @property
    def table_name(self) -> str:
        """The name its pathway table downloads under."""
        return f"pathway-{self.target.pk}"

    @cached_property
    def table(self) -> Table:
        """Its pathway table, as the page shows it and its download writes it."""
        return pathway_table(self)

    @property
    def on_track(self) -> bool | None:
        """At or below the pathway (emissions), at or above it (renewable share)."""
        if self.selected is None or self.selected.gap is None:
            return None
        return self.selected.gap >= 0 if self.is_share else self.selected.gap <= 0


@dataclass(frozen=True)
class InitiativeRow:
    """One initiative on the abatement cost curve, cheapest per tonne first.

    Its bar on the curve spans start_t to cumulative_t (as wide as its abatement) and is as
    high as its cost per tonne.
    """

    initiative: ReductionInitiative
    abatement_t: Decimal  # per year
    cost_per_t: Decimal  # negative: the initiative saves money
    cumulative_t: Decimal  # abatement per year reached with this and every cheaper initiative
    number: int = 0  # its bar's number on the curve and in its key, 1 the cheapest

    @property
    def start_t(self) -> Decimal:
        """Where its bar starts: the abatement per year of every cheaper initiative."""
        return self.cumulative_t - self.abatement_t

    @property
    def saves_money(self) -> bool:
        return self.cost_per_t < 0


@dataclass
class TargetsPage:
    year: int | None
    targets: list[TargetRow]
    initiatives: list[InitiativeRow]
    currencies: list[str]
    mac_chart: dict
    # Years a restatement changed, with their original figures (neutrality/restatements.py).
    restatements: list[dict] = field(default_factory=list)
    # The green-power share per year (whole organisation) and per facility in the chosen year,
    # against the organisation profile's target share.
    green_power_target: GreenPowerTarget | None = None
    green_power: list[GreenPowerShare] = field(default_factory=list)
    green_power_facilities: list[tuple[Facility, GreenPowerShare]] = field(default_factory=list)

    @property
    def green_power_selected(self) -> GreenPowerShare | None:
        return next((share for share in self.green_power if share.year == self.year), None)

    @property
    def abatement_t(self) -> Decimal:
        return sum((row.abatement_t for row in self.initiatives), ZERO)

    @property
    def pathway_tables(self) -> dict[str, Table]:
        """Each target's pathway table, by the name its download uses (pathway-<id>)."""
        return {row.table_name: row.table for row in self.targets}


def build_targets_page(*, year: int | None) -> TargetsPage:
    balances = yearly_balance()
    # The neutrality (or net-zero) targets first, the headline; then by target year.
    ordered = sorted(
        Target.objects.all(),
        key=lambda t: (t.kind not in NEUTRALITY_KINDS, t.target_year, t.local_name),
    )
    targets = [_target_row(target, balances, year) for target in ordered]
    initiatives = [
        InitiativeRow(
            initiative=row.initiative,
            abatement_t=row.abatement_t,
            cost_per_t=row.cost_per_t,
            cumulative_t=row.cumulative_start_t + row.abatement_t,
            number=number,
        )
        for number, row in enumerate(initiatives_mac(), start=1)
    ]
    currencies = sorted({row.initiative.currency for row in initiatives})
    green_power_target = GreenPowerTarget.of(Organisation.current())
    return TargetsPage(
        year=year,
        targets=targets,
        initiatives=initiatives,
        currencies=currencies,
        mac_chart=_mac_chart(initiatives, currencies),
        restatements=[
            {"year": year, **entry}
            for year, entries in sorted(restated_years().items())
            for entry in entries
        ],
        green_power_target=green_power_target,
        green_power=organisation_shares(balances, green_power_target),
        green_power_facilities=_facility_green_power(
            next((b for b in balances if b.year == year), None), green_power_target
        ),
    )


def _facility_green_power(
    balance: YearBalance | None, target: GreenPowerTarget | None
) -> list[tuple[Facility, GreenPowerShare]]:
    """Each facility's share in the balance's year, by code: two queries (the facility-years,
    reusing the balance's market-based Scope 2, and the facilities)."""
    if balance is None:
        return []
    shares = facility_shares(facility_years(years=[balance.year], balances=[balance]), target)
    facilities = Facility.objects.in_bulk([share.facility_id for share in shares])
    rows = [(facilities[share.facility_id], share) for share in shares]
    return sorted(rows, key=lambda row: row[0].code)


def coverage(target: Target) -> list[str]:
    if target.kind == TargetKind.RENEWABLE_SHARE:
        return [_("Electricity consumed (grid and on-site)")]
    covered = []
    if target.covers_scope1:
        covered.append(_("Scope 1"))
    if target.covers_scope2:
        covered.append(_("Scope 2 (%(method)s)") % {"method": target.get_scope2_method_display()})
    labels = dict(Category.choices)
    covered += [str(labels.get(code, code)) for code in sorted(set(target.scope3_categories))]
    return covered


def _target_row(target: Target, balances: list[YearBalance], year: int | None) -> TargetRow:
    is_share = target.kind == TargetKind.RENEWABLE_SHARE
    by_year = {b.year: b for b in balances}
    if is_share:
        actual = {b.year: b.renewable_share_pct for b in balances}
        base = (
            by_year[target.base_year].renewable_share_pct if target.base_year in by_year else None
        )
        # Without a base-year figure the line starts from no renewable electricity.
        base = ZERO if base is None else base
        goal = target.renewable_share_pct
    else:
        if measures_net(target):
            actual = {b.year: b.net_kg_for(target) for b in balances}
        else:
            actual = {b.year: b.gross_kg_for(target) for b in balances}
        base = target_base_kg(target, balances)
        goal = None if base is None else pathway_kg(target, base, target.target_year)
    gross = {b.year: b.gross_kg_for(target) for b in balances} if measures_net(target) else {}

    first = min([target.base_year, *actual])
    last = max([target.target_year, *actual])
    points = [
        PathwayPoint(
            year=point_year,
            actual=actual.get(point_year),
            pathway=_line(target, base, goal, point_year, is_share=is_share),
            gross=gross.get(point_year),
        )
        for point_year in range(first, last + 1)
    ]
    selected = next((p for p in points if p.year == year and p.actual is not None), None)
    row = TargetRow(
        target=target,
        is_share=is_share,
        is_net=not is_share and measures_net(target),
        coverage=coverage(target),
        base_value=base,
        goal_value=goal,
        points=points,
        selected=selected,
    )
    row.chart = _target_chart(row)
    return row


def _line(target, base, goal, year, *, is_share) -> Decimal | None:
    """The straight line from the base year's figure to the goal in the target year."""
    if base is None or goal is None or not target.base_year <= year <= target.target_year:
        return None
    if not is_share:
        return pathway_kg(target, base, year)  # the inventory's rule
    progress = Decimal(year - target.base_year) / (target.target_year - target.base_year)
    return (base + (goal - base) * progress).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def _share(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _target_chart(row: TargetRow) -> dict:
    if row.is_share:
        actual = [_share(p.actual) for p in row.points]
        pathway = [_share(p.pathway) for p in row.points]
        actual_label, y_title = _("Renewable share"), "%"
    else:
        actual = [charts.tonnes(p.actual) if p.actual is not None else None for p in row.points]
        pathway = [charts.tonnes(p.pathway) if p.pathway is not None else None for p in row.points]
        actual_label = _("Net emissions") if row.is_net else _("Gross emissions")
        y_title = "tCO2e"
    # A year's bar opens that year's records (emissions targets; a share has no records).
    links = [
        None if row.is_share or p.actual is None else charts.ledger_url(year=p.year)
        for p in row.points
    ]
    colour = charts.COLOURS["onsite" if row.is_share else "scope1"]
    chart = charts.bar_chart(
        [p.year for p in row.points],
        [
            charts.pathway_dataset(pathway, order=0),
            charts.dataset(actual_label, actual, colour, order=1, links=links),
        ],
        y_title=y_title,
    )
    if row.is_share:
        chart["options"]["scales"]["y"]["suggestedMax"] = 100
    return chart


def _mac_chart(initiatives: list[InitiativeRow], currencies: list[str]) -> dict:
    """The marginal abatement cost curve of the initiatives (charts.mac_chart)."""
    if len(currencies) == 1:
        unit = _("%(currency)s per tCO2e") % {"currency": currencies[0]}
    else:
        unit = _("Cost per tCO2e (currencies as entered)")
    bars = [
        (row.number, row.initiative.local_title, row.start_t, row.cumulative_t, row.cost_per_t)
        for row in initiatives
    ]
    return charts.mac_chart(bars, unit)


# Its tables (CSV and XLSX downloads)


# Targets and initiatives


def _targets_table(p: TargetsPage) -> Table:
    """One row per target card: emissions in t CO2e, renewable shares in % (apart)."""
    year = year_header(p.year)
    header = [
        gettext("Target"),
        gettext("Kind"),
        gettext("Coverage"),
        gettext("Base year"),
        gettext("Base year (t CO2e)"),
        gettext("Base year (%)"),
        gettext("Target year"),
        gettext("Goal (t CO2e)"),
        gettext("Goal (%)"),
        gettext("Reduction against the base year (%)"),
        gettext("Measured on"),
        gettext("%(year)s (t CO2e)") % {"year": year},
        gettext("%(year)s pathway (t CO2e)") % {"year": year},
        gettext("%(year)s (%%)") % {"year": year},
        gettext("%(year)s pathway (%%)") % {"year": year},
        gettext("Progress"),
    ]
    rows = []
    for row in p.targets:
        t, selected = row.target, row.selected
        tonnes = not row.is_share
        on_track = {True: gettext("On track"), False: gettext("Off track"), None: None}[
            row.on_track
        ]
        rows.append(
            [
                t.local_name,
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
    return Table(gettext("Targets"), header, rows)


def _measure(row: TargetRow) -> str:
    if row.is_share:
        return gettext("Renewable share of electricity")
    return gettext("Net emissions") if row.is_net else gettext("Gross emissions")


def pathway_table(row: TargetRow) -> Table:
    if row.is_share:
        header = [gettext("Year"), gettext("Renewable share (%)"), gettext("Pathway (%)")]
        rows = [[point.year, point.actual, point.pathway] for point in row.points]
        formats = ["text", "pct", "pct"]
    elif row.is_net:
        header = [
            gettext("Year"),
            gettext("Gross (t CO2e)"),
            gettext("Net (t CO2e)"),
            gettext("Pathway (t CO2e)"),
        ]
        rows = [
            [point.year, kg_to_t(point.gross), kg_to_t(point.actual), kg_to_t(point.pathway)]
            for point in row.points
        ]
        formats = ["text", "t", "t", "t"]
    else:
        header = [gettext("Year"), gettext("Gross (t CO2e)"), gettext("Pathway (t CO2e)")]
        rows = [[point.year, kg_to_t(point.actual), kg_to_t(point.pathway)] for point in row.points]
        formats = ["text", "t", "t"]
    # The year is text: as a number it would be grouped ("2,019").
    return Table(row.target.local_name, header, rows, formats)


def _initiatives_table(p: TargetsPage) -> Table:
    header = [
        gettext("Title"),
        gettext("Facility"),
        gettext("Kind"),
        gettext("Status"),
        gettext("Start"),
        gettext("Abatement (t CO2e per year)"),
        gettext("Cumulative (t CO2e per year)"),
        gettext("Capital cost"),
        gettext("Annual saving"),
        gettext("Currency"),
        gettext("Lifetime (years)"),
        gettext("Cost per t CO2e"),
    ]
    rows = []
    for row in p.initiatives:
        i = row.initiative
        rows.append(
            [
                i.local_title,
                i.facility.code if i.facility else gettext("All sites"),
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
    # Tonnes and money in whole units, as the estimates behind them are; the currency apart, so
    # a download keeps the amounts numbers.
    formats = ["text", "text", "text", "text", "date", "n0", "n0", "n0", "n0", "text", "int", "n0"]
    footer = [gettext("Total"), None, None, None, None, p.abatement_t, *[None] * 6]
    return Table(gettext("Reduction initiatives"), header, rows, formats, footer)


def _met(share: GreenPowerShare) -> str | None:
    return {True: gettext("Met"), False: gettext("Not met"), None: None}[share.met]


def _green_power_table(p: TargetsPage) -> Table:
    """The organisation's green-power share per year against the target share."""
    header = [
        gettext("Year"),
        gettext("Electricity (MWh)"),
        gettext("Green power (MWh)"),
        gettext("Green-power share (%)"),
        gettext("Target share (%)"),
        gettext("Target met"),
    ]
    target = p.green_power_target.pct if p.green_power_target else None
    # kWh → MWh moves the decimal point as kg → t does.
    rows = [
        [
            share.year,
            kg_to_t(share.electricity_kwh),
            kg_to_t(share.renewable_kwh),
            share.share_pct,
            target,
            _met(share),
        ]
        for share in p.green_power
    ]
    formats = ["text", "mwh", "mwh", "pct", "pct", "text"]
    return Table(gettext("Green-power share"), header, rows, formats)


def _green_power_facilities_table(p: TargetsPage) -> Table:
    """Each facility's green-power share in the chosen year against the target share."""
    header = [
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Electricity (MWh)"),
        gettext("Green power (MWh)"),
        gettext("%(year)s green-power share (%%)") % {"year": year_header(p.year)},
        gettext("Target met"),
    ]
    rows = [
        [
            facility.code,
            facility.local_name,
            kg_to_t(share.electricity_kwh),
            kg_to_t(share.renewable_kwh),
            share.share_pct,
            _met(share),
        ]
        for facility, share in p.green_power_facilities
    ]
    formats = ["text", "text", "mwh", "mwh", "pct", "text"]
    return Table(gettext("Green-power share by facility"), header, rows, formats)


TARGETS = {
    "targets": TableSpec(_targets_table, per_year=True),
    "initiatives": TableSpec(_initiatives_table),
    "green_power": TableSpec(_green_power_table),
    "green_power_facilities": TableSpec(_green_power_facilities_table, per_year=True),
}
