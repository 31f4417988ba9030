"""A spend in CNY of year Y as US dollars of 2021: exact Decimal, one rounding, no pint shortcut."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.factors.spend import (
    CNY_PER_USD,
    PRICE_YEAR,
    US_CPI_U,
    SpendConversion,
    to_price_year_dollars,
)
from emissions.factors.units import UnitError, can_convert, convert, display_unit, parse_unit

# 10,000 × 270.970 / (6.7261 × 292.655), rounded half-up to 12 places (docs/methodology.md)
TEN_THOUSAND_YUAN_OF_2022 = Decimal("1376.581545320668")


def test_10000_yuan_of_2022_is_1376_point_58_dollars_of_2021():
    conversion = to_price_year_dollars(Decimal("10000"), "元", 2022)
    assert conversion == SpendConversion(
        amount_cny=Decimal("10000"),
        year=2022,
        cny_per_usd=Decimal("6.7261"),
        cpi_year=Decimal("292.655"),
        cpi_price_year=Decimal("270.970"),
        usd_price_year=TEN_THOUSAND_YUAN_OF_2022,
    )
    assert conversion.usd_price_year.as_tuple().exponent == -12


def test_the_steps_show_every_number_used():
    conversion = to_price_year_dollars(Decimal("10000"), "CNY", 2022)
    assert conversion.steps() == (
        "10,000 CNY ÷ 6.7261 CNY/USD (2022) × CPI-U 270.970 (2021) / 292.655 (2022) "
        "= 1,376.58… USD of 2021"
    )


@pytest.mark.parametrize(
    "quantity, unit",
    [
        ("1", "万元"),
        ("1", "10⁴ CNY"),
        ("1", "10^4 CNY"),
        ("10000", "人民币"),
        ("10000", "RMB"),
        ("10000", "rmb"),
        ("10000", "yuan"),
        ("10000", "¥"),
        ("10000", "CNY"),
    ],
)
def test_every_spelling_of_yuan_gives_the_same_dollars(quantity, unit):
    conversion = to_price_year_dollars(Decimal(quantity), unit, 2022)
    assert conversion.amount_cny == Decimal("10000")
    assert conversion.usd_price_year == TEN_THOUSAND_YUAN_OF_2022


def test_dollars_skip_the_exchange_rate_and_only_change_price_year():
    # 1,000 × 270.970 / 313.689
    conversion = to_price_year_dollars(Decimal("1000"), "USD", 2024)
    assert (conversion.currency, conversion.cny_per_usd) == ("USD", Decimal("1"))
    assert conversion.usd_price_year == Decimal("863.817347755261")
    assert conversion.steps() == (
        "1,000 USD (2024) × CPI-U 270.970 (2021) / 313.689 (2024) = 863.82… USD of 2021"
    )


@pytest.mark.parametrize("unit", ["USD", "US$", "美元", "usd"])
def test_dollars_of_the_price_year_are_unchanged(unit):
    conversion = to_price_year_dollars(Decimal("123.45"), unit, PRICE_YEAR)
    assert conversion.usd_price_year == Decimal("123.45")
    assert conversion.steps().endswith("= 123.45 USD of 2021")


def test_the_result_is_rounded_once_at_the_end():
    # 1 元 of 2015: 270.970 / (6.2284 × 237.017) = 0.1835545770…, computed in full then rounded
    conversion = to_price_year_dollars(Decimal("1"), "元", 2015)
    exact = Decimal("270.970") / (Decimal("6.2284") * Decimal("237.017"))
    assert conversion.usd_price_year == Decimal("0.183554577093")
    assert abs(conversion.usd_price_year - exact) < Decimal("0.0000000000005")


def test_a_year_without_an_exchange_rate_names_the_years_the_table_covers():
    with pytest.raises(ValidationError) as refused:
        to_price_year_dollars(Decimal("100"), "元", 2031)
    assert refused.value.messages == [
        "No CNY/USD exchange rate for 2031; the table covers 2015–2020, 2022–2023. An "
        "administrator can add the year's rate, with its source, under Exchange rates in the "
        "admin."
    ]


def test_a_year_without_a_cpi_names_the_years_the_table_covers():
    with pytest.raises(ValidationError) as refused:
        to_price_year_dollars(Decimal("100"), "USD", 2031)
    assert refused.value.messages == [
        "No US CPI-U annual average for 2031; the table covers 2015–2025."
    ]


@pytest.mark.parametrize("unit", ["kWh", "t", "吨"])
def test_a_unit_that_is_not_money_is_refused_by_name(unit):
    with pytest.raises(ValidationError) as refused:
        to_price_year_dollars(Decimal("100"), unit, 2022)
    assert refused.value.messages == [
        f"{unit!r} is not an amount of money: write the spend in 元, 万元 (CNY) or USD."
    ]


def test_yuan_never_convert_to_dollars_through_pint():
    assert not can_convert("元", "USD")
    assert not can_convert("USD", "万元")
    with pytest.raises(UnitError) as refused:
        convert(Decimal("1"), "CNY", "USD")
    assert str(refused.value) == (
        "The unit 'CNY' cannot be converted to 'USD' ([currency_cny] is not [currency_usd])."
    )


def test_wan_yuan_are_ten_thousand_yuan_and_labelled_as_the_file_labels_wan_units():
    assert convert(Decimal("1.5"), "万元", "元") == Decimal("15000")
    assert can_convert("万元", "CNY")
    assert display_unit("万元") == "10⁴ CNY"
    assert display_unit("元") == "CNY"
    assert display_unit("美元") == "USD"
    assert parse_unit("10⁴ CNY") == parse_unit("万元")


def test_the_tables_are_exact_decimals_and_cover_the_price_year():
    assert PRICE_YEAR in US_CPI_U
    for table in (CNY_PER_USD, US_CPI_U):
        assert all(isinstance(value, Decimal) for value in table.values())
    assert US_CPI_U[2021] == Decimal("270.970")
    assert CNY_PER_USD[2022] == Decimal("6.7261")
