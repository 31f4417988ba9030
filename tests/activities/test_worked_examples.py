"""The worked examples of docs/methodology.md, to the exact Decimal."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.activities.models import ActivityRecord

pytestmark = pytest.mark.django_db


def test_10_mwh_in_hebei_2023_uses_the_provincial_factor(hebei_plant, make_record):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    assert record.factor.key == "grid_electricity_cn_he_2023"
    assert record.factor_region_match == "province"
    assert record.factor_year_match == "exact"
    assert record.factor_quantity == Decimal("10000")
    assert record.co2_kg == Decimal("6516.000000")
    assert record.co2e_kg == Decimal("6516.000000")
    assert record.scope == 2
    assert (record.year, record.month) == (2023, 3)
    assert record.electricity_kwh == Decimal("10000.000000")


def test_1000_litres_of_diesel_in_a_boiler_with_the_epa_factor_under_ar5(us_plant, make_record):
    record = make_record(
        us_plant, "diesel_stationary", Decimal("1000"), "L",
        start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31),
    )
    assert record.factor.key == "distillate_fuel_oil_no2_stationary_us_epa2025_gallon"
    # 1000 L / 3.785411784 L per US gallon
    assert record.factor_quantity == Decimal("264.172052358148")
    assert record.co2_kg == Decimal("2697.196655")  # 2,697.20 kg shown
    assert record.ch4_kg == Decimal("0.108311")
    assert record.n2o_kg == Decimal("0.021134")
    # 2697.196655 + 0.108311 × 28 + 0.021134 × 265
    assert record.co2e_kg == Decimal("2705.829873")
    assert record.gwp_basis == "AR5"


def test_the_same_diesel_under_ar6_uses_the_single_methane_value(
    us_plant, make_record, organisation
):
    organisation.gwp_basis = "AR6"
    organisation.save()
    record = make_record(
        us_plant, "diesel_stationary", Decimal("1000"), "L",
        start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31),
    )
    # 2697.196655 + 0.108311 × 27.9 + 0.021134 × 273
    assert record.co2e_kg == Decimal("2705.988114")
    assert record.gwp_basis == "AR6"


def test_diesel_in_tonnes_in_china_uses_the_ipcc_per_tonne_factor(hebei_plant, make_record):
    record = make_record(hebei_plant, "diesel_stationary", Decimal("2"), "t")
    assert record.factor.key == "diesel_gas_oil_stationary_ipcc2006_t"
    assert record.factor_region_match == "global"
    assert record.factor_year_match == "lagged"
    assert record.co2_kg == Decimal("6372.600000")


def test_diesel_in_litres_against_an_ipcc_factor_goes_through_density(hebei_plant, make_record):
    record = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "L")
    # 1000 L × 0.84 kg/L = 0.84 t, per-tonne factor (no calorific value needed)
    assert record.factor.key == "diesel_gas_oil_stationary_ipcc2006_t"
    assert record.factor_quantity == Decimal("0.840000000000")
    assert record.co2_kg == Decimal("2676.492000")


def test_coal_in_tonnes_against_the_per_gj_factor_goes_through_calorific_value(
    hebei_plant, make_record
):
    record = make_record(hebei_plant, "coke_stationary", Decimal("10"), "t")
    # 10 t × 28.2 GJ/t = 282 GJ × 107 kg CO2/GJ
    assert record.factor.key == "coke_oven_coke_stationary_ipcc2006_gj"
    assert record.factor_quantity == Decimal("282.000000000000")
    assert record.co2_kg == Decimal("30174.000000")
    assert record.ch4_kg == Decimal("2.820000")
    assert record.n2o_kg == Decimal("0.423000")


@pytest.mark.parametrize(("basis", "expected"), [("AR5", "9617.500000"), ("AR6", "11277.500000")])
def test_5_kg_of_r410a_leaked_is_5_times_its_gwp(
    hebei_plant, make_record, organisation, basis, expected
):
    organisation.gwp_basis = basis
    organisation.save()
    record = make_record(hebei_plant, "refrigerant_r410a", Decimal("5"), "kg")
    assert record.factor is None
    assert record.other_gas.code == "R-410A"
    assert record.other_gas_kg == Decimal("5.000000")
    assert record.co2e_kg == Decimal(expected)


def test_onsite_solar_is_zero_emission(hebei_plant, make_record):
    record = make_record(hebei_plant, "onsite_solar_consumed", Decimal("12000"), "kWh")
    assert record.co2e_kg == Decimal("0")
    assert record.factor is None
    assert record.electricity_kwh == Decimal("12000.000000")


def test_a_year_after_the_latest_factor_is_lagged(hebei_plant, make_record):
    record = make_record(
        hebei_plant, "grid_electricity", Decimal("1000"), "kWh",
        start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30),
    )
    assert record.factor.key == "grid_electricity_cn_he_2023"
    assert record.factor_year_match == "lagged"


def test_a_year_before_the_first_factor_is_a_proxy(hebei_plant, make_record):
    record = make_record(
        hebei_plant, "grid_electricity", Decimal("1000"), "kWh",
        start=dt.date(2019, 6, 1), end=dt.date(2019, 6, 30),
    )
    assert record.factor.key == "grid_electricity_cn_he_2022"
    assert record.factor_year_match == "proxy"


def test_the_carbon_market_series_uses_only_the_national_ets_factor(
    hebei_plant, make_record, organisation
):
    organisation.electricity_series = "cn_ets"
    organisation.save()
    record = make_record(hebei_plant, "grid_electricity", Decimal("1000"), "kWh")
    assert record.factor.key == "grid_electricity_cn_national_ets_2022"
    assert record.factor_region_match == "country"
    assert record.factor_year_match == "lagged"
    assert record.co2_kg == Decimal("570.300000")


def test_road_freight_in_china_uses_the_flagged_uk_proxy(hebei_plant, make_record):
    record = make_record(hebei_plant, "freight_road", Decimal("1000"), "t*km")
    assert record.factor.key == "freight_hgv_all_diesel_average_laden_desnz2025_tkm"
    assert record.factor_region_match == "proxy"


def test_published_co2e_factors_are_carried_as_published(hebei_plant, make_record):
    record = make_record(hebei_plant, "hotel_nights", Decimal("10"), "night")
    assert record.factor.key == "hotel_stay_china_desnz2025_night"
    assert record.published_co2e_kg == Decimal("535.000000")
    assert record.co2e_kg == Decimal("535.000000")


def test_the_stored_record_reads_back_identically(hebei_plant, make_record):
    record = make_record(hebei_plant, "grid_electricity", Decimal("12.5"), "MWh")
    stored = ActivityRecord.objects.get(pk=record.pk)
    assert stored.co2e_kg == Decimal("8145.000000")
