"""The Xingtai Kehui demo organisation: fictional sites shaped like a Hebei manufacturer's."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from .models import (
    ConsolidationApproach,
    Facility,
    FacilityKind,
    FacilityOutput,
    GwpBasis,
    Organisation,
    OutputMetric,
)
from .regions import GridRegion, Province

DEMO_ORGANISATION = {
    "name_en": "Xingtai Kehui (demo)",
    "name_zh": "邢台科辉（演示）",
    "consolidation_approach": ConsolidationApproach.OPERATIONAL_CONTROL,
    "gwp_basis": GwpBasis.AR5,
    "base_year": 2019,
    "reporting_currency": "CNY",
    # Shown against the green-power share on the overview and targets pages.
    "green_power_target_pct": Decimal("25"),
    "green_power_target_basis": "Kehui's own green-power goal (demo)",
}

DEMO_FACILITIES = [
    {
        "code": "XT-01",
        "name_en": "Xingtai main plant",
        "name_zh": "邢台总厂",
        "kind": FacilityKind.FACTORY,
        "address": "Xingtai Economic Development Zone, Hebei",
        "province": Province.HEBEI,
        "grid_region": GridRegion.NORTH,
        "opened_on": dt.date(2008, 3, 18),
    },
    {
        "code": "XT-02",
        "name_en": "Xingtai casting workshop",
        "name_zh": "邢台铸造车间",
        "kind": FacilityKind.FACTORY,
        "address": "Ningjin County, Xingtai, Hebei",
        "province": Province.HEBEI,
        "grid_region": GridRegion.NORTH,
        "opened_on": dt.date(2014, 9, 1),
    },
    {
        "code": "XT-WH",
        "name_en": "Xingtai finished-goods warehouse",
        "name_zh": "邢台成品仓库",
        "kind": FacilityKind.WAREHOUSE,
        "address": "Xiangdu District, Xingtai, Hebei",
        "province": Province.HEBEI,
        "grid_region": GridRegion.NORTH,
        "opened_on": dt.date(2016, 5, 10),
    },
    {
        "code": "SJZ-OF",
        "name_en": "Shijiazhuang sales office",
        "name_zh": "石家庄销售办事处",
        "kind": FacilityKind.OFFICE,
        "address": "Chang'an District, Shijiazhuang, Hebei",
        "province": Province.HEBEI,
        "grid_region": GridRegion.NORTH,
        "ownership_share": Decimal("100"),
        "opened_on": dt.date(2017, 2, 6),
    },
    {
        "code": "SH-OF",
        "name_en": "Shanghai sales office",
        "name_zh": "上海销售办事处",
        "kind": FacilityKind.OFFICE,
        "address": "Minhang District, Shanghai",
        "province": Province.SHANGHAI,
        "grid_region": GridRegion.EAST,
        "opened_on": dt.date(2019, 4, 1),
        "closed_on": dt.date(2024, 6, 30),
        "is_active": False,
    },
]


@transaction.atomic
def load_demo_organisation() -> tuple[int, int]:
    """Create what is missing of the demo profile and facilities; return (created, kept) counts.

    Rows that already exist are left as they are, so edits made in the admin survive `make run`.
    """
    if Organisation.current() is None:
        Organisation(**DEMO_ORGANISATION).save()
    created = kept = 0
    for row in DEMO_FACILITIES:
        values = {"country": "CN", "ownership_share": Decimal("100"), "is_active": True, **row}
        if Facility.objects.filter(code=values["code"]).exists():
            kept += 1
            continue
        facility = Facility(**values)
        facility.full_clean()
        facility.save()
        created += 1
    return created, kept


# Tonnes of finished castings and machined parts per year (fictional): a dip in 2020, growth after.
DEMO_PRODUCTION_T = {
    "XT-01": {2019: 41000, 2020: 36500, 2021: 43800, 2022: 42100, 2023: 44600, 2024: 46200,
              2025: 47500,
              # The production plan (the forecast's growth); 2029 keeps 2028's figure.
              2026: 48500, 2027: 49500, 2028: 50500, 2030: 52500},
    "XT-02": {2019: 12800, 2020: 11100, 2021: 13600, 2022: 13100, 2023: 13900, 2024: 14400,
              2025: 14900,
              2026: 15300, 2028: 16000, 2030: 16800},
}  # fmt: skip


@transaction.atomic
def load_demo_outputs() -> int:
    """Create the demo production figures that are missing; return how many were created."""
    created = 0
    for code, years in DEMO_PRODUCTION_T.items():
        facility = Facility.objects.filter(code=code).first()
        if facility is None:
            continue
        for year, tonnes in years.items():
            _, was_created = FacilityOutput.objects.get_or_create(
                facility=facility,
                year=year,
                metric=OutputMetric.PRODUCTION,
                defaults={"value": Decimal(tonnes), "unit": "t"},
            )
            created += was_created
    return created
