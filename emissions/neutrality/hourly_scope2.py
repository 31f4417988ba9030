"""Hourly-matched market-based Scope 2, beside annual matching of the same inputs.

The draft revision of the GHG Protocol Scope 2 Guidance (public consultation Oct 2025 – Jan 2026)
lets certificates and contracts count only against consumption in the same hour and the same
market boundary (here a country, as annual Scope 2 has it); consumption no instrument matches in
its hour is at the residual-mix factor. This module matches one reporting year both ways from one
set of inputs, so that the two figures differ by the matching alone:

- consumption per facility and hour: interval meter data where they exist, else the facility's
  grid kWh of the year on the flat load profile (load_profiles.py);
- supply: `offsets.supply.SupplyBlock`s, one instrument's kWh in one month, on its own hourly
  profile or, with only the volume known, on its technology's standard generation shape.

Both methods apply the rule annual Scope 2 applies to a facility-year (scope2.py), period by
period: first the facility's own instruments, lowest factor first, never beyond what it consumed
in the period; then the organisation-wide ones of its market, shared among the market's
facilities in proportion to what each still has uncovered. An instrument's kWh left over in a
period (the midday solar surplus) is unused: never banked to another hour, facility or market.
"Annual" is that rule with the year as one period, "hourly" with each of its 8,760 hours.

The residual-mix factor, its choice (the organisation's proxy, region and year rules), the
location-based fallback where no residual factor exists, and the rounding (kg half-up to
6 decimals) are scope2.py's own: each facility-year becomes a `FacilityScope2` row through the
same code, once per method.

Exact to the millionth of a kWh: every kWh is held as an integer number of millionths (scope2's
6 decimals; interval data have 3) and sums are integer sums; a profile spreads a volume by
running-total rounding (load_profiles.spread) and a shared instrument is split the same way, so
the parts always add up to the whole.

The draft's exemption threshold: a company consuming less than a threshold in a market boundary
may keep annual (or monthly) matching there. The consultation offers 5, 10 or 50 GWh a year
(Ecohz, "Changes to the Greenhouse Gas Protocol", 2025; EnergyTag, "FAQ – Scope 2 Market-Based
Updates", 2025: "e.g., 5–10 GWh in a given region"). `HOURLY_EXEMPTION_KWH` is the lowest option,
5 GWh: a market below it is flagged, not exempted, so the hourly figure is always shown.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import add, sub

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from emissions.activities.intervals.selectors import interval_year
from emissions.activities.rollups import rollup_for
from emissions.facilities.models import Organisation
from emissions.factors.calculation import GwpSet
from emissions.factors.choice import FactorChoice
from emissions.factors.selectors import METHANE_CODE, NITROUS_OXIDE_CODE, gwp_values
from emissions.offsets import supply as instrument_supply
from emissions.offsets.supply import SupplyBlock

from . import load_profiles
from .scope2 import (
    GRID_ELECTRICITY,
    FacilityScope2,
    MarketScope2,
    _Applied,
    _facility_regions,
    _grid_electricity,
    _ResidualChooser,
    _row,
)

UNITS_PER_KWH = 10**6
MILLION = Decimal(UNITS_PER_KWH)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
# The draft's exemption threshold per market boundary and year (module docstring): 5 GWh.
HOURLY_EXEMPTION_KWH = Decimal(5_000_000)
MONTHS = range(1, 13)
HOURS_OF_DAY = range(load_profiles.HOURS_PER_DAY)


class ConsumptionSource(models.TextChoices):
    INTERVAL = "interval", gettext_lazy("Interval meter data")
    FLAT_PROFILE = "flat_profile", gettext_lazy("Flat load profile (no interval data)")


@dataclass(frozen=True)
class FacilityLoad:
    """One facility's grid electricity in each hour of the year."""

    facility_id: int
    market_country: str
    # One value per hour of the year (load_profiles.month_hours), in millionths of a kWh.
    hourly_units: Sequence[int]
    source: str = ConsumptionSource.INTERVAL


def to_units(kwh: Decimal) -> int:
    """kWh as whole millionths of a kWh, half-up beyond the sixth decimal."""
    return int(kwh.scaleb(6).to_integral_value(rounding=ROUND_HALF_UP))


def units_of(values: Sequence[Decimal]) -> list[int]:
    """Many kWh as millionths at once: multiplied and cut (C loops), and rounded one by one
    only when some value has more than 6 decimals (the cut then lost something)."""
    units = list(map(int, map(MILLION.__mul__, values)))
    if sum(values, ZERO) * MILLION != sum(units):
        units = list(map(to_units, values))
    return units


