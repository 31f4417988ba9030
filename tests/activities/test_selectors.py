"""Which records a total counts, on a small hand-made set of records."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.activities import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(hebei_plant, us_plant, make_record):
    """Seven records over 2022, 2023 and 2025; kg CO2e of each in the comments (AR5)."""
    made = {
        # 10 MWh × 0.6516 kg/kWh (CN-HE 2023) = 6516 kg
        "march_power": make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh"),
        # 5 MWh × 0.6516 = 3258 kg
        "april_power": make_record(
            hebei_plant, "grid_electricity", Decimal("5"), "MWh",
            start=dt.date(2023, 4, 1), end=dt.date(2023, 4, 30),
        ),
        # 10 t × 28.2 GJ/t × (107 + 0.01 × 28 + 0.0015 × 265) kg/GJ = 30365.055 kg
        "march_coke": make_record(hebei_plant, "coke_stationary", Decimal("10"), "t"),
        # 5 kg R-410A × 1923.5 = 9617.5 kg
        "june_leak": make_record(
            hebei_plant, "refrigerant_r410a", Decimal("5"), "kg",
            start=dt.date(2023, 6, 1), end=dt.date(2023, 6, 30),
        ),
        # 10 nights × 53.5 kg CO2e (published) = 535 kg
        "march_hotel": make_record(hebei_plant, "hotel_nights", Decimal("10"), "night"),
        # 1000 kWh × 0.7252 (CN-HE 2022) = 725.2 kg
        "power_2022": make_record(
            hebei_plant, "grid_electricity", Decimal("1000"), "kWh",
            start=dt.date(2022, 3, 1), end=dt.date(2022, 3, 31),
        ),
        # 1000 L diesel in Ohio, EPA 2025 (see test_worked_examples) = 2705.829873 kg
        "us_diesel": make_record(
            us_plant, "diesel_stationary", Decimal("1000"), "L",
            start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31),
        ),
    }  # fmt: skip
    expected_kg = {
        "march_power": "6516",
        "april_power": "3258",
        "march_coke": "30365.055",
        "june_leak": "9617.5",
        "march_hotel": "535",
        "power_2022": "725.2",
        "us_diesel": "2705.829873",
    }
    for name, kg in expected_kg.items():
        assert made[name].co2e_kg == Decimal(kg), name
    return made


def test_records_for_filters_by_year_and_facility(records, us_plant):
    def selected(**filters) -> set[str]:
        pks = set(selectors.records_for(**filters).values_list("pk", flat=True))
        return {name for name, record in records.items() if record.pk in pks}

    assert selected() == set(records)
    assert selected(years=[2023, 2025]) == set(records) - {"power_2022"}
    assert selected(facility_ids=[us_plant.pk]) == {"us_diesel"}


def test_years_with_records_are_listed_oldest_first(records):
    assert selectors.years_with_records() == [2022, 2023, 2025]


def test_there_are_no_years_without_records(db):
    assert selectors.years_with_records() == []
