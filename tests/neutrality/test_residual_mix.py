"""The residual-mix proxy the organisation profile chooses, applied (issue 18; the worked example
of docs/methodology.md, "The residual-mix proxy").

Xingtai main plant (Hebei), 2023: 1,000,000 kWh of grid electricity, 400 MWh of GECs at 0 cover
400,000 kWh; 600,000 kWh are left for the residual mix. The MEE–NBS 2023 factors are CO2 only
(no CH4 or N2O), so kg CO2e = kg CO2 = kWh × factor, whatever the GWP basis:
- default, excluding market-traded non-fossil electricity: 600,000 × 0.6096 = 365,760 kg;
- conservative, national fossil-fuel electricity:           600,000 × 0.8273 = 496,380 kg.
Location-based: 1,000,000 × 0.6516 (Hebei 2023) = 651,600 kg, the same under both choices.
"""

import datetime as dt
from decimal import Decimal

import pytest

from emissions.facilities.models import ResidualMix
from emissions.neutrality.scope2 import calculate_market_scope2
from emissions.neutrality.selectors import yearly_balance

pytestmark = pytest.mark.django_db

DEFAULT = "grid_electricity_cn_national_excl_market_nonfossil_2023"
CONSERVATIVE = "grid_electricity_cn_national_fossil_2023"


@pytest.fixture
def worked_example(organisation, hebei_plant, make_record, make_certificate):
    make_record(hebei_plant, "grid_electricity", "1000000", "kWh")
    make_certificate("400", facility=hebei_plant)
    return organisation


def choose(organisation, residual_mix):
    organisation.residual_mix = residual_mix
    organisation.full_clean()
    organisation.save()


def only_row(organisation):
    (row,) = calculate_market_scope2(organisation=organisation).rows
    return row


@pytest.mark.parametrize(
    ("residual_mix", "factor_key", "factor", "market_kg"),
    [
        (ResidualMix.EXCLUDING_MARKET_NON_FOSSIL, DEFAULT, "0.6096", "365760.000000"),
        (ResidualMix.NATIONAL_FOSSIL, CONSERVATIVE, "0.8273", "496380.000000"),
    ],
)
def test_the_residual_mix_proxy_applied(
    worked_example, residual_mix, factor_key, factor, market_kg
):
    choose(worked_example, residual_mix)
    row = only_row(worked_example)
    assert row.certificate_kwh == Decimal("400000.000000")
    assert row.residual_kwh == Decimal("600000.000000")
    assert row.residual_factor.key == factor_key
    assert row.residual_factor.co2_kg == Decimal(factor)
    assert row.residual_basis == "residual_mix"
    assert (row.factor_region_match, row.factor_year_match) == ("country", "exact")
    assert row.residual_kg == row.market_kg == Decimal(market_kg)
    assert row.location_kg == Decimal("651600.000000")
    (balance,) = yearly_balance()
    assert balance.scope2_market_kg == Decimal(market_kg)
    assert balance.scope2_location_kg == Decimal("651600.000000")


def test_a_new_profile_uses_the_factor_excluding_market_traded_non_fossil_electricity(
    worked_example,
):
    assert worked_example.residual_mix == ResidualMix.EXCLUDING_MARKET_NON_FOSSIL
    assert only_row(worked_example).residual_factor.key == DEFAULT


@pytest.mark.parametrize(
    ("year", "factor_key", "year_match"),
    [
        (2025, "grid_electricity_cn_national_fossil_2023", "lagged"),
        (2019, "grid_electricity_cn_national_fossil_2021", "proxy"),
        (2022, "grid_electricity_cn_national_fossil_2022", "exact"),
    ],
)
def test_the_conservative_factor_follows_the_same_year_rule(
    organisation, hebei_plant, make_record, year, factor_key, year_match
):
    choose(organisation, ResidualMix.NATIONAL_FOSSIL)
    make_record(hebei_plant, "grid_electricity", "1000", "kWh", year=year)
    row = only_row(organisation)
    assert (row.residual_factor.key, row.factor_year_match) == (factor_key, year_match)


def test_the_conservative_factor_belongs_to_the_mee_nbs_series_only(
    organisation, hebei_plant, make_record
):
    # Under the carbon-market series neither MEE–NBS proxy is used: the location fallback.
    organisation.electricity_series = "cn_ets"
    choose(organisation, ResidualMix.NATIONAL_FOSSIL)
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    row = only_row(organisation)
    assert row.residual_factor is None
    assert row.uses_location_fallback


def test_a_changed_choice_changes_the_remembered_result_and_changing_back_restores_it(
    worked_example,
):
    # Each year's rows are remembered by that year's inputs: the same row objects come back.
    (first,) = calculate_market_scope2(organisation=worked_example).rows
    assert calculate_market_scope2(organisation=worked_example).rows[0] is first
    choose(worked_example, ResidualMix.NATIONAL_FOSSIL)
    (conservative,) = calculate_market_scope2(organisation=worked_example).rows
    assert conservative is not first
    assert conservative.market_kg == Decimal("496380.000000")
    choose(worked_example, ResidualMix.EXCLUDING_MARKET_NON_FOSSIL)
    # The same inputs as the first time: the first result, remembered by them.
    assert calculate_market_scope2(organisation=worked_example).rows[0] is first


def test_the_conservative_choice_is_read_in_the_same_five_queries(
    organisation, hebei_plant, make_record, make_certificate, django_assert_num_queries
):
    choose(organisation, ResidualMix.NATIONAL_FOSSIL)
    for month in (1, 2, 3):
        make_record(hebei_plant, "grid_electricity", "1000", "kWh",
                    start=dt.date(2023, month, 1), end=dt.date(2023, month, 28))  # fmt: skip
    make_certificate("0.5", facility=hebei_plant)
    with django_assert_num_queries(5):  # as tests/neutrality/test_scope2.py pins it
        calculate_market_scope2(organisation=organisation)