def to_kwh(units: int) -> Decimal:
    return Decimal(units).scaleb(-6)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(
        PERCENT_PLACES, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class HeatMap:
    """Consumption and matched consumption by month and hour of day, in millionths of a kWh:
    `consumption[month - 1][hour]`."""

    consumption: tuple[tuple[int, ...], ...]
    matched: tuple[tuple[int, ...], ...]

    @classmethod
    def empty(cls) -> "HeatMap":
        zeros = tuple((0,) * len(HOURS_OF_DAY) for _month in MONTHS)
        return cls(zeros, zeros)

    @classmethod
    def of(cls, year: int, consumption: list[int], matched: list[int]) -> "HeatMap":
        def cells(hours: list[int]) -> tuple[tuple[int, ...], ...]:
            # A month's hours cut into days of 24 (zip of one iterator 24 times), turned into
            # the 24 clock hours' columns (zip again) and each column summed: C loops only.
            return tuple(
                tuple(map(sum, zip(*zip(*[iter(hours[start:end])] * 24, strict=True), strict=True)))
                for start, end in load_profiles.month_hours(year)
            )

        return cls(cells(consumption), cells(matched))

    def __add__(self, other: "HeatMap") -> "HeatMap":
        def plus(mine, theirs):
            return tuple(tuple(map(add, a, b)) for a, b in zip(mine, theirs, strict=True))

        return HeatMap(plus(self.consumption, other.consumption), plus(self.matched, other.matched))

    def share_pct(self, month: int, hour: int) -> Decimal | None:
        """The share of the cell's consumption matched in its hour; None without consumption."""
        return percent(self.matched[month - 1][hour], self.consumption[month - 1][hour])

    def consumption_kwh(self, month: int, hour: int) -> Decimal:
        return to_kwh(self.consumption[month - 1][hour])

    def matched_kwh(self, month: int, hour: int) -> Decimal:
        return to_kwh(self.matched[month - 1][hour])


@dataclass(frozen=True)
class Matched:
    """What one method matched for one facility-year: kWh by instrument factor."""

    # {kg CO2e per kWh: millionths of a kWh matched at that factor}
    units_by_factor: dict[Decimal, int]
    # The facility's own instruments left over (outside its market, or beyond what it used).
    unused_own_units: int

    @property
    def units(self) -> int:
        return sum(self.units_by_factor.values())

    @property
    def kwh(self) -> Decimal:
        return to_kwh(self.units)

    @property
    def exact_kg(self) -> Decimal:
        return sum((to_kwh(units) * factor for factor, units in self.units_by_factor.items()), ZERO)

    @property
    def zero_emission_kwh(self) -> Decimal:
        return to_kwh(self.units_by_factor.get(ZERO, 0))


@dataclass(frozen=True)
class FacilityMatching:
    facility_id: int
    market_country: str
    source: str
    consumption_units: int
    annual: Matched
    hourly: Matched
    heat_map: HeatMap

    @property
    def consumption_kwh(self) -> Decimal:
        return to_kwh(self.consumption_units)


@dataclass(frozen=True)
class MarketMatching:
    """One market boundary (a country): its consumption and the organisation-wide supply
    no facility in it could use, by method."""

    market_country: str
    consumption_units: int
    unused_shared_annual_units: int
    unused_shared_hourly_units: int

    @property
    def consumption_kwh(self) -> Decimal:
        return to_kwh(self.consumption_units)

    @property
    def below_exemption_threshold(self) -> bool:
        return self.consumption_kwh < HOURLY_EXEMPTION_KWH


@dataclass(frozen=True)
class Matching:
    """A year's supply matched to consumption annually and hourly, facility by facility."""

    year: int
    facilities: list[FacilityMatching]
    markets: list[MarketMatching]

    @property
    def heat_map(self) -> HeatMap:
        return sum((row.heat_map for row in self.facilities), HeatMap.empty())


def match(year: int, loads: list[FacilityLoad], blocks: list[SupplyBlock]) -> Matching:
    """Match the supply blocks of `year` to the loads, annually and hour by hour."""
    hours = load_profiles.hours_in_year(year)
    markets = {load.facility_id: load.market_country for load in loads}
    consumption = {
        load.facility_id: _load_units(load, year, hours)
        for load in sorted(loads, key=lambda load: load.facility_id)
    }
    sources = {load.facility_id: load.source for load in loads}
    own, shared = _supply_by_owner(year, hours, blocks)

    hourly = _Matcher(consumption, markets, own, shared).run()
    annual = _Matcher(
        {pk: [sum(units)] for pk, units in consumption.items()},
        markets,
        # The year as one period: a block of another year counts in it like the others.
        {pk: [(f, m, [sum(s) + o], 0) for f, m, s, o in rows] for pk, rows in own.items()},
        {key: [(f, [sum(s) + o], 0) for f, s, o in rows] for key, rows in shared.items()},
    ).run()

    facilities = []
    for facility_id, units in consumption.items():
        matched_hours = list(map(sub, units, hourly.left[facility_id]))
        facilities.append(
            FacilityMatching(
                facility_id=facility_id,
                market_country=markets[facility_id],
                source=sources[facility_id],
                consumption_units=sum(units),
                annual=annual.matched(facility_id),
                hourly=hourly.matched(facility_id),
                heat_map=HeatMap.of(year, units, matched_hours),
            )
        )
    return Matching(
        year=year,
        facilities=facilities,
        markets=[
            MarketMatching(
                market_country=market,
                consumption_units=sum(
                    row.consumption_units for row in facilities if row.market_country == market
                ),
                unused_shared_annual_units=annual.unused_shared.get(market, 0),
                unused_shared_hourly_units=hourly.unused_shared.get(market, 0),
            )
            for market in sorted(set(markets.values()) | set(shared))
        ],
    )


def _load_units(load: FacilityLoad, year: int, hours: int) -> list[int]:
    _check_hours(load.facility_id, len(load.hourly_units), year, hours)
    units = list(load.hourly_units)
    if min(units, default=0) < 0:
        hour = next(index for index, value in enumerate(units) if value < 0)
        raise ValueError(
            _("Facility %(facility)s consumed less than nothing in hour %(hour)s of %(year)s.")
            % {"facility": load.facility_id, "hour": hour, "year": year}
        )
    return units


def _check_hours(facility_id: int, count: int, year: int, hours: int) -> None:
    if count != hours:
        raise ValueError(
            _(
                "Facility %(facility)s has %(count)s hourly values for %(year)s; "
                "the year has %(hours)s hours."
            )
            % {"facility": facility_id, "count": count, "year": year, "hours": hours}
        )


def _block_hours(block: SupplyBlock) -> tuple[int, list[int]]:
    """The year's hour its month starts at, and the block's units in each hour of that month:
    on its own profile, else on its technology's."""
    start, end = load_profiles.month_hours(block.year)[block.month - 1]
    units = to_units(block.kwh)
    if block.hourly_kwh is None:
        in_month = load_profiles.generation_in_month(
            units, block.technology, block.year, block.month
        )
    else:
        if len(block.hourly_kwh) != end - start:
            raise ValueError(
                _(
                    "The hourly profile of %(instrument)s supply in %(year)s-%(month)02d has "
                    "%(count)s values; the month has %(hours)s hours."
                )
                % {
                    "instrument": block.instrument,
                    "year": block.year,
                    "month": block.month,
                    "count": len(block.hourly_kwh),
                    "hours": end - start,
                }
            )
        # A profile repeats a few values (a day's shape, zero at night): each converted once.
        distinct = {kwh: to_units(kwh) for kwh in set(block.hourly_kwh)}
        weights = list(map(distinct.__getitem__, block.hourly_kwh))
        if min(distinct.values()) < 0:
            raise ValueError(
                _(
                    "The hourly profile of %(instrument)s supply in %(year)s-%(month)02d "
                    "has an hour below zero."
                )
                % {"instrument": block.instrument, "year": block.year, "month": block.month}
            )
        # The profile gives the shape; the block's kWh (the settled volume) the amount.
        in_month = weights if sum(weights) == units else load_profiles.spread(units, weights)
    return start, in_month


def _supply_by_owner(year: int, hours: int, blocks: list[SupplyBlock]):
    """Hourly supply by owner and factor: {facility: [(factor, market, hours, outside)]} for
    the facilities' own blocks and {market: [(factor, hours, outside)]} for the
    organisation-wide ones, lowest factor first (blocks at one factor in one market are
    interchangeable). `outside`: the units of blocks generated in another year (a GEC of last
    December applied to this year): they count over the year, but match no hour of it."""
    own_sums: dict[tuple, list[int]] = {}
    shared_sums: dict[tuple, list[int]] = {}
    outside: dict[tuple, int] = defaultdict(int)
    for block in blocks:
        if block.kwh < 0:
            raise ValueError(
                _("A supply block of %(year)s-%(month)02d has negative kWh.")
                % {"year": block.year, "month": block.month}
            )
        if block.facility_id is None:
            key, sums = (block.market_country, block.kg_co2e_per_kwh), shared_sums
        else:
            key = (block.facility_id, block.market_country, block.kg_co2e_per_kwh)
            sums = own_sums
        year_hours = sums.setdefault(key, [0] * hours)
        if block.year != year:
            outside[key] += to_units(block.kwh)
            continue
        start, in_month = _block_hours(block)
        # Only the block's month is touched: a block is a month, an owner's sum a year.
        year_hours[start : start + len(in_month)] = map(
            add, year_hours[start : start + len(in_month)], in_month
        )
    own: dict[int, list] = defaultdict(list)
    for (facility_id, market, factor), supply in sorted(own_sums.items(), key=lambda i: i[0][2]):
        own[facility_id].append((factor, market, supply, outside[facility_id, market, factor]))
    shared: dict[str, list] = defaultdict(list)
    for (market, factor), supply in sorted(shared_sums.items(), key=lambda i: i[0][1]):
        shared[market].append((factor, supply, outside[market, factor]))
    return dict(own), dict(shared)


class _Matcher:
    """scope2.py's rule applied period by period (module docstring), in whole units."""

    def __init__(self, consumption, markets, own, shared):
        self.left = dict(consumption)
        self.markets = markets
        self.own = own
        self.shared = shared
        self.by_factor: dict[int, dict] = defaultdict(lambda: defaultdict(int))
        self.unused_own: dict[int, int] = defaultdict(int)
        self.unused_shared: dict[str, int] = {}

    def run(self) -> "_Matcher":
        for facility_id, rows in self.own.items():
            for factor, market, supply, outside in rows:
                self._take_own(facility_id, factor, market, supply)
                self.unused_own[facility_id] += outside
        for market, rows in self.shared.items():
            members = sorted(pk for pk, own_market in self.markets.items() if own_market == market)
            for factor, supply, outside in rows:
                self._share(market, members, factor, supply)
                self.unused_shared[market] = self.unused_shared.get(market, 0) + outside
        return self

    def matched(self, facility_id: int) -> Matched:
        return Matched(
            units_by_factor=dict(self.by_factor[facility_id]),
            unused_own_units=self.unused_own[facility_id],
        )

    def _take_own(self, facility_id, factor, market, supply):
        left = self.left.get(facility_id)
        # A facility's instruments count in its own market only, and only where it consumed.
        if left is None or self.markets[facility_id] != market:
            self.unused_own[facility_id] += sum(supply)
            return
        taken = list(map(min, left, supply))
        used = sum(taken)
        self.by_factor[facility_id][factor] += used
        self.unused_own[facility_id] += sum(supply) - used
        self.left[facility_id] = list(map(sub, left, taken))

    def _share(self, market, members, factor, supply):
        """Organisation-wide supply of one factor, shared in each period by uncovered units."""
        total = sum(supply)
        if not members:
            self.unused_shared[market] = self.unused_shared.get(market, 0) + total
            return
        taken_by = [0] * len(members)
        # Period by period across the market's facilities: one tuple per period.
        periods = list(zip(*(self.left[pk] for pk in members), strict=True))
        for index, available in enumerate(supply):
            if not available:
                continue
            uncovered = periods[index]
            wanted = sum(uncovered)
            if not wanted:
                continue
            # All covered, or shared by load_profiles.spread's running-total rounding: no
            # facility gets more than it has uncovered, and the shares add up exactly.
            taken = uncovered if available >= wanted else load_profiles.spread(available, uncovered)
            taken_by = list(map(add, taken_by, taken))
            periods[index] = tuple(map(sub, uncovered, taken))
        for facility_id, left, taken in zip(
            members, zip(*periods, strict=True), taken_by, strict=True
        ):
            self.left[facility_id] = list(left)
            self.by_factor[facility_id][factor] += taken
        self.unused_shared[market] = self.unused_shared.get(market, 0) + total - sum(taken_by)


# --- Emissions: each method's facility-year through scope2.py's own row ------------------


@dataclass(frozen=True)
class FacilityHourlyScope2:
    """One facility-year's market-based Scope 2 by annual and by hourly matching."""

    matching: FacilityMatching
    annual: FacilityScope2
    hourly: FacilityScope2

    @property
    def facility_id(self) -> int:
        return self.matching.facility_id

    @property
    def source(self) -> str:
        return self.matching.source

    @property
    def difference_kg(self) -> Decimal:
        return self.hourly.market_kg - self.annual.market_kg

    @property
    def annual_matched_pct(self) -> Decimal | None:
        return percent(self.matching.annual.units, self.matching.consumption_units)

    @property
    def hourly_matched_pct(self) -> Decimal | None:
        return percent(self.matching.hourly.units, self.matching.consumption_units)


@dataclass(frozen=True)
class HourlyScope2:
    year: int
    rows: list[FacilityHourlyScope2]
    markets: list[MarketMatching] = field(default_factory=list)
    heat_map: HeatMap = field(default_factory=HeatMap.empty)

    @property
    def consumption_units(self) -> int:
        return sum(row.matching.consumption_units for row in self.rows)

    @property
    def consumption_kwh(self) -> Decimal:
        return to_kwh(self.consumption_units)

    @property
    def annual_kg(self) -> Decimal:
        return sum((row.annual.market_kg for row in self.rows), ZERO)

    @property
    def hourly_kg(self) -> Decimal:
        return sum((row.hourly.market_kg for row in self.rows), ZERO)

    @property
    def difference_kg(self) -> Decimal:
        return self.hourly_kg - self.annual_kg

    @property
    def annual_matched_pct(self) -> Decimal | None:
        units = sum(row.matching.annual.units for row in self.rows)
        return percent(units, self.consumption_units)

    @property
    def hourly_matched_pct(self) -> Decimal | None:
        units = sum(row.matching.hourly.units for row in self.rows)
        return percent(units, self.consumption_units)

    @property
    def markets_below_threshold(self) -> list[MarketMatching]:
        return [market for market in self.markets if market.below_exemption_threshold]


def emissions(
    matching: Matching,
    *,
    residual: dict[int, FactorChoice | None],
    location: dict[int, tuple[Decimal, Decimal]],
    gwp_set: GwpSet,
) -> HourlyScope2:
    """Each facility-year of `matching` as scope2.py rows, one per method.

    `residual`: each facility's residual-mix choice (None: no residual factor for its
    regions); `location`: its grid (kWh, location-based kg) of the year by its records, whose
    rate is the fallback where there is no residual factor.
    """
    rows = []
    for facility in matching.facilities:
        location_kg = _location_kg(
            facility.consumption_kwh, *location.get(facility.facility_id, (ZERO, ZERO))
        )
        choice = residual.get(facility.facility_id)

        def row(matched: Matched, facility=facility, location_kg=location_kg, choice=choice):
            applied = _Applied(facility.consumption_kwh)
            applied.kwh = matched.kwh
            applied.exact_kg = matched.exact_kg
            applied.zero_emission_kwh = matched.zero_emission_kwh
            applied.unused_kwh = to_kwh(matched.unused_own_units)
            return _row(facility.facility_id, matching.year, applied, location_kg, choice, gwp_set)

        rows.append(FacilityHourlyScope2(facility, row(facility.annual), row(facility.hourly)))
    return HourlyScope2(
        year=matching.year, rows=rows, markets=matching.markets, heat_map=matching.heat_map
    )


def _location_kg(consumption_kwh: Decimal, records_kwh: Decimal, records_kg: Decimal) -> Decimal:
    """The records' location-based kg, at their rate for the consumption matched here (the
    same kg when the records are the consumption, as on the flat load profile)."""
    if consumption_kwh == records_kwh or not records_kwh:
        return records_kg if records_kwh else ZERO
    return records_kg * consumption_kwh / records_kwh


# --- Reading: the inputs of one reporting year -------------------------------------------


def calculate_hourly_scope2(
    year: int, *, organisation: Organisation | None = None, approved_only: bool = False
) -> HourlyScope2:
    """Both methods for `year` from the stored interval data and the year's supply blocks.

    Interval data that miss some hours of the year (a meter installed in March) have those
    hours filled from the records (`consumption_loads`): the hours they read as zero are taken
    as the missing ones, since the stored year does not tell the two apart.
    """
    measured = interval_year(year)
    intervals = {
        facility_id: hourly
        if measured.coverage[facility_id].hours_with_data == len(hourly)
        else [None if kwh == 0 else kwh for kwh in hourly]
        for facility_id, hourly in measured.hourly_kwh.items()
    }
    return hourly_scope2_of(
        year,
        intervals=intervals,
        blocks=instrument_supply.supply_blocks(year),
        organisation=organisation,
        approved_only=approved_only,
    )


def hourly_scope2_of(
    year: int,
    *,
    intervals: dict[int, list[Decimal | None]],
    blocks: list[SupplyBlock],
    organisation: Organisation | None = None,
    approved_only: bool = False,
) -> HourlyScope2:
    """Both methods for `year` from interval data (kWh per facility and hour of the year,
    None for an hour without data) and supply blocks; the grid kWh, the residual factors and
    the GWPs are read as annual Scope 2 reads them (four queries)."""
    organisation = organisation or Organisation.current()
    if organisation is None:
        return HourlyScope2(year=year, rows=[])
    grid = {
        row["facility_id"]: (row["kwh"] or ZERO, row["kg"] or ZERO)
        for row in _grid_electricity([year], approved_only=approved_only)
    }
    owners = {block.facility_id for block in blocks if block.facility_id is not None}
    facilities = _facility_regions(set(grid) | set(intervals) | owners)
    loads = consumption_loads(year, grid=grid, intervals=intervals, facilities=facilities)
    residual_choice = _ResidualChooser(organisation, facilities.values())
    gwp = gwp_values(organisation.gwp_basis)
    gwp_set = GwpSet(ch4=gwp.get(METHANE_CODE, ZERO), n2o=gwp.get(NITROUS_OXIDE_CODE, ZERO))
    return emissions(
        match(year, loads, blocks),
        residual={pk: residual_choice.choose(row, year) for pk, row in facilities.items()},
        location=grid,
        gwp_set=gwp_set,
    )


def consumption_loads(
    year: int,
    *,
    grid: dict[int, tuple[Decimal, Decimal]],
    intervals: dict[int, list[Decimal | None]],
    facilities: dict[int, dict],
) -> list[FacilityLoad]:
    """Each facility's hourly consumption: its interval data, with hours the meters missed
    given what the records say the year used beyond the meters, spread flat over them, then
    scaled to the records' grid kWh where they differ (the meters give the shape, the records
    the amount); a facility without interval data has its records' grid kWh on the flat load
    profile."""
    hours = load_profiles.hours_in_year(year)
    loads = []
    for facility_id in sorted(facilities):
        country = facilities[facility_id]["country"]
        records_units = to_units(grid.get(facility_id, (ZERO, ZERO))[0])
        measured = intervals.get(facility_id)
        if measured is None:
            units = load_profiles.flat_over_year(records_units, year)
            loads.append(FacilityLoad(facility_id, country, units, ConsumptionSource.FLAT_PROFILE))
            continue
        _check_hours(facility_id, len(measured), year, hours)
        missing = [hour for hour, kwh in enumerate(measured) if kwh is None]
        if not missing:
            units = units_of(measured)
        else:
            units = [None if kwh is None else to_units(kwh) for kwh in measured]
            beyond = max(records_units - sum(value for value in units if value is not None), 0)
            for hour, value in zip(
                missing, load_profiles.spread(beyond, [1] * len(missing)), strict=True
            ):
                units[hour] = value
        if records_units and sum(units) and sum(units) != records_units:
            # The meters give the shape, the records the amount: the year's consumption is the
            # records' grid kWh on every page, so both matchings here start from the figure
            # annual Scope 2 and the overview use.
            units = load_profiles.spread(records_units, units)
        loads.append(FacilityLoad(facility_id, country, units, ConsumptionSource.INTERVAL))
    return loads


def hourly_market_scope2(years=None, *, organisation: Organisation, approved_only=False):
    """Market-based Scope 2 by hourly matching, as the inventory reads the annual one: each
    year's facility rows (the hourly column) in one MarketScope2. Used when the organisation
    profile chooses hourly matching; every year with grid electricity when `years` is None."""
    if years is None:
        years = (
            rollup_for(approved_only=approved_only)
            .filter(activity_type__code=GRID_ELECTRICITY)
            .order_by("year")
            .values_list("year", flat=True)
            .distinct()
        )
    rows = []
    for year in sorted(set(years)):
        result = calculate_hourly_scope2(
            year, organisation=organisation, approved_only=approved_only
        )
        rows.extend(row.hourly for row in result.rows)
    return MarketScope2(rows=rows)
