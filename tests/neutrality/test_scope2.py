"""Market-based Scope 2 per facility and year, to the exact Decimal."""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.neutrality.scope2 import calculate_market_scope2, market_based_scope2
from emissions.neutrality.selectors import yearly_balance

pytestmark = pytest.mark.django_db


def row_for(facility, year=2023):
    return next(
        row
        for row in market_based_scope2()
        if row.facility_id == facility.pk and row.year == year
    )


def test_certificates_cover_part_and_the_rest_is_at_the_national_residual_factor(
    hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh")
    make_certificate("400", facility=hebei_plant)
    row = row_for(hebei_plant)
    assert row.grid_kwh == Decimal("1000000.000000")
    assert row.certificate_kwh == Decimal("400000.000000")
    assert row.certificate_kg == Decimal("0")
    assert row.zero_emission_certificate_kwh == Decimal("400000.000000")
    assert row.unused_certificate_kwh == Decimal("0")
    assert row.residual_kwh == Decimal("600000.000000")
    assert row.residual_factor.key == "grid_electricity_cn_national_excl_market_nonfossil_2023"
    assert row.residual_basis == "residual_mix"
    assert (row.factor_region_match, row.factor_year_match) == ("country", "exact")
    assert not row.is_lagged
    assert not row.is_proxy
    assert row.residual_kg == Decimal("365760.000000")  # 600,000 × 0.6096
    assert row.location_kg == Decimal("651600.000000")  # 1,000,000 × 0.6516
    assert row.market_kg == Decimal("365760.000000")


def test_a_us_site_without_a_residual_factor_falls_back_to_its_location_rate_and_says_so(
    us_plant, make_record, make_certificate
):
    # 100 MWh × eGRID 2025 (proxy year): 34,995.7 CO2 + 2.5855 CH4 × 28 + 0.3629 N2O × 265
    make_record(us_plant, "grid_electricity", "100", "MWh")
    make_certificate("20", facility=us_plant, scheme="rec", technology="wind")
    row = row_for(us_plant)
    assert row.location_kg == Decimal("35164.262500")
    assert row.certificate_kwh == Decimal("20000.000")
    assert row.residual_kwh == Decimal("80000.000")
    assert row.residual_factor is None
    assert row.residual_basis == "location_fallback"
    assert row.uses_location_fallback
    # 80,000 kWh × 35,164.2625 kg / 100,000 kWh
    assert row.residual_kg == Decimal("28131.410000")
    assert row.market_kg == Decimal("28131.410000")
    (balance,) = yearly_balance()
    assert balance.scope2_uses_location_fallback


def test_organisation_wide_certificates_are_shared_by_uncovered_grid_kwh(
    hebei_plant, second_hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "600000", "kWh")
    make_certificate("100", facility=hebei_plant)  # leaves 500,000 kWh uncovered
    make_record(second_hebei_plant, "grid_electricity", "300000", "kWh")
    make_certificate("200")  # organisation-wide: 5/8 and 3/8 of 200,000 kWh
    first, second = row_for(hebei_plant), row_for(second_hebei_plant)
    assert first.certificate_kwh == Decimal("225000.000000")  # 100,000 own + 125,000 shared
    assert first.residual_kwh == Decimal("375000.000000")
    assert first.market_kg == Decimal("228600.000000")  # 375,000 × 0.6096
    assert second.certificate_kwh == Decimal("75000.000000")
    assert second.residual_kwh == Decimal("225000.000000")
    assert second.market_kg == Decimal("137160.000000")  # 225,000 × 0.6096
    (balance,) = yearly_balance()
    assert balance.renewable_kwh == Decimal("300000.000000")
    assert balance.renewable_share_pct == Decimal("33.3")  # 300,000 / 900,000
    assert balance.scope2_market_kg == Decimal("365760.000000")


def test_shares_of_organisation_certificates_are_rounded_and_still_add_up(
    hebei_plant, second_hebei_plant, make_record, make_certificate
):
    third = type(hebei_plant).objects.create(
        code="XT-03", name_en="Plant XT-03", kind="warehouse", province="CN-HE",
        opened_on=dt.date(2008, 1, 1),
    )  # fmt: skip
    for facility in (hebei_plant, second_hebei_plant, third):
        make_record(facility, "grid_electricity", "1000", "kWh")
    make_certificate("0.1")  # 100 kWh over three equal facilities
    rows = [row_for(facility) for facility in (hebei_plant, second_hebei_plant, third)]
    assert [row.certificate_kwh for row in rows] == [
        Decimal("33.333333"),
        Decimal("33.333333"),
        Decimal("33.333334"),  # the last facility takes the remainder
    ]
    assert sum(row.certificate_kwh for row in rows) == Decimal("100")
    # 966.666667 kWh × 0.6096 = 589.2800002… kg
    assert rows[0].residual_kg == Decimal("589.280000")


def test_certificates_beyond_consumption_are_reported_unused_not_counted(
    hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    make_certificate("150", facility=hebei_plant)
    make_certificate("500")  # organisation-wide, nothing left to cover
    row = row_for(hebei_plant)
    assert row.certificate_kwh == Decimal("100000.000000")
    assert row.unused_certificate_kwh == Decimal("50000.000")
    assert row.residual_kwh == Decimal("0")
    assert row.market_kg == Decimal("0")
    result = calculate_market_scope2()
    assert result.unused_organisation_kwh_by_year == {2023: Decimal("500000.000")}
    (balance,) = yearly_balance()
    assert balance.unused_certificate_kwh == Decimal("550000.000")
    assert balance.renewable_share_pct == Decimal("100.0")


def test_organisation_wide_certificates_cover_only_facilities_in_their_market(
    hebei_plant, us_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "300000", "kWh")
    make_record(us_plant, "grid_electricity", "100000", "kWh")
    make_certificate("200")  # organisation-wide, market CN: none of it may reach the US plant
    cn, us = row_for(hebei_plant), row_for(us_plant)
    assert cn.certificate_kwh == Decimal("200000.000000")
    assert cn.zero_emission_certificate_kwh == Decimal("200000.000000")
    assert cn.residual_kwh == Decimal("100000.000000")
    assert cn.market_kg == Decimal("60960.000000")  # 100,000 × 0.6096
    assert us.certificate_kwh == Decimal("0")
    assert us.residual_kwh == Decimal("100000.000")
    # No residual factor for the US: all 100,000 kWh at its own location-based rate
    assert us.market_kg == us.location_kg == Decimal("35164.262500")
    assert calculate_market_scope2().unused_organisation_kwh_by_year == {2023: Decimal("0")}


def test_organisation_wide_certificates_of_a_market_without_consumption_stay_unused(
    hebei_plant, us_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "100000", "kWh")
    make_record(us_plant, "grid_electricity", "100000", "kWh")
    make_certificate("30", scheme="irec", market="DE")  # nobody consumed in Germany
    make_certificate("20", scheme="rec", market="US")
    assert row_for(hebei_plant).certificate_kwh == Decimal("0")
    assert row_for(us_plant).certificate_kwh == Decimal("20000.000000")
    result = calculate_market_scope2()
    assert result.unused_organisation_kwh_by_year == {2023: Decimal("30000.000")}
    (balance,) = yearly_balance()
    assert balance.unused_certificate_kwh == Decimal("30000.000")


def test_zero_emission_certificates_are_applied_before_a_supplier_mix(
    hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh")
    make_certificate("200", facility=hebei_plant, scheme="supplier", technology="mixed",
                     factor="0.3")  # fmt: skip
    make_certificate("900", facility=hebei_plant)
    row = row_for(hebei_plant)
    assert row.zero_emission_certificate_kwh == Decimal("900000.000000")
    assert row.certificate_kwh == Decimal("1000000.000000")
    assert row.certificate_kg == Decimal("30000.000000")  # the 100,000 kWh left × 0.3
    assert row.unused_certificate_kwh == Decimal("100000.000")
    assert row.market_kg == Decimal("30000.000000")


def test_a_facility_with_certificates_but_no_grid_electricity_has_them_all_unused(
    hebei_plant, second_hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    make_certificate("5", facility=second_hebei_plant)
    row = row_for(second_hebei_plant)
    assert row.grid_kwh == Decimal("0")
    assert row.unused_certificate_kwh == Decimal("5000.000")
    assert row.market_kg == Decimal("0")


@pytest.mark.parametrize(
    ("year", "factor_key", "year_match", "lagged", "proxy"),
    [
        (2025, "grid_electricity_cn_national_excl_market_nonfossil_2023", "lagged", True, False),
        (2019, "grid_electricity_cn_national_excl_market_nonfossil_2021", "proxy", False, True),
        (2022, "grid_electricity_cn_national_excl_market_nonfossil_2022", "exact", False, False),
    ],
)
def test_the_residual_factor_year_is_exact_else_lagged_else_proxy_and_flagged(
    hebei_plant, make_record, year, factor_key, year_match, lagged, proxy
):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh", year=year)
    row = row_for(hebei_plant, year)
    assert row.residual_factor.key == factor_key
    assert row.factor_year_match == year_match
    assert (row.is_lagged, row.is_proxy) == (lagged, proxy)


@pytest.fixture
def own_dataset(db):
    return FactorDataset.objects.create(name="Kehui supplier data", publisher="Kehui", version="1")


def residual_factor(dataset, key, region, series="mee_nbs", value="0.5", unit="kWh"):
    return EmissionFactor.objects.create(
        key=key, name=key, dataset=dataset, group="grid_electricity_residual", series=series,
        category="s2_electricity", unit=unit, region=region, year=2023,
        co2_kg=Decimal(value), source_reference="Test",
    )  # fmt: skip


def test_a_provincial_residual_factor_is_preferred_to_the_national_one(
    hebei_plant, make_record, own_dataset
):
    residual_factor(own_dataset, "hebei_residual_2023", "CN-HE", unit="MWh", value="550")
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    row = row_for(hebei_plant)
    assert row.residual_factor.key == "hebei_residual_2023"
    assert row.factor_region_match == "province"
    assert row.residual_kg == Decimal("550.000000")  # 1 MWh × 550 kg/MWh


def test_residual_factors_of_another_series_are_never_used(
    hebei_plant, make_record, own_dataset
):
    residual_factor(own_dataset, "hebei_residual_ets", "CN-HE", series="cn_ets")
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    assert row_for(hebei_plant).factor_region_match == "country"


def test_it_runs_five_queries_whatever_the_number_of_records_and_facilities(
    organisation, hebei_plant, second_hebei_plant, us_plant, make_record, make_certificate,
    django_assert_num_queries,
):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    make_certificate("0.5", facility=hebei_plant)
    make_certificate("0.5")
    with django_assert_num_queries(5):
        market_based_scope2(organisation=organisation)
    for facility in (hebei_plant, second_hebei_plant, us_plant):
        for year in (2022, 2023, 2024):
            for month in (1, 2, 3):
                make_record(facility, "grid_electricity", "1000", "kWh",
                            start=dt.date(year, month, 1), end=dt.date(year, month, 28))
            make_certificate("0.5", facility=facility, year=year)
    with django_assert_num_queries(5):
        rows = market_based_scope2(organisation=organisation)
    assert len(rows) == 9


def test_a_change_in_one_year_leaves_the_other_years_results_remembered(
    organisation, hebei_plant, make_record, make_certificate
):
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh")  # 2023
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh", start=dt.date(2024, 3, 1),
                end=dt.date(2024, 3, 31))  # fmt: skip
    before_2023, before_2024 = calculate_market_scope2(organisation=organisation).rows
    make_certificate("400", facility=hebei_plant, year=2024)
    after_2023, after_2024 = calculate_market_scope2(organisation=organisation).rows
    assert after_2023 is before_2023  # 2023's inputs did not change: not calculated again
    assert after_2024 is not before_2024
    assert after_2024.market_kg == Decimal("365760.000000")  # 600,000 × 0.6096
    # A page reading 2024 alone gets the rows a page reading every year got.
    assert calculate_market_scope2([2024], organisation=organisation).rows == [after_2024]


def test_the_result_is_remembered_by_its_inputs_and_recomputed_when_one_changes(
    organisation, hebei_plant, make_record, make_certificate, own_dataset
):
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh")
    (first,) = calculate_market_scope2(organisation=organisation).rows
    # Same inputs, same result: the Python pass over the facility-years is not run again.
    assert calculate_market_scope2(organisation=organisation).rows[0] is first
    # Each input changes the result: a certificate, a record, a factor's value.
    make_certificate("400", facility=hebei_plant)
    assert row_for(hebei_plant).market_kg == Decimal("365760.000000")  # 600,000 × 0.6096
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh", start=dt.date(2023, 4, 1),
                end=dt.date(2023, 4, 30))  # fmt: skip
    assert row_for(hebei_plant).market_kg == Decimal("975360.000000")  # 1,600,000 × 0.6096
    factor = row_for(hebei_plant).residual_factor
    factor.co2_kg = Decimal("0.5")
    factor.save()
    assert row_for(hebei_plant).market_kg == Decimal("800000.000000")  # 1,600,000 × 0.5
    # A new, more specific (provincial) residual factor is chosen over the national one.
    residual_factor(own_dataset, "hebei_residual_2023", "CN-HE", value="0.25")
    assert row_for(hebei_plant).market_kg == Decimal("400000.000000")  # 1,600,000 × 0.25
