"""Energy in tonnes of standard coal equivalent (GB/T 2589-2020): the inventory's figures.

docs/methodology.md's worked example: 1,000 kWh of grid electricity, 10 t of diesel and
1,000 Nm³ of natural gas = 0.1229 + 14.571 + 1.33 = 16.0239 tce.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from emissions.activities.catalogue import ACTIVITY_TYPES
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.factors.energy_coefficients import (
    CARRIERS_BY_CODE,
    carrier_for,
    in_carrier_unit,
)
from emissions.factors.units import UnitError
from emissions.neutrality.energy import EnergySum, energy_from_sums
from emissions.neutrality.inventory import ENERGY_CATEGORIES, energy_year

pytestmark = pytest.mark.django_db


def by_carrier(energy, facility_id=None) -> dict[str, tuple[Decimal, Decimal]]:
    """carrier code → (quantity, tce) of one facility, or of the organisation."""
    if facility_id is None:
        return {t.carrier.code: (t.quantity, t.tce) for t in energy.by_carrier}
    return {
        use.carrier.code: (use.quantity, use.tce)
        for use in energy.uses
        if use.facility_id == facility_id
    }


@pytest.fixture
def worked_example(hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    make_record(hebei_plant, "diesel_stationary", "10", "t")
    make_record(hebei_plant, "natural_gas_stationary", "1000", "m**3")
    ActivityRecord.objects.update(status="approved")
    return hebei_plant


def test_the_worked_example_gives_16_0239_tce(worked_example):
    energy = energy_year(2023)

    assert by_carrier(energy) == {
        "electricity": (Decimal("1000"), Decimal("0.122900")),
        "natural_gas": (Decimal("1000"), Decimal("1.330000")),
        "diesel": (Decimal("10"), Decimal("14.571000")),
    }
    assert energy.tce == Decimal("16.0239")
    assert energy.tce_by_facility == {worked_example.pk: Decimal("16.0239")}
    assert energy.approval == "approved"
    assert energy.not_converted == ()


def test_it_counts_approved_records_only_unless_asked(worked_example, make_record):
    make_record(worked_example, "grid_electricity", "9000", "kWh")  # still a draft

    assert energy_year(2023).tce == Decimal("16.0239")
    # 10,000 kWh × 0.1229 kgce/kWh = 1.229 tce instead of 0.1229.
    assert energy_year(2023, approved_only=False).tce == Decimal("17.1300")


def test_a_fuel_entered_in_litres_is_shown_in_tonnes(hebei_plant, make_record):
    make_record(hebei_plant, "diesel_vehicles", "1000", "L")
    make_record(hebei_plant, "diesel_stationary", "2", "t")
    ActivityRecord.objects.update(status="approved")

    # 1,000 L × 0.84 kg/L (the type's density) = 0.84 t; with the 2 t: 2.84 t × 1.4571.
    assert by_carrier(energy_year(2023)) == {"diesel": (Decimal("2.84"), Decimal("4.138164"))}


def test_heat_steam_and_own_solar_are_carriers_and_scope_3_is_not(hebei_plant, make_record):
    make_record(hebei_plant, "purchased_heat", "600", "GJ")
    make_record(hebei_plant, "purchased_steam", "400", "GJ")
    make_record(hebei_plant, "onsite_solar_consumed", "50", "MWh")
    make_record(hebei_plant, "hotel_nights", "10", "night")
    make_record(hebei_plant, "freight_road", "1000", "t*km")
    make_record(hebei_plant, "refrigerant_r134a", "2", "kg")
    ActivityRecord.objects.update(status="approved")

    energy = energy_year(2023)

    # 1,000 GJ × 0.03412 kgce/MJ; 50,000 kWh × 0.1229 kgce/kWh.
    assert by_carrier(energy) == {
        "onsite_renewable_electricity": (Decimal("50000"), Decimal("6.145000")),
        "heat": (Decimal("1000"), Decimal("34.120000")),
    }
    assert energy.renewable_tce == Decimal("6.145")
    # Travel, freight and a refrigerant leak are no energy consumption, and no warning either.
    assert energy.not_converted == ()


def test_facilities_add_up_to_the_organisation(hebei_plant, second_hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "1234.5", "kWh")
    make_record(second_hebei_plant, "grid_electricity", "2", "MWh")
    make_record(second_hebei_plant, "lpg_stationary", "333", "kg")
    ActivityRecord.objects.update(status="approved")

    energy = energy_year(2023)
    one = energy_year(2023, facility_ids=[second_hebei_plant.pk])

    assert by_carrier(energy, hebei_plant.pk) == {
        "electricity": (Decimal("1234.5"), Decimal("0.151720"))  # 0.15172005 half-up
    }
    # 0.333 t × 1.7143 = 0.5708619
    assert by_carrier(one) == {
        "electricity": (Decimal("2000"), Decimal("0.245800")),
        "lpg": (Decimal("0.333"), Decimal("0.570862")),
    }
    assert energy.tce == Decimal("0.151720") + Decimal("0.245800") + Decimal("0.570862")
    assert sum(energy.tce_by_facility.values()) == energy.tce
    assert one.tce == energy.tce_by_facility[second_hebei_plant.pk]


def test_a_year_without_energy_records_is_empty(hebei_plant):
    energy = energy_year(2023)

    assert energy.uses == () and energy.tce == 0 and energy.by_carrier == []


# --- The pure parts: coefficients and conversions ---------------------------------------------


@pytest.mark.parametrize(
    ("code", "tce_per_unit"),
    [
        ("electricity", "0.0001229"),  # 0.1229 kgce/kWh
        ("heat", "0.03412"),  # 0.03412 kgce/MJ = 34.12 kgce/GJ
        ("natural_gas", "0.0013300"),  # 1.3300 kgce/m³
        ("raw_coal", "0.7143"),  # kgce/kg = tce/t
        ("coke", "0.9714"),
        ("fuel_oil", "1.4286"),
        ("gasoline", "1.4714"),
        ("diesel", "1.4571"),
        ("lpg", "1.7143"),
    ],
)
def test_each_coefficient_is_gb_t_2589_in_tce_per_table_unit(code, tce_per_unit):
    assert CARRIERS_BY_CODE[code].tce_per_unit == Decimal(tce_per_unit)


def test_every_shipped_energy_activity_type_has_a_carrier():
    energy_types = ActivityType.objects.filter(
        code__in=[spec["code"] for spec in ACTIVITY_TYPES], category__in=ENERGY_CATEGORIES
    )

    assert energy_types.count() == 14
    assert [t.code for t in energy_types if carrier_for(t) is None] == []


def test_scope_3_activity_types_have_no_carrier():
    assert carrier_for(ActivityType.objects.get(code="flight_domestic")) is None


def fuel(**properties):
    fields = {"density_kg_per_l": None, "ncv_gj_per_t": None, "ncv_gj_per_m3": None}
    return SimpleNamespace(**(fields | properties))


def test_a_factor_unit_of_energy_comes_back_in_tonnes_through_the_calorific_value():
    diesel = CARRIERS_BY_CODE["diesel"]

    # 430 GJ ÷ 43.0 GJ/t: the quantity the record was entered in.
    quantity = in_carrier_unit(Decimal("430"), "GJ", diesel, fuel(ncv_gj_per_t=Decimal("43.0")))

    assert quantity == Decimal("10")


def test_gas_bought_by_its_energy_comes_back_in_standard_cubic_metres():
    gas = CARRIERS_BY_CODE["natural_gas"]

    # 38.931 GJ ÷ 0.038931 GJ/Nm³ (389.31 GJ per 10⁴ Nm³).
    quantity = in_carrier_unit(
        Decimal("38.931"), "GJ", gas, fuel(ncv_gj_per_m3=Decimal("0.038931"))
    )

    assert quantity == Decimal("1000")


def test_a_unit_that_needs_a_property_the_type_lacks_is_refused():
    with pytest.raises(UnitError):
        in_carrier_unit(Decimal("430"), "GJ", CARRIERS_BY_CODE["diesel"], fuel())


def test_rows_whose_unit_does_not_convert_are_listed_not_counted():
    # A diesel type without a calorific value: its factor's GJ cannot become tonnes.
    diesel = ActivityType(code="diesel_stationary", category="s1_stationary", scope=1)
    sums = [EnergySum(7, 1, "GJ", Decimal("430"), Decimal(0), 3)]

    energy = energy_from_sums(2023, "approved", sums, {1: diesel})

    assert energy.uses == ()
    [problem] = energy.not_converted
    assert (problem.facility_id, problem.unit, problem.records, problem.reason) == (
        7,
        "GJ",
        3,
        "unit",
    )
