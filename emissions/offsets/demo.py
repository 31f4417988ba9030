"""Kehui's demo instruments: CCER afforestation and VCS wind credits, GECs for part of the
main plant's electricity, own tree planting, and ETS allowances for the casting workshop.

Everything goes through the services, so the demo obeys the same rules as real data.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from emissions.facilities.models import Facility

from . import services
from .models import (
    AllowanceTransactionKind,
    CertificateScheme,
    CreditKind,
    CreditProject,
    CreditStandard,
    EnergyCertificate,
    ProjectType,
    RetirementPurpose,
    Technology,
    TreePlanting,
)

T = Decimal

PROJECTS = {
    "ccer": {
        "name": "Taihang Mountains afforestation (demo)",
        "name_zh": "太行山造林碳汇（演示）",
        "standard": CreditStandard.CCER,
        "registry_project_id": "CCER-14-2024-DEMO-001",
        "project_type": ProjectType.AFFORESTATION,
        "kind": CreditKind.REMOVAL,
        "country": "CN",
        "methodology": "CCER-14-001-V01 afforestation carbon sink",
    },
    "vcs": {
        "name": "Inner Mongolia wind farm (demo)",
        "name_zh": "内蒙古风电场（演示）",
        "standard": CreditStandard.VCS,
        "registry_project_id": "VCS-DEMO-2417",
        "project_type": ProjectType.RENEWABLE_ENERGY,
        "kind": CreditKind.AVOIDANCE,
        "country": "CN",
        "methodology": "ACM0002 grid-connected renewable electricity",
    },
}

# (project, vintage, tonnes, first serial, purchase date, price per tonne)
BATCHES = [
    ("vcs", 2021, 8000, 410_000_001, dt.date(2023, 2, 15), T("38.00")),
    ("ccer", 2023, 3000, 1_000_001, dt.date(2024, 3, 20), T("92.50")),
    ("ccer", 2024, 4000, 2_000_001, dt.date(2025, 4, 8), T("88.00")),
]

# (batch index, tonnes, retired on, claimed year, purpose, reference)
RETIREMENTS = [
    (0, 1500, dt.date(2024, 3, 28), 2023, RetirementPurpose.NEUTRALITY, "VCS-RET-2024-0328"),
    (1, 500, dt.date(2024, 4, 2), 2023, RetirementPurpose.NEUTRALITY, "CCER-RET-2024-0402"),
    (0, 2000, dt.date(2025, 3, 26), 2024, RetirementPurpose.NEUTRALITY, "VCS-RET-2025-0326"),
    (1, 1200, dt.date(2025, 3, 26), 2024, RetirementPurpose.NEUTRALITY, "CCER-RET-2025-0326"),
    # A CCER surrendered for ETS compliance: it cannot also back the neutrality claim.
    (1, 300, dt.date(2025, 6, 30), 2024, RetirementPurpose.ETS_COMPLIANCE, "CCER-ETS-2025-0630"),
    (0, 2500, dt.date(2026, 3, 25), 2025, RetirementPurpose.NEUTRALITY, "VCS-RET-2026-0325"),
    (2, 1500, dt.date(2026, 3, 25), 2025, RetirementPurpose.NEUTRALITY, "CCER-RET-2026-0325"),
]

# (facility code or None for the whole organisation, year, MWh, first serial)
# GECs: (facility, or None for the organisation; reporting year; MWh; first sequence). Produced
# in June of the reporting year by a demo solar farm (the plant's) or wind farm (the group's);
# the filing codes say DEMO so they can't be mistaken for real ones.
CERTIFICATES = [
    ("XT-01", 2023, 1000, 1),
    ("XT-01", 2024, 2000, 1),
    ("XT-01", 2025, 2500, 1),
    (None, 2025, 500, 1),
]
DEMO_SOLAR_FARM = "DEMOSOLAR00000001"
DEMO_WIND_FARM = "DEMOWIND000000002"


def _gec_code(project: str, year: int, sequence: int) -> str:
    return f"{project}{year}06{sequence:07d}11"


# (compliance year, kind, tonnes, date)
ALLOWANCES = [
    (2023, AllowanceTransactionKind.ALLOCATION, 2600, dt.date(2023, 12, 20)),
    (2023, AllowanceTransactionKind.SURRENDER, 2450, dt.date(2024, 12, 15)),
    (2024, AllowanceTransactionKind.ALLOCATION, 2100, dt.date(2024, 12, 18)),
    (2024, AllowanceTransactionKind.PURCHASE, 150, dt.date(2025, 11, 3)),
    (2024, AllowanceTransactionKind.SURRENDER, 2200, dt.date(2025, 12, 10)),
    (2025, AllowanceTransactionKind.ALLOCATION, 2000, dt.date(2025, 12, 16)),
]


@transaction.atomic
def load_demo_instruments() -> int:
    """Create the demo instruments once; return how many objects were created (0 if present)."""
    if CreditProject.objects.filter(
        registry_project_id=PROJECTS["ccer"]["registry_project_id"]
    ).exists():
        return 0
    facilities = {facility.code: facility for facility in Facility.objects.all()}
    projects = {key: CreditProject.objects.create(**values) for key, values in PROJECTS.items()}
    batches = [
        services.add_credit_batch(
            project=projects[project],
            vintage_year=vintage,
            quantity_t=T(tonnes),
            serial_first=first,
            serial_last=first + tonnes - 1,
            purchased_on=bought,
            price_per_t=price,
        )
        for project, vintage, tonnes, first, bought, price in BATCHES
    ]
    for index, tonnes, retired_on, year, purpose, reference in RETIREMENTS:
        services.retire_credits(
            batch=batches[index],
            quantity_t=T(tonnes),
            retired_on=retired_on,
            claimed_year=year,
            registry_reference=reference,
            purpose=purpose,
            beneficiary_statement=f"Retired on behalf of Xingtai Kehui for {year}.",
        )
    for code, year, mwh, first in CERTIFICATES:
        farm = DEMO_WIND_FARM if code is None else DEMO_SOLAR_FARM
        services.add_energy_certificates(
            scheme=CertificateScheme.GEC,
            registry="China GEC (demo)",
            technology=Technology.WIND if code is None else Technology.SOLAR,
            gec_code_first=_gec_code(farm, year, first),
            gec_code_last=_gec_code(farm, year, first + mwh - 1),
            mwh=T(mwh),
            facility=facilities[code] if code else None,
            reporting_year=year,
        )
    for year, kind, tonnes, date in ALLOWANCES:
        services.record_allowance_transaction(
            facility=facilities["XT-02"],
            compliance_year=year,
            kind=kind,
            quantity_t=T(tonnes),
            transacted_on=date,
            reference=f"Demo ETS {year}",
        )
    TreePlanting.objects.create(
        name="Xingtai riverside poplar belt (demo)",
        name_zh="邢台七里河杨树林带（演示）",
        facility=facilities["XT-01"],
        location="Qili River, Xingtai",
        area_ha=T("20.00"),
        species="Poplar (Populus × euramericana)",
        planting_year=2021,
        sequestration_t_per_year=T("120.000"),
        method=(
            "20 ha × 6 tCO2/ha/year, a typical yield-class figure for young poplar "
            "plantations in North China; not verified by a registry."
        ),
    )
    return (
        len(projects)
        + len(batches)
        + len(RETIREMENTS)
        + EnergyCertificate.objects.count()
        + len(ALLOWANCES)
        + 1
    )
