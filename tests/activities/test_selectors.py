"""Totals of stored emissions in tonnes CO2e, on a small hand-made set of records."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.activities import selectors
from emissions.factors.taxonomy import Category

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


def _as_dict(totals) -> dict[tuple, Decimal]:
    return {total.key: total.tco2e for total in totals}


def test_totals_by_year_are_exact_tonnes(records):
    assert _as_dict(selectors.totals_by_year()) == {
        (2022,): Decimal("0.7252"),
        # 6516 + 3258 + 30365.055 + 9617.5 + 535 kg
        (2023,): Decimal("50.291555"),
        (2025,): Decimal("2.705829873"),
    }


def test_10_mwh_in_hebei_in_2023_alone_is_6_point_516_tonnes(records):
    march_power = records["march_power"]
    totals = selectors.totals_by_year(selectors.records_for().filter(pk=march_power.pk))
    assert _as_dict(totals) == {(2023,): Decimal("6.516")}


def test_totals_by_year_and_scope_are_exact_tonnes(records):
    assert _as_dict(selectors.totals_by_year_and_scope()) == {
        (2022, 2): Decimal("0.7252"),
        (2023, 1): Decimal("39.982555"),  # coke 30365.055 + R-410A 9617.5 kg
        (2023, 2): Decimal("9.774"),  # 6516 + 3258 kg
        (2023, 3): Decimal("0.535"),
        (2025, 1): Decimal("2.705829873"),
    }


def test_totals_by_year_and_category_are_exact_tonnes(records):
    assert _as_dict(selectors.totals_by_year_and_category()) == {
        (2022, Category.PURCHASED_ELECTRICITY): Decimal("0.7252"),
        (2023, Category.STATIONARY_COMBUSTION): Decimal("30.365055"),
        (2023, Category.FUGITIVE): Decimal("9.6175"),
        (2023, Category.PURCHASED_ELECTRICITY): Decimal("9.774"),
        (2023, Category.C6): Decimal("0.535"),
        (2025, Category.STATIONARY_COMBUSTION): Decimal("2.705829873"),
    }


def test_totals_by_year_and_facility_are_exact_tonnes(records, hebei_plant, us_plant):
    assert _as_dict(selectors.totals_by_year_and_facility()) == {
        (2022, hebei_plant.pk): Decimal("0.7252"),
        (2023, hebei_plant.pk): Decimal("50.291555"),
        (2025, us_plant.pk): Decimal("2.705829873"),
    }


def test_totals_by_month_are_exact_tonnes(records):
    assert _as_dict(selectors.totals_by_month()) == {
        (2022, 3): Decimal("0.7252"),
        (2023, 3): Decimal("37.416055"),  # 6516 + 30365.055 + 535 kg
        (2023, 4): Decimal("3.258"),
        (2023, 6): Decimal("9.6175"),
        (2025, 1): Decimal("2.705829873"),
    }


def test_totals_are_ordered_by_their_keys(records):
    keys = [total.key for total in selectors.totals_by_year_and_scope()]
    assert keys == sorted(keys)


def test_records_for_filters_by_year_and_facility(records, hebei_plant, us_plant):
    totals = selectors.totals_by_year(selectors.records_for(years=[2023, 2025]))
    assert _as_dict(totals) == {(2023,): Decimal("50.291555"), (2025,): Decimal("2.705829873")}
    totals = selectors.totals_by_year(selectors.records_for(facility_ids=[us_plant.pk]))
    assert _as_dict(totals) == {(2025,): Decimal("2.705829873")}


def test_there_are_no_totals_without_records(db):
    assert selectors.totals_by_year() == []


def test_biogenic_co2_is_totalled_apart_and_is_zero_here(records):
    assert {total.biogenic_tco2 for total in selectors.totals_by_year()} == {Decimal("0")}
