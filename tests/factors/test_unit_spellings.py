"""Units as Chinese bills and statistics write them: parsed, labelled, converted both ways."""

from decimal import Decimal

import pytest

from emissions.factors.calculation import round_quantity
from emissions.factors.units import (
    FuelProperties,
    UnitError,
    conversion_steps,
    convert,
    display_unit,
    is_standard_volume,
    parse_unit,
    to_factor_unit,
)

# (spelling, the unit pint parses it as, the label people write)
SPELLINGS = [
    ("度", "kWh", "kWh"),
    ("千瓦时", "kWh", "kWh"),
    ("kWh", "kWh", "kWh"),
    ("KWH", "kWh", "kWh"),
    ("万千瓦时", "wan_kWh", "10⁴ kWh"),
    ("万度", "wan_kWh", "10⁴ kWh"),
    ("10⁴ kWh", "wan_kWh", "10⁴ kWh"),
    ("MWh", "MWh", "MWh"),
    ("mwh", "MWh", "MWh"),
    ("MWH", "MWh", "MWh"),
    ("兆瓦时", "MWh", "MWh"),
    ("m3", "m**3", "m³"),
    ("m³", "m**3", "m³"),
    ("m**3", "m**3", "m³"),
    ("立方米", "m**3", "m³"),
    ("Nm3", "m**3", "Nm³"),
    ("Nm³", "m**3", "Nm³"),
    ("标准立方米", "m**3", "Nm³"),
    ("万立方米", "wan_m3", "10⁴ m³"),
    ("10⁴ Nm³", "wan_m3", "10⁴ Nm³"),
    ("吨", "t", "t"),
    ("千克", "kg", "kg"),
    ("公斤", "kg", "kg"),
    ("GJ", "GJ", "GJ"),
    ("吉焦", "GJ", "GJ"),
    ("升", "L", "L"),
    ("人·公里", "passenger*km", "passenger-km"),
    ("人公里", "passenger*km", "passenger-km"),
    ("passenger-km", "passenger*km", "passenger-km"),
    ("passenger*km", "passenger*km", "passenger-km"),
    ("吨·公里", "t*km", "t-km"),
    ("吨公里", "t*km", "t-km"),
    ("t-km", "t*km", "t-km"),
    ("tkm", "t*km", "t-km"),
    ("t*km", "t*km", "t-km"),
    ("间夜", "night", "room-night"),
    ("room-night", "night", "room-night"),
    ("room night", "night", "room-night"),
    ("night", "night", "room-night"),
]


@pytest.mark.parametrize(("text", "unit", "label"), SPELLINGS)
def test_each_spelling_is_parsed_as_its_unit(text, unit, label):
    assert parse_unit(text) == parse_unit(unit)


@pytest.mark.parametrize(("text", "unit", "label"), SPELLINGS)
def test_each_spelling_is_shown_the_way_people_write_it(text, unit, label):
    assert display_unit(text) == label


@pytest.mark.parametrize(("text", "unit", "label"), SPELLINGS)
def test_each_label_parses_back_to_the_same_unit(text, unit, label):
    # The ledger's export writes labels, and the export imports again as it is.
    assert parse_unit(display_unit(text)) == parse_unit(text)


def test_spellings_are_matched_after_trimming_and_with_any_separator():
    for text in [" 人 · 公里 ", "人*公里", "人-公里", "人・公里", "人×公里"]:
        assert parse_unit(text) == parse_unit("passenger*km")


def test_ten_thousand_units_are_ten_thousand_times_the_unit():
    assert convert(Decimal("1.5"), "万千瓦时", "kWh") == Decimal("15000")
    assert convert(Decimal("2"), "万立方米", "m3") == Decimal("20000")
    assert convert(Decimal("3"), "兆瓦时", "度") == Decimal("3000")


def test_the_shipped_factors_units_are_labelled_without_pint_notation():
    labels = {
        "ft**3": "ft³",
        "passenger*mile": "passenger-mile",
        "short_ton*mile": "short ton-mile",
        "MBtu": "MMBtu",
        "gallon": "gallon",
        "km": "km",
        "tCO2e": "tCO2e",
    }
    for unit, label in labels.items():
        assert display_unit(unit) == label
        assert "*" not in display_unit(unit)


