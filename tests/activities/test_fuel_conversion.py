"""The factor's region never depends on the unit typed: the same gas in any unit, one factor.

Worked example (docs/methodology.md, "Units and fuel conversions"): 1,000 Nm³ of natural gas
at the Xingtai plant (CN-HE) in 2023. The only Chinese factor is GB/T 32151.34-2024's
2.1622 kg CO2 per Nm³ (country match, proxy year 2024), so 1,000 Nm³ → 2,162.2 kg CO2e.
The same gas as energy is 1,000 × 0.038931 GJ/Nm³ = 38.931 GJ = 10,814.1667 kWh, and as mass
38.931 GJ ÷ 48.0 GJ/t = 0.8110625 t. Before, anything but a volume fell back to IPCC's
global 56.1 kg CO2/GJ (+ CH4, N2O): 2,186.15 kg CO2e for the same gas, 1.1 % more.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.activities.catalogue import load_activity_types
from emissions.activities.conversion import (
    explain_conversion,
    fallback_note,
    standard_volume_note,
)
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility
from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db

GB_T_FACTOR = "natural_gas_stationary_cn_gbt32151_m3"
EXACT_KG = Decimal("2162.200000")


@pytest.fixture
def gas(make_record, hebei_plant):
    def record(quantity, unit, facility=hebei_plant):
        return make_record(facility, "natural_gas_stationary", Decimal(quantity), unit)

    return record


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [
        ("1000", "m**3"),
        ("1000", "m3"),
        ("1000", "m³"),
        ("1000", "Nm3"),
        ("1000", "Nm³"),
        ("1000", "立方米"),
        ("1000", "标准立方米"),
        ("0.1", "万立方米"),
        ("38.931", "GJ"),
        ("38.931", "吉焦"),
        ("811.0625", "kg"),  # 0.8110625 t, exactly
        ("10814.166667", "kWh"),  # 38.931 GJ ÷ 0.0036 GJ/kWh, to the 6 places a quantity has
    ],
)
def test_the_same_gas_in_any_unit_gets_the_chinese_factor_and_the_same_co2e(gas, quantity, unit):
    record = gas(quantity, unit)
    assert record.factor.key == GB_T_FACTOR
    assert (record.factor_region_match, record.factor_year_match) == ("country", "proxy")
    assert record.co2e_kg == EXACT_KG


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [
        ("0.811063", "t"),  # 0.8110625 t rounded to 6 places
        ("0.811063", "吨"),
        ("10.814167", "MWh"),
        ("1.081417", "万千瓦时"),
        ("10814.17", "度"),
    ],
)
def test_a_rounded_quantity_gives_the_same_co2e_within_its_rounding(gas, quantity, unit):
    record = gas(quantity, unit)
    assert record.factor.key == GB_T_FACTOR
    assert record.factor_region_match == "country"
    assert abs(record.co2e_kg - EXACT_KG) < Decimal("0.002")  # under 1 ppm of 2,162.2 kg


def test_the_factor_quantity_is_the_standard_volume(gas):
    record = gas("10000", "kWh")
    # 36 GJ ÷ 0.038931 GJ/Nm³, at the 12 places stored
    assert record.factor_quantity == Decimal("924.712953687293")
    assert record.co2e_kg == Decimal("1999.414348")  # × 2.1622, half-up to 6 places


def test_a_facility_outside_china_still_gets_its_own_countrys_factor(gas, organisation):
    houston = Facility.objects.create(
        code="US-01", name_en="Houston", kind="office", country="US",
        opened_on=dt.date(2010, 1, 1),
    )  # fmt: skip
    # 1 GJ = 0.947817 MMBtu at EPA's 53.06 kg CO2/MMBtu (+ CH4, N2O): the US factor, not IPCC.
    assert gas("1", "GJ", houston).factor.key == "natural_gas_stationary_us_epa2025_mmbtu"
    assert gas("1000", "m3", houston).factor.key == "natural_gas_stationary_us_epa2025_scf"


def test_a_facility_with_no_national_factor_can_now_enter_gas_by_volume(gas):
    osaka = Facility.objects.create(
        code="JP-01", name_en="Osaka", kind="office", country="JP", opened_on=dt.date(2015, 1, 1)
    )
    # Volume reaches IPCC's per-GJ factor through the calorific value per Nm³ (before: refused).
    record = gas("1000", "m3", osaka)
    assert record.factor.key == "natural_gas_stationary_ipcc2006_gj"
    assert record.factor_quantity == Decimal("38.931")
    assert record.factor_region_match == "global"


def test_a_unit_the_chosen_region_cannot_take_is_refused_not_sent_elsewhere(
    make_record, hebei_plant
):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "passenger-km", save=False)
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert caught.value.message_dict == {
        "unit": [
            "The record's unit 'passenger-km' does not convert to the unit of any factor for "
            "Grid electricity (kWh)."
        ]
    }


def test_a_fuel_whose_conversion_lacks_a_property_says_which(make_record, hebei_plant):
    # Coke's only factor is per GJ; the type records an NCV per tonne but no density.
    record = make_record(hebei_plant, "coke_stationary", Decimal("10"), "L", save=False)
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert caught.value.message_dict == {
        "unit": [
            "The record's unit 'L' does not convert to the unit of any factor for Coke oven coke "
            "(GJ). The record's unit 'L' does not match the factor's unit 'GJ': converting would "
            "need the fuel's density (kg/L), which this activity type does not record."
        ]
    }


# The conversion as the record page explains it.


def test_the_conversion_is_explained_from_the_records_stored_values(gas):
    conversion = explain_conversion(gas("10000", "kWh"))
    assert conversion.text == "10,000 kWh = 36 GJ ÷ 0.038931 GJ/Nm³ = 924.71 Nm³"
    assert "GB/T 32151.34-2024 Annex C" in conversion.source


def test_a_conversion_through_mass_shows_each_step(gas):
    conversion = explain_conversion(gas("811.0625", "公斤"))
    assert conversion.text == (
        "811.0625 kg = 0.811063 t × 48 GJ/t = 38.931 GJ ÷ 0.038931 GJ/Nm³ = 1,000 Nm³"
    )


def test_a_plain_unit_conversion_is_explained_without_a_source(make_record, hebei_plant):
    record = make_record(hebei_plant, "grid_electricity", Decimal("1.5"), "万千瓦时")
    assert record.electricity_kwh == Decimal("15000.000000")
    conversion = explain_conversion(record)
    assert (conversion.text, conversion.source) == ("1.5 10⁴ kWh = 15,000 kWh", "")


def test_nothing_is_explained_when_the_unit_is_the_factors(gas):
    assert explain_conversion(gas("1000", "m**3")) is None
    assert explain_conversion(gas("1000", "立方米")) is None


def test_a_gas_volume_in_plain_cubic_metres_is_said_to_be_taken_as_standard():
    natural_gas = ActivityType.objects.get(code="natural_gas_stationary")
    note = standard_volume_note("立方米", natural_gas)
    assert note.startswith("m³ of gas is taken as standard cubic metres (Nm³, at 0 °C and 101.325")
    assert standard_volume_note("m3", natural_gas) == note
    assert standard_volume_note("Nm3", natural_gas) is None
    assert standard_volume_note("标准立方米", natural_gas) is None
    assert standard_volume_note("GJ", natural_gas) is None
    # Not a gas: litres of diesel are litres.
    assert standard_volume_note("L", ActivityType.objects.get(code="diesel_stationary")) is None


def test_a_factor_from_outside_china_for_a_chinese_facility_is_noted(make_record, hebei_plant):
    diesel = make_record(hebei_plant, "diesel_stationary", Decimal("1000"), "升")
    assert fallback_note(diesel) == (
        "No Chinese factor for this activity: the GLOBAL factor (Global default) is used."
    )
    rail = make_record(hebei_plant, "rail_travel", Decimal("1000"), "人公里")
    assert fallback_note(rail) == (
        "No Chinese factor for this activity: the GB factor (Proxy region) is used."
    )
    grid = make_record(hebei_plant, "grid_electricity", Decimal("1000"), "度")
    assert fallback_note(grid) is None


def test_the_record_page_shows_labels_the_conversion_and_the_notes(client, django_user_model, gas):
    reader = django_user_model.objects.create_user("reader", password="reader-pass-123")
    reader.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(reader)
    record = gas("10000", "kWh")
    html = client.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert "10,000 kWh = 36 GJ ÷ 0.038931 GJ/Nm³ = 924.71 Nm³" in html
    assert "924.712953687293 m³" in html
    assert "m**3" not in html

    volume = gas("1000", "立方米")
    html = client.get(reverse("dashboard:record_detail", args=[volume.pk])).content.decode()
    assert "1,000 m³</td>" in html
    assert "m³ of gas is taken as standard cubic metres" in html


def test_the_ledger_shows_units_the_way_people_write_them(client, django_user_model, gas):
    reader = django_user_model.objects.create_user("reader", password="reader-pass-123")
    reader.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(reader)
    gas("1000", "m**3")
    gas("0.1", "万立方米")
    html = client.get(reverse("dashboard:ledger")).content.decode()
    assert "1,000 m³</td>" in html
    assert "0.1 10⁴ m³</td>" in html
    assert "m**3" not in html


def test_the_admin_record_form_takes_chinese_units_and_scientific_notation(
    admin_client, organisation, hebei_plant
):
    natural_gas = ActivityType.objects.get(code="natural_gas_stationary")
    post = {
        "activity_type": natural_gas.pk,
        "facility": hebei_plant.pk,
        "period_start": "2023-03-01",
        "period_end": "2023-03-31",
        "quantity": "1e3",
        "unit": "标准立方米",
        "data_quality": "invoice",
        "source_reference": "燃气账单 2023-03",
        "notes": "",
    }
    response = admin_client.post(reverse("admin:activities_activityrecord_add"), post)
    assert response.status_code == 302
    record = ActivityRecord.objects.get()
    assert (record.quantity, record.unit, record.co2e_kg) == (
        Decimal("1000"),
        "标准立方米",
        EXACT_KG,
    )
    changelist = admin_client.get(reverse("admin:activities_activityrecord_changelist"))
    assert "1000 Nm³" in changelist.content.decode()


def test_the_admin_form_names_an_unknown_chinese_unit(admin_client, organisation, hebei_plant):
    natural_gas = ActivityType.objects.get(code="natural_gas_stationary")
    post = {
        "activity_type": natural_gas.pk, "facility": hebei_plant.pk,
        "period_start": "2023-03-01", "period_end": "2023-03-31", "quantity": "inf",
        "unit": "方块", "data_quality": "invoice", "source_reference": "", "notes": "",
    }  # fmt: skip
    response = admin_client.post(reverse("admin:activities_activityrecord_add"), post)
    assert response.status_code == 200
    assert "Enter a number." in response.content.decode()
    assert not ActivityRecord.objects.exists()
    response = admin_client.post(
        reverse("admin:activities_activityrecord_add"), {**post, "quantity": "2.5e-3"}
    )
    assert "Unknown unit &#x27;方块&#x27;. Write it as e.g. kWh, 度" in response.content.decode()


def test_loading_the_activity_types_gives_an_existing_database_the_gas_ncv_and_the_cn_factor(
    gas,
):
    record = gas("38.931", "GJ")
    # A database from before issue 16: no NCV per m³, the record on IPCC's global factor.
    ActivityType.objects.filter(code="natural_gas_stationary").update(ncv_gj_per_m3=None)
    ipcc = EmissionFactor.objects.get(key="natural_gas_stationary_ipcc2006_gj")
    ActivityRecord.objects.filter(pk=record.pk).update(factor=ipcc, factor_region_match="global")

    load_activity_types()

    natural_gas = ActivityType.objects.get(code="natural_gas_stationary")
    assert natural_gas.ncv_gj_per_m3 == Decimal("0.038931")
    record.refresh_from_db()
    assert (record.factor.key, record.factor_region_match) == (GB_T_FACTOR, "country")
    assert record.co2e_kg == EXACT_KG
