"""Demo expectations for Xingtai Kehui: the two plants' electricity and gas every month and
their landfill waste every year, owed by the demo administrator."""

import datetime as dt
from decimal import Decimal

from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility

from .models import ExpectedStream, Frequency, MeasureKind, Scenario, ScenarioMeasure

# (facility code, activity type code, frequency, due day)
DEMO_STREAMS = [
    ("XT-01", "grid_electricity", Frequency.MONTHLY, 10),
    ("XT-01", "natural_gas_stationary", Frequency.MONTHLY, 10),
    ("XT-02", "grid_electricity", Frequency.MONTHLY, 10),
    ("XT-02", "natural_gas_stationary", Frequency.MONTHLY, 15),
    ("XT-01", "waste_landfill", Frequency.YEARLY, 20),
]
DEMO_STREAMS_FROM = dt.date(2023, 1, 1)


def load_demo_streams(owner) -> int:
    """Create the demo's expected streams that are missing; how many were created."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in={s[0] for s in DEMO_STREAMS})}
    types = {t.code: t for t in ActivityType.objects.filter(code__in={s[1] for s in DEMO_STREAMS})}
    created = 0
    for facility_code, type_code, frequency, due_day in DEMO_STREAMS:
        if facility_code not in facilities or type_code not in types:
            continue
        _stream, was_created = ExpectedStream.objects.get_or_create(
            facility=facilities[facility_code],
            activity_type=types[type_code],
            defaults={
                "frequency": frequency,
                "due_day": due_day,
                "owner": owner,
                "starts_on": DEMO_STREAMS_FROM,
            },
        )
        created += was_created
    return created


# Two fictional scenarios for the forecast page: the plan (1 MW of rooftop solar on the second
# plant), and a faster one (green certificates for the first plant and an electrified boiler).
# Prices are illustrative, not market quotes: CNY per tCO2e, rising 5 % a year.
# title, Chinese title, kind, facility, first year, amount, full-load hours, capex, yearly cost,
# lifetime
SOLAR_XT02 = (
    "Rooftop solar 1 MW, XT-02",
    "XT-02 屋顶光伏 1 MW",
    MeasureKind.ROOFTOP_SOLAR,
    "XT-02",
    2027,
    Decimal("1"),
    1200,
    Decimal("3200000"),
    Decimal("-470000"),
    25,
)
CERTIFICATES_XT01 = (
    "Green certificates 3,000 MWh a year, XT-01",
    "XT-01 绿证每年 3,000 MWh",
    MeasureKind.CERTIFICATES,
    "XT-01",
    2026,
    Decimal("3000"),
    None,
    Decimal("0"),
    Decimal("15000"),
    1,
)
BOILER_XT02 = (
    "Electric boiler, XT-02",
    "XT-02 电锅炉",
    MeasureKind.ABATEMENT,
    "XT-02",
    2028,
    Decimal("300"),
    None,
    Decimal("2500000"),
    Decimal("120000"),
    15,
)
PRICES = {
    "avoidance_price": Decimal("80"),
    "removal_price": Decimal("300"),
    "price_change_pct": Decimal("5"),
    "removals_share_start_pct": Decimal("10"),
    "removals_share_end_pct": Decimal("100"),
}
DEMO_SCENARIOS = [
    {"name": "Plan: heat pumps and rooftop solar", "name_zh": "规划：热泵与屋顶光伏",
     "is_plan": True, **PRICES, "measures": [SOLAR_XT02]},
    {"name": "Faster: certificates and an electric boiler", "name_zh": "加速：绿证与电锅炉",
     "is_plan": False, "grid_change_pct": Decimal("-3"), **PRICES,
     "measures": [SOLAR_XT02, CERTIFICATES_XT01, BOILER_XT02]},
]  # fmt: skip


def load_demo_scenarios() -> int:
    """Create the demo scenarios that are missing (by name); how many were created."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in=["XT-01", "XT-02"])}
    created = 0
    for spec in DEMO_SCENARIOS:
        fields = {key: value for key, value in spec.items() if key not in ("name", "measures")}
        if spec["is_plan"] and Scenario.objects.filter(is_plan=True).exists():
            fields["is_plan"] = False  # someone chose another plan: keep theirs
        scenario, was_created = Scenario.objects.get_or_create(name=spec["name"], defaults=fields)
        if not was_created:
            continue
        created += 1
        for title, title_zh, kind, code, first, amount, hours, capex, cost, life in spec[
            "measures"
        ]:
            ScenarioMeasure.objects.create(
                scenario=scenario,
                title=title,
                title_zh=title_zh,
                kind=kind,
                facility=facilities.get(code),
                start_year=first,
                amount=amount,
                full_load_hours=hours,
                capex=capex,
                annual_cost=cost,
                lifetime_years=life,
            )
    return created
