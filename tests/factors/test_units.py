"""Unit parsing and conversion: exact in Decimal, with errors that name the units involved."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emissions.factors.calculation import round_quantity
from emissions.factors.units import UnitError, convert, parse_unit, to_factor_unit

# The examples a unit message gives, in the spellings people write (not m**3, passenger*km).
FRIENDLY = (
    "Write it as e.g. kWh, 度, 万千瓦时, MWh, m³, Nm³, 立方米, t, 吨, kg, GJ, L, "
    "passenger-km, t-km, room-night, 元, 万元."
)


def test_1000_litres_is_264_point_17_us_gallons_to_28_digits():
    # 1000 / 3.785411784 (1 US gallon = 231 cubic inches exactly), Decimal's 28 digits
    assert convert(Decimal("1000"), "L", "gallon") == Decimal("264.1720523581484153798999215")


def test_10_mwh_is_exactly_10000_kwh():
    assert convert(Decimal("10"), "MWh", "kWh") == Decimal("10000")


def test_1_short_ton_mile_is_exactly_1_point_45997_tonne_kilometres():
    # 0.90718474 t × 1.609344 km
    assert convert(Decimal("1"), "short_ton*mile", "t*km") == Decimal("1.45997231821056")


def test_1_mile_is_exactly_1_point_609344_km():
    assert convert(Decimal("1"), "mile", "km") == Decimal("1.609344")


def test_1_point_609344_km_is_1_mile_once_rounded_to_the_stored_12_places():
    # pint multiplies by the 28-digit reciprocal of 1.609344, leaving 4E-28 behind
    miles = convert(Decimal("1.609344"), "km", "mile")
    assert miles == Decimal("0.9999999999999999999999999996")
    assert round_quantity(miles) == Decimal("1")


def test_1_km_is_0_point_62137_miles_to_28_digits():
    assert convert(Decimal("1"), "km", "mile") == Decimal("0.6213711922373339696174341841")


def test_passenger_mile_converts_to_passenger_km():
    assert convert(Decimal("100"), "passenger*mile", "passenger*km") == Decimal("160.9344")


@pytest.mark.parametrize("text", ["passenger*km", "passenger * km", "km*passenger", "night"])
def test_it_parses_the_passenger_and_night_units(text):
    assert parse_unit(text) is not None


def test_passenger_km_and_km_passenger_are_the_same_unit():
    assert parse_unit("passenger*km") == parse_unit("km*passenger")


def test_nights_do_not_convert_to_passenger_km():
    with pytest.raises(UnitError):
        convert(Decimal("1"), "night", "passenger*km")


def test_it_rejects_an_unknown_unit_and_names_it():
    with pytest.raises(UnitError) as caught:
        parse_unit("blah")
    assert str(caught.value) == f"Unknown unit 'blah'. {FRIENDLY}"


def test_it_names_the_unknown_unit_when_converting():
    with pytest.raises(UnitError) as caught:
        convert(Decimal("1"), "kWh", "blah")
    assert str(caught.value) == f"Unknown unit 'blah'. {FRIENDLY}"


def test_it_asks_for_a_unit_when_none_is_given():
    with pytest.raises(UnitError) as caught:
        parse_unit("  ")
    assert str(caught.value) == f"Enter a unit, e.g. {FRIENDLY[len('Write it as e.g. ') :]}"


def test_it_rejects_a_conversion_across_dimensions_and_names_both_units():
    with pytest.raises(UnitError) as caught:
        convert(Decimal("1"), "kWh", "kg")
    message = str(caught.value)
    assert message.startswith("The unit 'kWh' cannot be converted to 'kg' (")
    assert "[mass]" in message


def test_a_record_in_a_unit_of_another_dimension_names_both_units():
    with pytest.raises(UnitError) as caught:
        to_factor_unit(Decimal("1"), "kWh", "t")
    assert str(caught.value) == (
        "The record's unit 'kWh' ([mass] * [length] ** 2 / [time] ** 2) does not match "
        "the factor's unit 't' ([mass])."
    )


def test_volume_to_energy_without_a_density_names_the_density():
    with pytest.raises(UnitError) as caught:
        to_factor_unit(Decimal("1000"), "L", "GJ", ncv_gj_per_t=Decimal("43.0"))
    assert str(caught.value) == (
        "The record's unit 'L' does not match the factor's unit 'GJ': converting would need "
        "the fuel's density (kg/L), which this activity type does not record."
    )


def test_volume_to_energy_without_a_calorific_value_names_the_calorific_value():
    with pytest.raises(UnitError) as caught:
        to_factor_unit(Decimal("1000"), "L", "GJ", density_kg_per_l=Decimal("0.84"))
    assert str(caught.value) == (
        "The record's unit 'L' does not match the factor's unit 'GJ': converting would need "
        "the fuel's net calorific value (GJ/t), which this activity type does not record."
    )


def test_volume_to_energy_goes_through_density_and_calorific_value():
    # 1000 L × 0.84 kg/L = 0.84 t × 43.0 GJ/t
    quantity = to_factor_unit(
        Decimal("1000"),
        "L",
        "GJ",
        density_kg_per_l=Decimal("0.84"),
        ncv_gj_per_t=Decimal("43.0"),
    )
    assert quantity == Decimal("36.12")


def test_volume_to_mass_needs_only_the_density():
    quantity = to_factor_unit(Decimal("1000"), "L", "t", density_kg_per_l=Decimal("0.84"))
    assert quantity == Decimal("0.84")


def test_mass_to_energy_needs_only_the_calorific_value():
    quantity = to_factor_unit(Decimal("10"), "t", "GJ", ncv_gj_per_t=Decimal("28.2"))
    assert quantity == Decimal("282")


def _agree_to_significant_digits(actual: Decimal, expected: Decimal, digits: int) -> bool:
    if expected == 0:
        return actual == 0
    # One unit in the last of `digits` significant digits of the expected value.
    return abs(actual - expected) <= Decimal(1).scaleb(expected.adjusted() - digits + 1)


PAIRS = [("L", "gallon"), ("kWh", "MWh"), ("km", "mile"), ("kg", "t")]


@given(
    quantity=st.decimals(
        min_value=Decimal("0"), max_value=Decimal("1e12"), places=6, allow_nan=False
    ),
    pair=st.sampled_from(PAIRS),
    backwards=st.booleans(),
)
def test_converting_there_and_back_returns_the_quantity_to_20_significant_digits(
    quantity, pair, backwards
):
    source, target = reversed(pair) if backwards else pair
    back = convert(convert(quantity, source, target), target, source)
    assert _agree_to_significant_digits(back, quantity, 20), (quantity, source, target, back)
