"""An import file written as Chinese bills write units and numbers: every row is recorded."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.imports import Problem
from emissions.activities.models import ActivityRecord

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
# (activity type, quantity cell, unit cell, quantity in the factor's unit, factor unit)
ROWS = [
    ("grid_electricity", "1000", "度", "1000", "kWh"),
    ("grid_electricity", "1001", "千瓦时", "1001", "kWh"),
    ("grid_electricity", "1.5", "万千瓦时", "15000", "kWh"),
    ("grid_electricity", "2.5", "万度", "25000", "kWh"),
    ("grid_electricity", "3", "MWh", "3000", "kWh"),
    ("grid_electricity", "4", "mwh", "4000", "kWh"),
    ("grid_electricity", "5", "兆瓦时", "5000", "kWh"),
    ("grid_electricity", "1e3", "kWh", "1000", "kWh"),
    ("grid_electricity", "1.5E4", "度", "15000", "kWh"),
    ("grid_electricity", "2.5e-3", "MWh", "2.5", "kWh"),
    ("natural_gas_stationary", "100", "m3", "100", "m**3"),
    ("natural_gas_stationary", "101", "m³", "101", "m**3"),
    ("natural_gas_stationary", "102", "Nm3", "102", "m**3"),
    ("natural_gas_stationary", "103", "Nm³", "103", "m**3"),
    ("natural_gas_stationary", "104", "标准立方米", "104", "m**3"),
    ("natural_gas_stationary", "105", "立方米", "105", "m**3"),
    ("natural_gas_stationary", "0.5", "万立方米", "5000", "m**3"),
    ("natural_gas_stationary", "38.931", "吉焦", "1000", "m**3"),
    ("natural_gas_stationary", "38.931", "GJ", "1000", "m**3"),
    ("fuel_oil_stationary", "2", "吨", "2", "t"),
    ("lpg_stationary", "300", "千克", "0.3", "t"),
    ("lpg_stationary", "400", "公斤", "0.4", "t"),
    ("diesel_stationary", "2.5e3", "升", "2.1", "t"),  # 2,500 L × 0.84 kg/L = 2.1 t
    ("purchased_heat", "10", "GJ", "10", "GJ"),
    ("purchased_heat", "11", "吉焦", "11", "GJ"),
    ("rail_travel", "100", "人·公里", "100", "passenger*km"),
    ("rail_travel", "101", "人公里", "101", "passenger*km"),
    ("rail_travel", "102", "passenger-km", "102", "passenger*km"),
    ("freight_road", "200", "吨·公里", "200", "t*km"),
    ("freight_road", "201", "吨公里", "201", "t*km"),
    ("freight_road", "202", "t-km", "202", "t*km"),
    ("freight_road", "203", "tkm", "203", "t*km"),
    ("hotel_nights", "3", "间夜", "3", "night"),
    ("hotel_nights", "4", "room-night", "4", "night"),
    ("hotel_nights", "5", "room night", "5", "night"),
]


def csv_bytes(*lines: str) -> bytes:
    return (HEADER + "".join(lines)).encode("utf-8")


def line(type_code: str, quantity: str, unit: str) -> str:
    return f"XT-01,{type_code},2023-03-01,2023-03-31,{quantity},{unit},invoice\n"


@pytest.fixture
def importer(django_user_model):
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["add_activityrecord", "delete_activityrecord", "view_activityrecord"],
        )
    )
    return user


def test_a_file_in_every_spelling_is_recorded_in_the_factors_units(
    organisation, hebei_plant, importer
):
    content = csv_bytes(*(line(t, q, u) for t, q, u, _f, _fu in ROWS))
    batch = imports.start_import(user=importer, file_name="账单.csv", content=content)
    assert batch.preview["errors"] == []
    imports.commit_import(batch=batch, user=importer, sha=batch.sha256)
    records = ActivityRecord.objects.order_by("pk")  # written in the file's order
    assert len(records) == len(ROWS)
    for record, (type_code, _q, unit, factor_quantity, factor_unit) in zip(
        records, ROWS, strict=True
    ):
        assert record.activity_type.code == type_code
        assert record.unit == unit  # kept as the bill wrote it
        assert record.factor.unit == factor_unit, unit
        assert record.factor_quantity == Decimal(factor_quantity), unit


def test_scientific_notation_is_a_number_and_a_bad_one_names_row_and_column(
    organisation, hebei_plant
):
    check = imports.check_file(
        "records.csv",
        csv_bytes(
            line("grid_electricity", "1e3", "kWh"),
            line("grid_electricity", "1e999", "kWh"),
            line("grid_electricity", "inf", "kWh"),
            line("grid_electricity", "nan", "kWh"),
            line("grid_electricity", "2.5e-9", "kWh"),
            line("grid_electricity", "9e20", "kWh"),
        ),
    )
    assert check.errors == [
        Problem(3, "quantity", "'1e999' has an exponent of more than two digits: write the "
                "number out."),
        Problem(4, "quantity", "'inf' is not a number."),
        Problem(5, "quantity", "'nan' is not a number."),
        Problem(6, "quantity", "The quantity may have at most 6 decimal places."),
        Problem(7, "quantity", "The quantity is too large."),
    ]  # fmt: skip


def test_an_unknown_unit_names_its_row_and_offers_friendly_spellings(organisation, hebei_plant):
    check = imports.check_file("records.csv", csv_bytes(line("grid_electricity", "10", "千瓦")))
    (problem,) = check.errors
    assert (problem.row, problem.column) == (2, "unit")
    assert problem.message == (
        "Unknown unit '千瓦'. Write it as e.g. kWh, 度, 万千瓦时, MWh, m³, Nm³, 立方米, t, 吨, kg, "
        "GJ, L, passenger-km, t-km, room-night, 元, 万元."
    )


def test_the_preview_notes_standard_volumes_and_non_chinese_factors(organisation, hebei_plant):
    check = imports.check_file(
        "records.csv",
        csv_bytes(
            line("natural_gas_stationary", "1000", "立方米"),
            line("natural_gas_stationary", "1000", "Nm3"),
            line("diesel_stationary", "1000", "升"),
            line("grid_electricity", "1000", "度"),
        ),
    )
    assert check.errors == []  # notes, not errors
    notes = {row["row"]: row["notes"] for row in check.records_shown}
    assert notes[2] == [
        "m³ of gas is taken as standard cubic metres (Nm³, at 0 °C and 101.325 kPa), the "
        "volume the Chinese natural-gas factor and calorific value are per: convert a meter "
        "reading at other conditions first."
    ]
    assert notes[3] == []
    assert notes[4] == [
        "No Chinese factor for this activity: the GLOBAL factor (Global default) is used."
    ]
    assert notes[5] == []


def test_the_preview_page_shows_units_as_people_write_them_and_the_notes(
    client, organisation, hebei_plant, importer
):
    client.force_login(importer)
    file = SimpleUploadedFile(
        "records.csv",
        csv_bytes(
            line("grid_electricity", "1.5", "万千瓦时"),
            line("natural_gas_stationary", "1000", "m**3"),
            line("rail_travel", "100", "人公里"),
        ),
        content_type="text/csv",
    )
    response = client.post(reverse("dashboard:import"), {"file": file}, follow=True)
    html = response.content.decode()
    assert "<td>10⁴ kWh</td>" in html
    assert "<td>m³</td>" in html
    assert "<td>passenger-km</td>" in html
    assert "m**3" not in html and "passenger*km" not in html
    assert "m³ of gas is taken as standard cubic metres" in html
    assert "No Chinese factor for this activity: the GB factor (Proxy region) is used." in html
