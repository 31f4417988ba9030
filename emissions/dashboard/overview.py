"""What the overview page shows, assembled from the domain selectors (no queries in loops).

All amounts are kg (Decimal); templates show tonnes. For the whole organisation the figures
are the neutrality balance's; for one facility they are its own emissions (Scope 2
market-based from the balance's facility rows), and credits — retired for the whole
organisation — are not shown.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import PENDING_STATUSES
from emissions.activities.rollups import months_for, rollup_for
from emissions.facilities.models import Facility
from emissions.facilities.selectors import production_by_year
from emissions.factors.taxonomy import Category
from emissions.neutrality.selectors import YearBalance, yearly_balance

from . import charts

ZERO = Decimal(0)
MONTHS = range(1, 13)


@dataclass(frozen=True)
class YearRow:
    """One year on the road to neutrality: the stacks add up to gross."""

    year: int
    scope1_kg: Decimal
    scope2_market_kg: Decimal
    scope2_location_kg: Decimal
    scope3_kg: Decimal
    gross_kg: Decimal
    credits_kg: Decimal | None
    net_kg: Decimal | None
    pathway_kg: Decimal | None


@dataclass
class Overview:
    year: int | None
    facility: Facility | None
    rows: list[YearRow]
    current: YearRow | None
    previous: YearRow | None
    balance: YearBalance | None
    change_vs_previous_pct: Decimal | None
    change_vs_base_pct: Decimal | None
    intensity_kg_per_unit: Decimal | None
    intensity_unit: str
    by_facility: list[tuple[Facility, Decimal]]
    by_month: list[tuple[int, Decimal, Decimal]]
    scope3_by_category: list[tuple[str, Decimal]]
    electricity: list[tuple[int, Decimal, Decimal, Decimal]]
    pending: "Pending | None" = None
    charts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """The year's records not yet approved: counted on the dashboard, not in the report."""

    records: int
    kg: Decimal
    share_pct: Decimal  # of the year's recorded CO2e (location-based, as records store it)


