"""Load the shipped gases, datasets and factors from the CSV files in data/ (idempotent)."""

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import EmissionFactor, FactorBasis, FactorDataset, Gas
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
    "worldsteel Sustainability Indicators 2023": (
        "World Steel Association (worldsteel)",
        "2023 (2022 data)",
        "Cited by name and indicator",
    ),
}

# US EPA Supply Chain GHG Emission Factors v1.2 by NAICS-6: spend-based factors, kg CO2e per
# 2021 US dollar (purchaser price), kept byte for byte as published (data/README.md).
EPA_SPEND_FILE = "epa_supply_chain_v1.2.csv"
EPA_SPEND_COLUMN = "Supply Chain Emission Factors with Margins"
EPA_SPEND_DOI = "https://doi.org/10.23719/1528686"
EPA_SPEND_DATASET = {
    "name": "US EPA Supply Chain GHG Emission Factors v1.2 (NAICS-6, 2021 USD)",
    "publisher": "US EPA",
    "version": "1.2 (2023)",
    "licence": (
        "EPA ScienceHub license (https://pasteur.epa.gov/license/sciencehub-license.html): "
        "a US Government work, public domain"
    ),
    "source_reference": (
        "US EPA Office of Research and Development, Supply Chain Greenhouse Gas Emission "
        f"Factors v1.2 by NAICS-6, modified 2023-04-12, {EPA_SPEND_DOI}; file "
        "SupplyChainGHGEmissionFactors_v1.2_NAICS_CO2e_USD2021.csv. kg CO2e per 2021 USD, "
        "purchaser price, IPCC AR4 GWPs."
    ),
    "is_shipped": True,
    "basis": FactorBasis.SPEND,
}
EPA_SPEND_KEY_PREFIX = "epa-sc-v1-2-"

CATEGORIES = {
    "Purchased electricity": Category.PURCHASED_ELECTRICITY,
    "Stationary combustion": Category.STATIONARY_COMBUSTION,
    "Mobile combustion": Category.MOBILE_COMBUSTION,
    "Scope 3 Cat 1 Purchased goods and services": Category.C1,
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
    spend_dataset = _shipped_dataset(EPA_SPEND_DATASET)
    report.datasets = len(datasets) + 1

    groups = {row["key"]: row for row in _read("factor_groups.csv")}
    existing = {
        factor.key: factor
        for factor in EmissionFactor.objects.filter(key__in=groups).select_related("dataset")
    }
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
    _load_spend_factors(spend_dataset, report)
    return report


def _shipped_dataset(values: dict) -> FactorDataset:
    """The dataset, created or brought in line; saved (and so historied) only on a change."""
    name, defaults = values["name"], {k: v for k, v in values.items() if k != "name"}
    dataset = FactorDataset.objects.filter(name=name).first()
    if dataset is None:
        return FactorDataset.objects.create(name=name, **defaults)
    if any(getattr(dataset, field) != value for field, value in defaults.items()):
        for field, value in defaults.items():
            setattr(dataset, field, value)
        dataset.save()
    return dataset


def _spend_values(row: dict, dataset: FactorDataset) -> tuple[str, dict]:
    naics, title = row["2017 NAICS Code"].strip(), row["2017 NAICS Title"].strip()
    return f"{EPA_SPEND_KEY_PREFIX}{naics}", {
        "name": f"{title} (NAICS {naics}), spend-based",
        "dataset_id": dataset.pk,  # compared without fetching each factor's dataset
        "group": f"spend-naics-{naics}",
        # The default series: every inventory's factor_series holds "" (no series).
        "series": "",
        "category": Category.C1,
        "unit": "USD",
        "region": "US",
        "year": 2021,
        "co2_kg": None,
        "ch4_kg": None,
        "n2o_kg": None,
        "co2e_kg": Decimal(row[EPA_SPEND_COLUMN]),  # from the text as published, never a float
        "biogenic_co2_kg": None,
        "co2e_gwp_basis": "AR4",
        "source_reference": (
            f"{dataset.name}, NAICS {naics}, column '{EPA_SPEND_COLUMN}' "
            f"({row['Unit'].strip()}), {EPA_SPEND_DOI}"
        ),
        "notes": (
            f"Without margins {row['Supply Chain Emission Factors without Margins']}, margins "
            f"{row['Margins of Supply Chain Emission Factors']} kg CO2e/USD; USEEIO sector "
            f"{row['Reference USEEIO Code']}. Cradle to point of sale (with margins)."
        ),
    }


def _load_spend_factors(dataset: FactorDataset, report: LoadReport) -> None:
    """One factor per NAICS-6 row: new ones in bulk, changed ones saved one by one.

    Saving a changed factor queues the recalculation of its records (activities/signals.py),
    so changes go through save(); a first load is a bulk insert, with its history rows.
    """
    rows = dict(_spend_values(row, dataset) for row in _read(EPA_SPEND_FILE))
    existing = {factor.key: factor for factor in EmissionFactor.objects.filter(key__in=rows)}
    new = []
    for key, values in rows.items():
        factor = existing.get(key)
        if factor is None:
            factor = EmissionFactor(key=key, **values)
            # Field and unit checks only: the database enforces the key, the dataset and the
            # constraints, and a query per row would make the first load slow.
            factor.full_clean(
                exclude=["dataset"], validate_unique=False, validate_constraints=False
            )
            new.append(factor)
        elif all(getattr(factor, name) == value for name, value in values.items()):
            report.unchanged += 1
        else:
            for name, value in values.items():
                setattr(factor, name, value)
            factor.full_clean()
            factor.save()
            report.updated += 1
            report.changed_factor_ids.append(factor.pk)
    bulk_create_with_history(new, EmissionFactor, batch_size=500)
    report.created += len(new)
