"""What the hourly Scope 2 page shows: market-based Scope 2 by annual and by hourly matching of
the same consumption and supply, side by side, and the share of consumption matched in each hour
of the day, month by month (the heat map). Shaped from neutrality.hourly_scope2, which alone
matches and sums; this module only picks the rows the filter asks for and lays them out.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from emissions.facilities.models import Facility, MarketScope2Matching, Organisation
from emissions.neutrality.hourly_scope2 import (
    HOURLY_EXEMPTION_KWH,
    ConsumptionSource,
    FacilityHourlyScope2,
    HeatMap,
    HourlyScope2,
    calculate_hourly_scope2,
)
from emissions.neutrality.inventory import kg_to_t

from ..charts import month_label
from ..spreadsheet import Table
from ..tables import TableSpec

HOURS_OF_DAY = range(24)
# The heat map's colour steps by matched share (%): (upper bound, legend). A cell's CSS class
# is heat-<step> (static/css/app.css); the legend is numbers, the same in every language.
HEAT_STEPS = (
    (Decimal(0), "0 %"),
    (Decimal(25), "0–25 %"),
    (Decimal(50), "25–50 %"),
    (Decimal(75), "50–75 %"),
    (Decimal("99.99"), "75–100 %"),
    (Decimal(100), "100 %"),
)


def heat_step(share_pct: Decimal | None) -> int | None:
    """The colour step of a matched share; None for a cell without consumption."""
    if share_pct is None:
        return None
    return next(step for step, (upper, _label) in enumerate(HEAT_STEPS) if share_pct <= upper)


@dataclass(frozen=True)
class HeatCell:
    hour: int
    share_pct: Decimal | None
    consumption_kwh: Decimal
    matched_kwh: Decimal

    @property
    def step(self) -> int | None:
        return heat_step(self.share_pct)


@dataclass(frozen=True)
class HeatRow:
    month: int
    label: str
    cells: list[HeatCell]


def heat_rows(heat_map: HeatMap) -> list[HeatRow]:
    return [
        HeatRow(
            month,
            month_label(month),
            [
                HeatCell(
                    hour,
                    heat_map.share_pct(month, hour),
                    heat_map.consumption_kwh(month, hour),
                    heat_map.matched_kwh(month, hour),
                )
                for hour in HOURS_OF_DAY
            ],
        )
        for month in range(1, 13)
    ]


@dataclass
class Scope2HourlyPage:
    year: int | None
    facility: Facility | None
    result: HourlyScope2 | None
    facilities: dict[int, Facility] = field(default_factory=dict)
    # The organisation profile's headline method for market-based Scope 2.
    headline: str = MarketScope2Matching.ANNUAL

    @property
    def has_consumption(self) -> bool:
        return bool(self.result and self.result.consumption_units)

    @property
    def headline_is_hourly(self) -> bool:
        return self.headline == MarketScope2Matching.HOURLY

    @property
    def heat_rows(self) -> list[HeatRow]:
        return heat_rows(self.result.heat_map) if self.result else []

    @property
    def heat_legend(self) -> list[tuple[int, str]]:
        return [(step, label) for step, (_upper, label) in enumerate(HEAT_STEPS)]

    @property
    def flat_profile_count(self) -> int:
        rows = self.result.rows if self.result else []
        return sum(1 for row in rows if row.source == ConsumptionSource.FLAT_PROFILE)

    @property
    def exemption_gwh(self) -> Decimal:
        return HOURLY_EXEMPTION_KWH.scaleb(-6)

    def label(self, row: FacilityHourlyScope2) -> tuple[str, str]:
        facility = self.facilities[row.facility_id]
        return facility.code, facility.local_name


def build_scope2_hourly_page(*, year: int | None, facility: Facility | None = None):
    """The page for `year` (None before any record), every facility or one."""
    organisation = Organisation.current()
    headline = organisation.market_scope2_matching if organisation else MarketScope2Matching.ANNUAL
    if year is None or organisation is None:
        return Scope2HourlyPage(year=year, facility=facility, result=None, headline=headline)
    result = calculate_hourly_scope2(year, organisation=organisation)
    if facility is not None:
        rows = [row for row in result.rows if row.facility_id == facility.pk]
        result = HourlyScope2(
            year=year,
            rows=rows,
            markets=[m for m in result.markets if m.market_country == facility.country],
            heat_map=rows[0].matching.heat_map if rows else HeatMap.empty(),
        )
    return Scope2HourlyPage(
        year=year,
        facility=facility,
        result=result,
        facilities=Facility.objects.in_bulk([row.facility_id for row in result.rows]),
        headline=headline,
    )


# Its tables: the page renders the comparison (dashboard/_table.html) and draws the heat map
# from heat_rows; the downloads write both from these Tables.


def comparison_table(page: Scope2HourlyPage) -> Table:
    """Each facility's market-based Scope 2 by annual and by hourly matching."""
    header = [
        gettext("Facility code"),
        gettext("Facility"),
        gettext("Consumption from"),
        gettext("Grid electricity (MWh)"),
        gettext("Matched annually (MWh)"),
        gettext("Matched annually (%)"),
        gettext("Market-based, annual (tCO2e)"),
        gettext("Matched hour by hour (MWh)"),
        gettext("Matched hour by hour (%)"),
        gettext("Market-based, hourly (tCO2e)"),
        gettext("Hourly − annual (tCO2e)"),
    ]

    def cells(consumption_kwh, annual, hourly, annual_pct, hourly_pct):
        return [
            kg_to_t(consumption_kwh),
            kg_to_t(annual.certificate_kwh),
            annual_pct,
            kg_to_t(annual.market_kg),
            kg_to_t(hourly.certificate_kwh),
            hourly_pct,
            kg_to_t(hourly.market_kg),
            kg_to_t(hourly.market_kg - annual.market_kg),
        ]

    result = page.result
    rows = [
        [
            *page.label(row),
            str(ConsumptionSource(row.source).label),
            *cells(
                row.matching.consumption_kwh,
                row.annual,
                row.hourly,
                row.annual_matched_pct,
                row.hourly_matched_pct,
            ),
        ]
        for row in (result.rows if result else [])
    ]
    footer = None
    if rows:
        footer = [
            gettext("Total"),
            "",
            "",
            kg_to_t(result.consumption_kwh),
            kg_to_t(sum((row.annual.certificate_kwh for row in result.rows), Decimal(0))),
            result.annual_matched_pct,
            kg_to_t(result.annual_kg),
            kg_to_t(sum((row.hourly.certificate_kwh for row in result.rows), Decimal(0))),
            result.hourly_matched_pct,
            kg_to_t(result.hourly_kg),
            kg_to_t(result.difference_kg),
        ]
    formats = ["text", "text", "text", "mwh", "mwh", "pct", "t", "mwh", "pct", "t", "t"]
    return Table(gettext("Annual and hourly matching"), header, rows, formats, footer)


def heat_map_table(page: Scope2HourlyPage) -> Table:
    """The share of consumption matched in its hour, by month and hour of the day."""
    header = [gettext("Month"), *(f"{hour:02d}:00" for hour in HOURS_OF_DAY)]
    rows = [[row.label, *(cell.share_pct for cell in row.cells)] for row in page.heat_rows]
    formats = ["text", *("pct" for _hour in HOURS_OF_DAY)]
    return Table(gettext("Consumption matched hour by hour (%)"), header, rows, formats)


SCOPE2_HOURLY = {
    "comparison": TableSpec(comparison_table, per_year=True),
    "heat-map": TableSpec(heat_map_table, per_year=True),
}
