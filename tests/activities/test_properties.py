"""Properties of the stored calculation, checked on generated quantities."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emissions.activities.models import ActivityRecord

pytestmark = pytest.mark.django_db

checked = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

GASES = ("co2_kg", "ch4_kg", "n2o_kg", "published_co2e_kg", "biogenic_co2_kg")
HALF_A_MILLIGRAM = Decimal("0.0000005")  # the most that rounding to 6 places moves a kg value

# Quantities with the 6 decimal places the quantity field stores, up to 100,000 units.
quantities = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=6)


def _calculated(make_record, facility, type_code, quantity, unit) -> ActivityRecord:
    record = make_record(facility, type_code, quantity, unit, save=False)
    record.calculate()
    return record


def _same_emissions(one: ActivityRecord, other: ActivityRecord) -> None:
    assert one.factor == other.factor
    assert one.factor_quantity == other.factor_quantity
    for gas in GASES:
        assert getattr(one, gas) == getattr(other, gas), gas
    assert one.co2e_kg == other.co2e_kg


@checked
@given(megawatt_hours=quantities)
def test_grid_electricity_in_mwh_and_in_kwh_gives_the_same_emissions(
    hebei_plant, make_record, megawatt_hours
):
    in_mwh = _calculated(make_record, hebei_plant, "grid_electricity", megawatt_hours, "MWh")
    in_kwh = _calculated(make_record, hebei_plant, "grid_electricity", megawatt_hours * 1000, "kWh")
    _same_emissions(in_mwh, in_kwh)


@checked
@given(tonnes=quantities)
def test_coal_in_tonnes_and_in_kilograms_gives_the_same_emissions(hebei_plant, make_record, tonnes):
    in_t = _calculated(make_record, hebei_plant, "bituminous_coal_stationary", tonnes, "t")
    in_kg = _calculated(make_record, hebei_plant, "bituminous_coal_stationary", tonnes * 1000, "kg")
    _same_emissions(in_t, in_kg)


@checked
@given(miles=st.integers(min_value=0, max_value=10_000_000))
def test_car_travel_in_miles_and_in_km_gives_the_same_emissions(hebei_plant, make_record, miles):
    # Whole miles, so the same distance in km (× 1.609344) still has at most 6 decimals.
    in_miles = _calculated(make_record, hebei_plant, "car_travel", Decimal(miles), "mile")
    in_km = _calculated(
        make_record, hebei_plant, "car_travel", Decimal(miles) * Decimal("1.609344"), "km"
    )
    _same_emissions(in_miles, in_km)


@checked
@given(miles=st.integers(min_value=0, max_value=10_000_000))
def test_us_bus_travel_in_passenger_km_and_passenger_miles_gives_the_same_emissions(
    us_plant, make_record, miles
):
    # The EPA factor is per passenger-mile: km are converted back to miles here.
    in_miles = _calculated(make_record, us_plant, "bus_travel", Decimal(miles), "passenger*mile")
    in_km = _calculated(
        make_record, us_plant, "bus_travel", Decimal(miles) * Decimal("1.609344"), "passenger*km"
    )
    _same_emissions(in_miles, in_km)


@checked
@given(gallons=quantities)
def test_diesel_in_us_gallons_and_in_litres_gives_the_same_emissions(
    hebei_plant, make_record, gallons
):
    # Both go volume → mass (0.84 kg/L) → the IPCC per-tonne factor.
    in_gallons = _calculated(make_record, hebei_plant, "diesel_stationary", gallons, "gallon")
    in_litres = _calculated(
        make_record, hebei_plant, "diesel_stationary", gallons * Decimal("3.785411784"), "L"
    )
    _same_emissions(in_gallons, in_litres)


# Fuels with both an IPCC per-tonne and a per-GJ factor, and the type's NCV (GJ/t).
FUELS_BY_MASS_AND_ENERGY = [
    ("diesel_stationary", "43.0"),
    ("gasoline_stationary", "44.3"),
    ("lpg_stationary", "47.3"),
    ("fuel_oil_stationary", "40.4"),
    ("anthracite_stationary", "26.7"),
    ("bituminous_coal_stationary", "25.8"),
]


@checked
@given(fuel=st.sampled_from(FUELS_BY_MASS_AND_ENERGY), tonnes=quantities)
def test_a_fuel_in_tonnes_and_in_gj_gives_the_same_emissions(
    hebei_plant, make_record, fuel, tonnes
):
    # The per-tonne factors are the per-GJ ones times the NCV the activity type records.
    type_code, ncv = fuel
    in_t = _calculated(make_record, hebei_plant, type_code, tonnes, "t")
    in_gj = _calculated(make_record, hebei_plant, type_code, tonnes * Decimal(ncv), "GJ")
    assert in_t.factor.unit == "t"
    assert in_gj.factor.unit == "GJ"
    for gas in GASES:
        assert getattr(in_t, gas) == getattr(in_gj, gas), gas
    assert in_t.co2e_kg == in_gj.co2e_kg


# Factors with CO2, CH4 and N2O, recorded in the factor's own unit (no unit rounding).
MULTI_GAS_ACTIVITIES = [
    ("hebei_plant", "bituminous_coal_stationary", "t"),
    ("us_plant", "diesel_stationary", "gallon"),
    ("hebei_plant", "freight_road", "t*km"),
    ("us_plant", "grid_electricity", "MWh"),
]


@checked
@given(
    activity=st.sampled_from(MULTI_GAS_ACTIVITIES),
    quantity=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=6),
    k=st.integers(min_value=2, max_value=1000),
)
def test_emissions_scale_linearly_with_quantity_within_rounding(
    hebei_plant, us_plant, make_record, activity, quantity, k
):
    facility_name, type_code, unit = activity
    facility = {"hebei_plant": hebei_plant, "us_plant": us_plant}[facility_name]
    once = _calculated(make_record, facility, type_code, quantity, unit)
    k_times = _calculated(make_record, facility, type_code, quantity * k, unit)

    # Each per-gas kg is rounded to 6 places once, so it is off by at most 0.5 mg:
    # |gas(kQ) − k·gas(Q)| ≤ 0.5 mg + k × 0.5 mg.
    per_gas_bound = HALF_A_MILLIGRAM * (1 + k)
    for gas in GASES:
        assert abs(getattr(k_times, gas) - k * getattr(once, gas)) <= per_gas_bound, gas

    # CO2e is summed from the rounded per-gas kg, each times its GWP (AR5: CO2 1, CH4 28,
    # N2O 265 — whole numbers, so the final rounding to 6 places changes nothing). One
    # calculation is therefore off by at most 0.5 mg × (1 + 28 + 265) = 0.147 mg, and
    # |co2e(kQ) − k·co2e(Q)| ≤ (1 + k) × 0.147 mg. (0.5 mg × the number of gases would not
    # do: a CH4 or N2O rounding error weighs its GWP in CO2e.)
    co2e_bound = HALF_A_MILLIGRAM * (1 + 28 + 265) * (1 + k)
    assert abs(k_times.co2e_kg - k * once.co2e_kg) <= co2e_bound

