"""Monthly activity data for the Xingtai Kehui demo facilities, 2019–2025.

Fictional but shaped like a Hebei metal-products manufacturer: production grows a little each
year (with the Spring Festival dip every February and the COVID stop in early 2020), while
efficiency projects pull emissions down:

- LED retrofit at every site, from May 2021;
- rooftop solar (about 1.2 MWp) at XT-01 from July 2022: its self-consumed output is recorded
  as onsite_solar_consumed and the grid draw falls by the same amount;
- variable-speed air compressors at XT-01 from January 2023;
- the XT-02 boiler switched from bituminous coal to natural gas in June 2023 (both fuels that
  month, gas only afterwards);
- waste sorting from January 2022 (less landfill, more metal recycled) and foundry-sand
  reclamation at XT-02 from January 2024;
- a rail-first travel policy from April 2023;
- part of the diesel fleet (XT-WH trucks, XT-01 forklifts) electrified from March 2024; the new
  vehicles charge from the grid.

Seasonality: coal and gas heat the sites from mid-November to mid-March, electricity peaks with
cooling in July and August, and Shanghai's offices also heat with electricity in winter.

The numbers come from random.Random(seed), never the global generator, so a given seed always
gives the same records.
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from emissions.facilities.demo import DEMO_FACILITIES
from emissions.facilities.models import Facility

from .calculation import RecordCalculator
from .models import ActivityRecord, ActivityType, DataQuality, ReviewStatus

DEMO_SEED = 20190101
FIRST_YEAR, LAST_YEAR = 2019, 2025
DEMO_CODES = [row["code"] for row in DEMO_FACILITIES]
HISTORY_REASON = "Demo data loaded"

# Milestones: the first (year, month) each project shows in the data.
LED_RETROFIT = (2021, 5)
WASTE_SORTING = (2022, 1)
SOLAR_START = (2022, 7)
COMPRESSOR_VFD = (2023, 1)
RAIL_FIRST = (2023, 4)
BOILER_SWITCH = (2023, 6)  # coal and gas this month, gas only from the next
SAND_RECLAMATION = (2024, 1)
FLEET_EV = (2024, 3)

# Production index by year (2019 = 1), and the monthly shapes (each averages 1 over the year).
PRODUCTION = {2019: 1.00, 2020: 0.93, 2021: 1.05, 2022: 1.01, 2023: 1.04, 2024: 1.06, 2025: 1.07}


def _normalised(values):
    mean = sum(values) / len(values)
    return [None, *(value / mean for value in values)]  # index by month number, 1–12


#                        Jan   Feb   Mar   Apr   May   Jun   Jul   Aug   Sep   Oct   Nov   Dec
PRODUCTION_SHAPE = _normalised(
    [1.02, 0.80, 1.00, 1.01, 1.02, 1.01, 0.99, 0.98, 1.03, 0.97, 1.03, 1.04]
)
COOLING_SHAPE = _normalised(
    [1.00, 0.97, 0.95, 0.93, 0.97, 1.06, 1.16, 1.17, 1.02, 0.93, 0.94, 0.99]
)
HEATING_SHAPE = _normalised([2.3, 1.9, 1.1, 0.1, 0, 0, 0, 0, 0, 0.2, 1.6, 2.5])
SOLAR_SHAPE = _normalised([0.62, 0.74, 0.98, 1.14, 1.28, 1.24, 1.14, 1.09, 1.00, 0.88, 0.70, 0.58])
# Shanghai offices have no district heating: split air conditioners heat in winter.
SHANGHAI_SHAPE = _normalised(
    [1.25, 1.05, 0.95, 0.85, 0.90, 1.05, 1.35, 1.40, 1.05, 0.85, 0.90, 1.10]
)

QUANTUM = {
    "kWh": Decimal("1"),
    "m**3": Decimal("1"),
    "L": Decimal("0.1"),
    "t": Decimal("0.001"),
    "kg": Decimal("0.1"),
    "passenger*km": Decimal("1"),
    "night": Decimal("1"),
    "t*km": Decimal("1"),
}

QUALITY = {
    "grid_electricity": DataQuality.METERED,
    "onsite_solar_consumed": DataQuality.METERED,
    "natural_gas_stationary": DataQuality.METERED,
    "bituminous_coal_stationary": DataQuality.INVOICE,
    "diesel_stationary": DataQuality.INVOICE,
    "diesel_vehicles": DataQuality.INVOICE,
    "refrigerant_r410a": DataQuality.INVOICE,
    "refrigerant_r134a": DataQuality.INVOICE,
    "flight_domestic": DataQuality.ESTIMATED,
    "rail_travel": DataQuality.ESTIMATED,
    "hotel_nights": DataQuality.ESTIMATED,
    "waste_landfill": DataQuality.ESTIMATED,
    "waste_metal_recycling": DataQuality.ESTIMATED,
    "freight_road": DataQuality.ESTIMATED,
}
SOURCE = {
    DataQuality.METERED: "Demo meter reading",
    DataQuality.INVOICE: "Demo invoice",
    DataQuality.ESTIMATED: "Demo estimate",
}


def production(year: int, month: int) -> float:
    """Output of the factories this month relative to an average 2019 month."""
    index = PRODUCTION[year] * PRODUCTION_SHAPE[month]
    if year == 2020 and month in (2, 3):
        index *= 0.55 if month == 2 else 0.85  # the COVID stop after the Spring Festival
    return index


def travel_level(year: int, month: int, *, shanghai: bool = False) -> float:
    """Business travel relative to 2019: COVID years, the Shanghai lockdown, Spring Festival."""
    if year == 2020:
        level = {1: 1.0, 2: 0.1, 3: 0.3, 4: 0.6}.get(month, 0.8)
    elif year == 2021:
        level = 0.85
    elif year == 2022:
        level = 0.05 if shanghai and month in (4, 5) else 0.7
    else:
        level = 1.0
    return level * (0.6 if month == 2 else 1.0)


class _DemoBuilder:
    def __init__(self, seed: int, calculator: RecordCalculator, types: dict[str, ActivityType]):
        self.rng = Random(seed)
        self.calc = calculator
        self.types = types
        self.records: list[ActivityRecord] = []

    def noise(self, spread: float = 0.04) -> float:
        return self.rng.uniform(1 - spread, 1 + spread)

    def add(self, facility, code, year, month, quantity: float, notes: str = "") -> None:
        activity_type = self.types[code]
        unit = activity_type.default_unit
        amount = Decimal(repr(quantity)).quantize(QUANTUM[unit], rounding=ROUND_HALF_UP)
        if amount <= 0:
            return
        quality = QUALITY[code]
        start = dt.date(year, month, 1)
        record = ActivityRecord(
            facility=facility,
            activity_type=activity_type,
            period_start=start,
            period_end=start.replace(day=calendar.monthrange(year, month)[1]),
            quantity=amount,
            unit=unit,
            data_quality=quality,
            source_reference=f"{SOURCE[quality]} {year}-{month:02d}",
            notes=notes,
            # The demo's history is reviewed; its last month is still waiting for approval, so
            # the dashboard shows what pending data looks like.
            status=ReviewStatus.SUBMITTED
            if (year, month) == (LAST_YEAR, 12)
            else ReviewStatus.APPROVED,
        )
        self.calc.calculate(record)
        self.records.append(record)


def _months(facility: Facility):
    """(year, month) of each whole calendar month the facility was open, 2019–2025."""
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            start = dt.date(year, month, 1)
            end = start.replace(day=calendar.monthrange(year, month)[1])
            if start < facility.opened_on or (facility.closed_on and end > facility.closed_on):
                continue
            yield year, month


def _lighting(ym, saving: float) -> float:
    return 1 - saving if ym >= LED_RETROFIT else 1.0


def _main_plant(b: _DemoBuilder, facility: Facility) -> None:
    """XT-01: machining and assembly, paint-drying ovens on gas, forklifts and shuttle trucks."""
    for year, month in _months(facility):
        ym, out = (year, month), production(year, month)
        efficiency = _lighting(ym, 0.04) * (0.95 if ym >= COMPRESSOR_VFD else 1.0)
        demand = 520_000 * out * COOLING_SHAPE[month] * efficiency * b.noise(0.03)
        diesel = 2_800 * out * b.noise(0.06)
        if ym >= FLEET_EV:
            replaced = diesel * 0.30  # electric forklifts
            diesel -= replaced
            demand += replaced * 3.2  # kWh per litre of diesel no longer burnt
        if ym >= SOLAR_START:
            solar = min(130_000 * SOLAR_SHAPE[month] * b.noise(0.10), demand * 0.6)
            note = "Rooftop PV (about 1.2 MWp) in operation." if ym == SOLAR_START else ""
            b.add(facility, "onsite_solar_consumed", year, month, solar, note)
            demand -= solar
        note = "LED retrofit completed April 2021." if ym == LED_RETROFIT else ""
        b.add(facility, "grid_electricity", year, month, demand, note)

        gas = 29_000 * (0.5 * out + 0.5 * HEATING_SHAPE[month]) * b.noise(0.05)
        b.add(facility, "natural_gas_stationary", year, month, gas)
        note = "30% of the diesel forklifts replaced by electric ones." if ym == FLEET_EV else ""
        b.add(facility, "diesel_vehicles", year, month, diesel, note)

        generator, note = 110 * b.noise(0.15), ""  # the monthly test run
        if ym in ((2021, 9), (2021, 10)):
            generator += 2_200 if month == 9 else 1_600
            note = "Grid power rationing: production kept up on the standby generator."
        elif month in (7, 8) and b.rng.random() < 0.3:
            generator += b.rng.uniform(250, 700)
            note = "Storm outage."
        b.add(facility, "diesel_stationary", year, month, generator, note)

        sorting = ym >= WASTE_SORTING
        landfill = 22 * out * (0.7 if sorting else 1.0) * b.noise(0.08)
        metal = 28 * out * (1.15 if sorting else 1.0) * b.noise(0.06)
        b.add(facility, "waste_landfill", year, month, landfill)
        b.add(facility, "waste_metal_recycling", year, month, metal)


def _casting_workshop(b: _DemoBuilder, facility: Facility) -> None:
    """XT-02: foundry; a coal-fired boiler for heating and sand drying until June 2023."""
    for year, month in _months(facility):
        ym, out = (year, month), production(year, month)
        power = 125_000 * out * COOLING_SHAPE[month] * _lighting(ym, 0.03) * b.noise(0.03)
        b.add(facility, "grid_electricity", year, month, power)

        heat = 0.4 * out + 0.6 * HEATING_SHAPE[month]  # boiler load, 1 = average 2019 month
        coal = 75 * heat * b.noise(0.05)  # t; about 900 t a year
        # The same heat from gas: 25.8 GJ/t coal at 70 % boiler efficiency, 34.4 MJ/m³ at 92 %.
        gas_for_coal = coal * 25.8 * 0.70 / 0.92 / 0.0344
        ladles = 5_000 * out * b.noise(0.05)  # m³ for ladle preheating, all years
        if ym < BOILER_SWITCH:
            b.add(facility, "bituminous_coal_stationary", year, month, coal)
            b.add(facility, "natural_gas_stationary", year, month, ladles)
        elif ym == BOILER_SWITCH:
            note = "Boiler converted from coal to natural gas mid-June 2023."
            b.add(facility, "bituminous_coal_stationary", year, month, coal * 0.5, note)
            b.add(facility, "natural_gas_stationary", year, month, ladles + gas_for_coal * 0.5)
        else:
            b.add(facility, "natural_gas_stationary", year, month, ladles + gas_for_coal)

        sand = 35 * out * (0.7 if ym >= WASTE_SORTING else 1.0)
        if ym >= SAND_RECLAMATION:
            sand *= 0.6
        b.add(facility, "waste_landfill", year, month, sand * b.noise(0.08))
        metal = 18 * out * (1.15 if ym >= WASTE_SORTING else 1.0) * b.noise(0.06)
        b.add(facility, "waste_metal_recycling", year, month, metal)


def _warehouse(b: _DemoBuilder, facility: Facility) -> None:
    """XT-WH: lighting-heavy electricity, delivery trucks, inbound road freight."""
    for year, month in _months(facility):
        ym, out = (year, month), production(year, month)
        power = 15_000 * COOLING_SHAPE[month] * _lighting(ym, 0.15) * b.noise(0.04)
        diesel = 6_000 * out * b.noise(0.05)
        note = ""
        if ym >= FLEET_EV:
            replaced = diesel * 0.45
            diesel -= replaced
            power += replaced * 3.2
            note = "Light delivery trucks electrified from March 2024." if ym == FLEET_EV else ""
        b.add(facility, "grid_electricity", year, month, power)
        b.add(facility, "diesel_vehicles", year, month, diesel, note)
        b.add(facility, "freight_road", year, month, 550_000 * out * b.noise(0.07))


# kWh/month, domestic-flight and rail passenger-km/month, hotel nights/month (2019 levels).
OFFICES = {
    "SJZ-OF": {"power": 5_000, "flight": 14_000, "rail": 18_000, "hotel": 45},
    "SH-OF": {"power": 6_500, "flight": 30_000, "rail": 9_000, "hotel": 60},
}


def _office(b: _DemoBuilder, facility: Facility) -> None:
    """Sales offices: electricity, business travel, R-410A top-ups of the split units."""
    profile = OFFICES[facility.code]
    shanghai = facility.code == "SH-OF"
    top_ups = _top_up_months(b, (1, 1, 2), range(4, 10))
    for year, month in _months(facility):
        ym = (year, month)
        shape = SHANGHAI_SHAPE if shanghai else COOLING_SHAPE
        power = profile["power"] * shape[month] * _lighting(ym, 0.08) * b.noise(0.05)
        if shanghai and ym in ((2022, 4), (2022, 5)):
            power *= 0.4  # the Shanghai lockdown
        b.add(facility, "grid_electricity", year, month, power)

        level = travel_level(year, month, shanghai=shanghai)
        rail_first = ym >= RAIL_FIRST
        flights = profile["flight"] * level * (0.7 if rail_first else 1.0) * b.noise(0.15)
        rail = profile["rail"] * level * (1.3 if rail_first else 1.0) * b.noise(0.12)
        note = "Rail-first travel policy for trips under 1,000 km." if ym == RAIL_FIRST else ""
        b.add(facility, "flight_domestic", year, month, flights, note)
        b.add(facility, "rail_travel", year, month, rail)
        b.add(facility, "hotel_nights", year, month, profile["hotel"] * level * b.noise(0.12))

        if ym in top_ups:
            b.add(facility, "refrigerant_r410a", year, month, b.rng.uniform(1.0, 4.5))


def _top_up_months(b: _DemoBuilder, counts, months) -> set[tuple[int, int]]:
    """The service months of each year in which refrigerant was topped up."""
    chosen = set()
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in b.rng.sample(list(months), b.rng.choice(counts)):
            chosen.add((year, month))
    return chosen


def _main_plant_chillers(b: _DemoBuilder, facility: Facility) -> None:
    """XT-01 process chillers (R-134a): two or three top-ups a year, smaller after 2022."""
    top_ups = _top_up_months(b, (2, 2, 3), range(4, 11))
    for year, month in _months(facility):
        if (year, month) in top_ups:
            low, high = (4, 18) if year < 2023 else (2, 8)  # leak checks tightened in 2023
            b.add(facility, "refrigerant_r134a", year, month, b.rng.uniform(low, high))


BUILDERS = {
    "XT-01": (_main_plant, _main_plant_chillers),
    "XT-02": (_casting_workshop,),
    "XT-WH": (_warehouse,),
    "SJZ-OF": (_office,),
    "SH-OF": (_office,),
}


def build_demo_records(
    facilities: dict[str, Facility], *, seed: int = DEMO_SEED, calculator=None
) -> list[ActivityRecord]:
    """The calculated, unsaved demo records for the given demo facilities (keyed by code)."""
    codes = set(QUALITY)
    types = {t.code: t for t in ActivityType.objects.select_related("gas").filter(code__in=codes)}
    missing = sorted(codes - set(types))
    if missing:
        raise ValidationError(
            "Activity types missing: %(codes)s; run load_activity_types.",
            params={"codes": ", ".join(missing)},
        )
    builder = _DemoBuilder(seed, calculator or RecordCalculator(), types)
    for code in DEMO_CODES:  # a fixed order, so the random stream is the same every time
        if code in facilities:
            for build in BUILDERS[code]:
                build(builder, facilities[code])
    return builder.records


def load_demo_activity(*, seed: int = DEMO_SEED) -> tuple[int, int]:
    """Create the demo's monthly activity records; return (created, kept) counts.

    All or nothing: if any demo facility already has an activity record (demo or entered by
    hand), nothing is created and (0, number of records of the demo facilities) is returned,
    so running it again never duplicates or mixes data. Facilities missing from the database
    are skipped; run load_demo_organisation() first. Raises ValidationError when activity types
    or emission factors are missing (run load_factors and load_activity_types).
    """
    with transaction.atomic():
        existing = ActivityRecord.objects.filter(facility__code__in=DEMO_CODES).count()
        if existing:
            return 0, existing
        facilities = Facility.objects.in_bulk(DEMO_CODES, field_name="code")
        records = build_demo_records(facilities, seed=seed)
        # bulk_create skips save() (hence calculate() above) and simple-history's signals:
        # this helper also writes each record's "created" history row.
        bulk_create_with_history(
            records, ActivityRecord, batch_size=1000, default_change_reason=HISTORY_REASON
        )
    return len(records), 0