def test_only_standard_spellings_say_standard_cubic_metres():
    assert is_standard_volume("Nm3") and is_standard_volume("标准立方米")
    assert is_standard_volume("10⁴ Nm³")
    assert not is_standard_volume("m3") and not is_standard_volume("立方米")
    assert not is_standard_volume("kWh")


@pytest.mark.parametrize("text", ["nm3", "米", "瓦", "blah", "天然气"])
def test_prefix_case_is_kept_and_unknown_chinese_never_reaches_pint(text):
    # "nm3" would be a cubic nanometre: only the listed spellings are case-free.
    with pytest.raises(UnitError) as caught:
        parse_unit(text)
    assert str(caught.value) == (
        f"Unknown unit {text!r}. Write it as e.g. kWh, 度, 万千瓦时, MWh, m³, Nm³, 立方米, t, 吨, "
        "kg, GJ, L, passenger-km, t-km, room-night, 元, 万元."
    )


# Conversions both ways between volume, mass and energy: natural gas with GB/T 32151's
# 0.038931 GJ/Nm³ and IPCC's 48.0 GJ/t; diesel with 0.84 kg/L and 43.0 GJ/t.
GAS = FuelProperties(ncv_gj_per_t=Decimal("48.0"), ncv_gj_per_m3=Decimal("0.038931"))
DIESEL = FuelProperties(density_kg_per_l=Decimal("0.84"), ncv_gj_per_t=Decimal("43.0"))


def _to(quantity, unit, factor_unit, fuel):
    return to_factor_unit(Decimal(quantity), unit, factor_unit, **vars(fuel))


def test_energy_converts_to_standard_volume_through_the_calorific_value_per_m3():
    # 38.931 GJ ÷ 0.038931 GJ/Nm³
    assert _to("38.931", "GJ", "m**3", GAS) == Decimal("1000")
    # 10,000 kWh = 36 GJ ÷ 0.038931 GJ/Nm³, to Decimal's 28 digits
    assert _to("10000", "kWh", "m**3", GAS) == Decimal("924.7129536872929028280804500")


def test_volume_converts_to_energy_through_the_calorific_value_per_m3():
    assert _to("1000", "Nm3", "GJ", GAS) == Decimal("38.931000")
    assert _to("0.1", "万立方米", "GJ", GAS) == Decimal("38.931000")


def test_mass_reaches_a_volume_factor_through_energy():
    # 811.0625 kg = 0.8110625 t × 48.0 GJ/t = 38.931 GJ ÷ 0.038931 GJ/Nm³ = 1,000 Nm³
    assert _to("811.0625", "kg", "m**3", GAS) == Decimal("1000")
    steps = conversion_steps("kg", "m**3", GAS)
    assert [(s.from_unit, s.to_unit, s.divide) for s in steps] == [
        ("t", "GJ", False),
        ("GJ", "m**3", True),
    ]


def test_energy_converts_back_to_litres_of_a_liquid_fuel():
    # 36.12 GJ ÷ 43.0 GJ/t = 0.84 t ÷ 0.84 kg/L = 1,000 L (1/43 leaves 3E-25 behind until
    # the stored 12 places)
    assert _to("36.12", "GJ", "L", DIESEL) == Decimal("999.9999999999999999999999997")
    assert round_quantity(_to("36.12", "GJ", "L", DIESEL)) == Decimal("1000")
    assert round_quantity(_to("0.84", "t", "L", DIESEL)) == Decimal("1000")


def test_a_direct_property_is_used_before_a_route_through_the_third_dimension():
    both = FuelProperties(Decimal("0.84"), Decimal("43.0"), Decimal("0.038931"))
    (step,) = conversion_steps("m3", "GJ", both)
    assert step.bridge.name == "ncv_gj_per_m3"


def test_a_missing_fuel_property_is_named():
    with pytest.raises(UnitError) as caught:
        _to("1", "GJ", "m**3", FuelProperties())
    assert "does not match the factor's unit 'm**3'" in str(caught.value)
    with pytest.raises(UnitError) as caught:
        _to("1", "GJ", "m**3", FuelProperties(density_kg_per_l=Decimal("0.84")))
    assert str(caught.value) == (
        "The record's unit 'GJ' does not match the factor's unit 'm**3': converting would "
        "need the fuel's net calorific value (GJ/t), which this activity type does not record."
    )
