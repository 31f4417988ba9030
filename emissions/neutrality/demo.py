"""Kehui's demo targets and reduction initiatives."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from emissions.facilities.models import Facility

from .models import InitiativeKind, InitiativeStatus, ReductionInitiative, Target, TargetKind

T = Decimal

TARGETS = [
    {
        "name": "Carbon neutral by 2030 (Scopes 1 and 2, business travel and waste)",
        "name_zh": "2030 年实现碳中和（范围一、范围二、商务差旅和废弃物）",
        "kind": TargetKind.CARBON_NEUTRALITY,
        "base_year": 2019,
        "target_year": 2030,
        "scope3_categories": ["s3_05", "s3_06"],
    },
    {
        "name": "Interim: −30 % gross emissions by 2025",
        "name_zh": "阶段目标：2025 年总排放量较基准年下降 30%",
        "kind": TargetKind.ABSOLUTE_REDUCTION,
        "base_year": 2019,
        "target_year": 2025,
        "reduction_pct": T("30"),
        "scope3_categories": ["s3_05", "s3_06"],
    },
    {
        "name": "Interim: −50 % gross emissions by 2028",
        "name_zh": "阶段目标：2028 年总排放量较基准年下降 50%",
        "kind": TargetKind.ABSOLUTE_REDUCTION,
        "base_year": 2019,
        "target_year": 2028,
        "reduction_pct": T("50"),
        "scope3_categories": ["s3_05", "s3_06"],
    },
    {
        "name": "60 % renewable electricity by 2030",
        "name_zh": "2030 年可再生电力占比达到 60%",
        "kind": TargetKind.RENEWABLE_SHARE,
        "base_year": 2019,
        "target_year": 2030,
        "renewable_share_pct": T("60"),
    },
]

# (title, Chinese title, facility, kind, status, start, tCO2e/year, capex, annual saving, lifetime)
INITIATIVES = [
    ("LED retrofit, all sites", "全厂 LED 照明改造", None, InitiativeKind.LED,
     InitiativeStatus.DONE, dt.date(2021, 5, 1), "180", "600000", "260000", 10),
    ("Rooftop solar 1.2 MWp", "1.2 MWp 屋顶光伏", "XT-01", InitiativeKind.ROOFTOP_SOLAR,
     InitiativeStatus.DONE, dt.date(2022, 7, 1), "950", "4300000", "820000", 25),
    ("Coal boiler to natural gas", "燃煤锅炉改天然气", "XT-02", InitiativeKind.BOILER_FUEL_SWITCH,
     InitiativeStatus.DONE, dt.date(2023, 6, 1), "520", "2800000", "-150000", 20),
    ("Variable-speed air compressors", "空压机变频改造", "XT-01",
     InitiativeKind.PROCESS_EFFICIENCY, InitiativeStatus.DONE, dt.date(2023, 1, 1), "210",
     "900000", "310000", 12),
    ("Electric forklifts and vans", "电动叉车和货车", "XT-WH", InitiativeKind.FLEET_ELECTRIFICATION,
     InitiativeStatus.IN_PROGRESS, dt.date(2024, 3, 1), "140", "1600000", "190000", 8),
    ("Heat pumps for workshop heating", "车间供暖热泵", "XT-02", InitiativeKind.HEAT_PUMP,
     InitiativeStatus.PLANNED, dt.date(2026, 9, 1), "450", "3500000", "240000", 15),
    ("Green-power contract for the casting workshop", "铸造车间绿电交易合同", "XT-02",
     InitiativeKind.GREEN_POWER, InitiativeStatus.IDEA, None, "900", "0", "-180000", 1),
]  # fmt: skip


@transaction.atomic
def load_demo_targets() -> int:
    """Create the demo targets and initiatives once; return how many were created."""
    if Target.objects.exists() or ReductionInitiative.objects.exists():
        return 0
    facilities = {facility.code: facility for facility in Facility.objects.all()}
    created = 0
    for values in TARGETS:
        target = Target(**values)
        target.full_clean()
        target.save()
        created += 1
    for row in INITIATIVES:
        title, title_zh, code, kind, status, start, abatement, capex, saving, lifetime = row
        initiative = ReductionInitiative(
            title=title,
            title_zh=title_zh,
            facility=facilities.get(code),
            kind=kind,
            status=status,
            start_date=start,
            expected_abatement_t_per_year=T(abatement),
            capex=T(capex),
            annual_saving=T(saving),
            lifetime_years=lifetime,
        )
        initiative.full_clean()
        initiative.save()
        created += 1
    return created
