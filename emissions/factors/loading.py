"""Load the shipped gases, datasets and factors from the CSV files in data/ (idempotent)."""

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import EmissionFactor, FactorDataset, Gas
from .taxonomy import Category

DATA_DIR = Path(__file__).resolve().parent / "data"

GAS_CODES = {
    "Carbon dioxide": "CO2",
    "Methane (fossil)": "CH4_FOSSIL",
    "Methane (non-fossil)": "CH4_NON_FOSSIL",
    "Methane (single value, AR6 Table 7.SM.7)": "CH4",
    "Nitrous oxide": "N2O",
    "Sulphur hexafluoride": "SF6",
    "Nitrogen trifluoride": "NF3",
    "HFC-23": "HFC-23",
    "HFC-32 (R-32)": "HFC-32",
    "HFC-125 (R-125)": "HFC-125",
    "HFC-134a (R-134a)": "HFC-134a",
    "HFC-143a (R-143a)": "HFC-143a",
    "HFC-152a (R-152a)": "HFC-152a",
    "HFC-227ea (R-227ea)": "HFC-227ea",
    "HCFC-22 (R-22)": "HCFC-22",
    "R-404A": "R-404A",
    "R-407C": "R-407C",
    "R-410A": "R-410A",
    "R-507A": "R-507A",
}

OGL = "Open Government Licence v3.0 (contains public sector information)"
DATASETS = {
    "GB/T 32150-2025": ("SAMR / SAC (China)", "2025", "Chinese national standard"),
    "GB/T 32151.34-2024 Annex C": ("SAMR / SAC (China)", "2024", "Chinese national standard"),
    "IPCC 2006 GL Vol.2 Ch.2 Table 2.3": ("IPCC", "2006", "Cited by name and table"),
    "IPCC 2006 GL Vol.2 Ch.2 Table 2.3 + Vol.2 Ch.1 Table 1.2 NCV": (
        "IPCC",
        "2006",
        "Cited by name and table",
    ),
    "IPCC 2006 GL Vol.2 Ch.3 Tables 3.2.1-3.2.2": ("IPCC", "2006", "Cited by name and table"),
    "MEE ETS reporting notice 2022 (全国电网平均排放因子)": (
        "Ministry of Ecology and Environment (China)",
        "2022",
        "Official government notice",
    ),
    "MEE ETS reporting notice 2023 (全国电网平均排放因子)": (
        "Ministry of Ecology and Environment (China)",
        "2023",
        "Official government notice",
    ),
    "MEE-NBS Electricity CO2 Emission Factors 2021 (Announcement 2024 No.12)": (
        "MEE and National Bureau of Statistics (China)",
        "2021",
        "Official government announcement",
    ),
    "MEE-NBS Electricity CO2 Emission Factors 2022 (Announcement 2024 No.33)": (
        "MEE and National Bureau of Statistics (China)",
        "2022",
        "Official government announcement",
    ),
    "MEE-NBS Electricity CO2 Emission Factors 2023 (Announcement 2025 No.47)": (
        "MEE and National Bureau of Statistics (China)",
        "2023",
        "Official government announcement",
    ),
    "UK DESNZ GHG Conversion Factors 2025 (flat file)": (
        "UK Department for Energy Security and Net Zero",
        "2025",
        OGL,
    ),
    "US EPA GHG Emission Factors Hub 2025": (
        "US Environmental Protection Agency",
        "2025",
        "US public domain",
    ),
}

CATEGORIES = {
    "Purchased electricity": Category.PURCHASED_ELECTRICITY,
    "Stationary combustion": Category.STATIONARY_COMBUSTION,
    "Mobile combustion": Category.MOBILE_COMBUSTION,
    "Scope 3 Cat 4 Upstream transportation": Category.C4,
    "Scope 3 Cat 5 Waste generated in operations": Category.C5,
    "Scope 3 Cat 6 Business travel": Category.C6,
}


def _category(row: dict) -> str:
    if row["category"] == "Purchased heat and steam":
        return Category.PURCHASED_STEAM if "steam" in row["key"] else Category.PURCHASED_HEAT
    return CATEGORIES[row["category"]]


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _gwp_basis(text: str) -> str:
    return text.strip()[:3] if text.strip() else ""


@dataclass
class LoadReport:
    gases: int = 0
    datasets: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_factor_ids: list[int] = field(default_factory=list)
    changed_gas_codes: list[str] = field(default_factory=list)


def _read(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_shipped_factors() -> LoadReport:
    report = LoadReport()
    for row in _read("gwp.csv"):
        code = GAS_CODES[row["gas"]]
        values = {
            "name": row["gas"],
            "formula": row["formula"],
            "gwp_ar4": _decimal(row["gwp100_ar4"]),
            "gwp_ar5": _decimal(row["gwp100_ar5"]),
            "gwp_ar6": _decimal(row["gwp100_ar6"]),
            "source": row["source"],
        }
        gas = Gas.objects.filter(code=code).first()
        if gas is None:
            Gas.objects.create(code=code, **values)
        elif any(getattr(gas, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(gas, name, value)
            gas.save()
            report.changed_gas_codes.append(code)
        report.gases += 1

    datasets = {}
    for name, (publisher, version, licence) in DATASETS.items():
        datasets[name], _ = FactorDataset.objects.update_or_create(
            name=name,
            defaults={
                "publisher": publisher,
                "version": version,
                "licence": licence,
                "is_shipped": True,
            },
        )
    report.datasets = len(datasets)

    groups = {row["key"]: row for row in _read("factor_groups.csv")}
    existing = {factor.key: factor for factor in EmissionFactor.objects.filter(key__in=groups)}
    for row in _read("emission_factors.csv"):
        values = {
            "name": row["name"],
            "dataset": datasets[row["dataset"]],
            "group": groups[row["key"]]["group"],
            "series": groups[row["key"]]["series"],
            "category": _category(row),
            "unit": row["activity_unit"],
            "region": row["region"],
            "year": int(row["year"]),
            "co2_kg": _decimal(row["co2_kg"]),
            "ch4_kg": _decimal(row["ch4_kg"]),
            "n2o_kg": _decimal(row["n2o_kg"]),
            "co2e_kg": _decimal(row["co2e_kg"]),
            "biogenic_co2_kg": None,  # no shipped source gives biogenic CO2 separately
            "co2e_gwp_basis": _gwp_basis(row["gwp_basis"]) if row["co2e_kg"].strip() else "",
            "source_reference": row["source_reference"],
            "notes": row["notes"],
        }
        factor = existing.get(row["key"])
        if factor is None:
            factor = EmissionFactor(key=row["key"], **values)
            factor.full_clean()
            factor.save()
            report.created += 1
            continue
        if all(getattr(factor, name) == value for name, value in values.items()):
            report.unchanged += 1
            continue
        for name, value in values.items():
            setattr(factor, name, value)
        factor.full_clean()
        factor.save()
        report.updated += 1
        report.changed_factor_ids.append(factor.pk)
    return report