def _pending(year: int | None, facility_ids) -> Pending | None:
    if year is None:
        return None
    totals = rollup_for(years=[year], facility_ids=facility_ids).aggregate(
        all_kg=Sum("co2e_kg"),
        kg=Sum("co2e_kg", filter=Q(status__in=PENDING_STATUSES)),
        records=Sum("record_count", filter=Q(status__in=PENDING_STATUSES)),
    )
    if not totals["records"]:
        return None
    kg = totals["kg"] or Decimal(0)
    share = (kg / totals["all_kg"] * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Pending(
        records=totals["records"], kg=kg, share_pct=share if totals["all_kg"] else Decimal(0)
    )


def percent_change(new: Decimal, old: Decimal | None) -> Decimal | None:
    if not old:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def build_overview(*, year: int | None, facility: Facility | None) -> Overview:
    balances = yearly_balance()
    facility_ids = None if facility is None else [facility.pk]
    rows = _organisation_rows(balances) if facility is None else _facility_rows(balances, facility)
    by_year = {row.year: row for row in rows}
    current, previous = by_year.get(year), by_year.get(year - 1) if year else None
    balance = next((b for b in balances if b.year == year), None)
    base = by_year.get(balance.base_year) if balance and balance.base_year else None
    production = production_by_year(facility_ids=facility_ids).get(year)

    overview = Overview(
        year=year,
        facility=facility,
        rows=rows,
        current=current,
        previous=previous,
        balance=balance,
        change_vs_previous_pct=percent_change(current.gross_kg, previous and previous.gross_kg)
        if current
        else None,
        change_vs_base_pct=percent_change(current.gross_kg, base and base.gross_kg)
        if current
        else None,
        intensity_kg_per_unit=(current.gross_kg / production[0]).quantize(Decimal("0.001"))
        if current and production
        else None,
        intensity_unit=production[1] if production else "",
        by_facility=_by_facility(balances, year) if facility is None else [],
        by_month=_by_month(year, facility_ids),
        scope3_by_category=_scope3_by_category(year, facility_ids),
        electricity=_electricity(balances, facility),
        pending=_pending(year, facility_ids),
    )
    overview.charts = _charts(overview)
    return overview


def _organisation_rows(balances: list[YearBalance]) -> list[YearRow]:
    rows = []
    for b in balances:
        scope3_in_gross = b.gross_kg - _covered(b, b.scope1_kg, "s1") - _scope2_in_gross(b)
        rows.append(
            YearRow(
                year=b.year,
                scope1_kg=_covered(b, b.scope1_kg, "s1"),
                scope2_market_kg=_scope2_in_gross(b),
                scope2_location_kg=b.scope2_location_kg,
                scope3_kg=scope3_in_gross,
                gross_kg=b.gross_kg,
                credits_kg=b.credits_kg,
                net_kg=b.net_kg,
                pathway_kg=b.pathway_kg,
            )
        )
    return rows


def _covered(balance: YearBalance, kg: Decimal, scope: str) -> Decimal:
    target = balance.target
    if scope == "s1" and target is not None and not target.covers_scope1:
        return ZERO
    return kg


def _scope2_in_gross(balance: YearBalance) -> Decimal:
    target = balance.target
    if target is not None and not target.covers_scope2:
        return ZERO
    if target is not None and target.scope2_method == "location":
        return balance.scope2_location_kg
    return balance.scope2_market_kg


def _facility_rows(balances: list[YearBalance], facility: Facility) -> list[YearRow]:
    totals = defaultdict(lambda: defaultdict(lambda: ZERO))
    records = rollup_for(facility_ids=[facility.pk]).order_by()
    for row in records.values("year", "scope").annotate(kg=Sum("co2e_kg")):
        totals[row["year"]][row["scope"]] = row["kg"]
    # Market-based Scope 2 of this facility: its location-based Scope 2 with grid electricity
    # swapped for the balance's market-based figure.
    market_swap = {
        b.year: sum(
            (
                r.market_kg - r.location_kg
                for r in b.scope2_facilities
                if r.facility_id == facility.pk
            ),
            ZERO,
        )
        for b in balances
    }
    rows = []
    for year in sorted(totals):
        scope2_location = totals[year][2]
        scope2_market = scope2_location + market_swap.get(year, ZERO)
        gross = totals[year][1] + scope2_market + totals[year][3]
        rows.append(
            YearRow(
                year=year,
                scope1_kg=totals[year][1],
                scope2_market_kg=scope2_market,
                scope2_location_kg=scope2_location,
                scope3_kg=totals[year][3],
                gross_kg=gross,
                credits_kg=None,
                net_kg=None,
                pathway_kg=None,
            )
        )
    return rows


def _by_facility(balances, year) -> list[tuple[Facility, Decimal]]:
    if year is None:
        return []
    totals = defaultdict(lambda: ZERO)
    records = rollup_for(years=[year]).order_by()
    for row in records.values("facility").annotate(kg=Sum("co2e_kg")):
        totals[row["facility"]] += row["kg"]
    balance = next((b for b in balances if b.year == year), None)
    for r in balance.scope2_facilities if balance else ():
        totals[r.facility_id] += r.market_kg - r.location_kg
    facilities = Facility.objects.in_bulk(list(totals))
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    return [(facilities[pk], kg) for pk, kg in ranked]


def _by_month(year, facility_ids) -> list[tuple[int, Decimal, Decimal]]:
    if year is None:
        return []
    records = months_for(years=[year - 1, year], facility_ids=facility_ids).order_by()
    totals = {
        (row["year"], row["month"]): row["kg"]
        for row in records.values("year", "month").annotate(kg=Sum("co2e_kg"))
    }
    return [
        (month, totals.get((year, month), ZERO), totals.get((year - 1, month), ZERO))
        for month in MONTHS
    ]


def _scope3_by_category(year, facility_ids) -> list[tuple[str, Decimal]]:
    if year is None:
        return []
    records = rollup_for(years=[year], facility_ids=facility_ids).filter(scope=3).order_by()
    rows = records.values("category").annotate(kg=Sum("co2e_kg")).order_by("-kg")
    labels = dict(Category.choices)
    return [(labels[row["category"]], row["kg"]) for row in rows]


def _electricity(balances, facility) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(year, grid kWh not covered by certificates, certificate kWh, on-site renewable kWh)."""
    onsite = defaultdict(lambda: ZERO)
    records = rollup_for(facility_ids=None if facility is None else [facility.pk]).filter(
        activity_type__is_renewable_electricity=True
    )
    for row in records.order_by().values("year").annotate(kwh=Sum("electricity_kwh")):
        onsite[row["year"]] = row["kwh"] or ZERO
    rows = []
    for b in balances:
        facility_rows = [
            r for r in b.scope2_facilities if facility is None or r.facility_id == facility.pk
        ]
        certificates = sum((r.certificate_kwh for r in facility_rows), ZERO)
        grid = sum((r.grid_kwh for r in facility_rows), ZERO) - certificates
        rows.append((b.year, grid, certificates, onsite[b.year]))
    return rows


def _charts(o: Overview) -> dict:
    years = [row.year for row in o.rows]
    road = [
        charts.dataset(
            _("Scope 1"),
            [charts.tonnes(r.scope1_kg) for r in o.rows],
            charts.COLOURS["scope1"],
            stack="gross",
        ),
        charts.dataset(
            _("Scope 2 (market-based)"),
            [charts.tonnes(r.scope2_market_kg) for r in o.rows],
            charts.COLOURS["scope2"],
            stack="gross",
        ),
        charts.dataset(
            _("Scope 3"),
            [charts.tonnes(r.scope3_kg) for r in o.rows],
            charts.COLOURS["scope3"],
            stack="gross",
        ),
    ]
    labels = list(years)
    if o.facility is None:
        # The balance already knows the neutrality target (no second query).
        target = o.balance.target if o.balance else None
        pathway = [
            charts.tonnes(r.pathway_kg) if r.pathway_kg is not None else None for r in o.rows
        ]
        if target is not None and years and target.target_year > years[-1]:
            # Extend the axis to the neutrality year, where the pathway reaches zero.
            extra = list(range(years[-1] + 1, target.target_year + 1))
            labels += extra
            last = o.rows[-1].pathway_kg
            steps = target.target_year - years[-1]
            pathway += [
                charts.tonnes(last - last * step / steps) if last is not None else None
                for step in range(1, steps + 1)
            ]
        road += [
            charts.dataset(
                _("Credits retired"),
                [-charts.tonnes(r.credits_kg) for r in o.rows],
                charts.COLOURS["credits"],
                stack="credits",
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
            )
        ],
    )
    scope_chart["options"]["plugins"]["legend"] = {"display": False}

    facility_chart = charts.bar_chart(
        [f.code for f, _kg in o.by_facility],
        [
            charts.dataset(
                _("tCO2e"),
                [charts.tonnes(kg) for _f, kg in o.by_facility],
                charts.COLOURS["scope1"],
            )
        ],
        horizontal=True,
    )
    facility_chart["options"]["plugins"]["legend"] = {"display": False}

    month_chart = charts.bar_chart(
        [str(month) for month, _this, _last in o.by_month],
        [
            charts.dataset(
                str((o.year or 0) - 1),
                [charts.tonnes(last) for _m, _t, last in o.by_month],
                charts.COLOURS["last_year"],
            ),
            charts.dataset(
                str(o.year or ""),
                [charts.tonnes(this) for _m, this, _l in o.by_month],
                charts.COLOURS["this_year"],
            ),
        ],
    )

    scope3_chart = charts.bar_chart(
        [label for label, _kg in o.scope3_by_category],
        [
            charts.dataset(
                _("tCO2e"),
                [charts.tonnes(kg) for _l, kg in o.scope3_by_category],
                charts.PALETTE[: len(o.scope3_by_category)] or charts.COLOURS["scope3"],
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
                _("Grid"), [mwh(grid) for _y, grid, _c, _o in o.electricity], charts.COLOURS["grid"]
            ),
            charts.dataset(
                _("Certificates"),
                [mwh(c) for _y, _g, c, _o in o.electricity],
                charts.COLOURS["certificates"],
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
