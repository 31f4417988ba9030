"""Admin import/export of facilities: model validation per row, formulae escaped on export."""

import datetime as dt
import re

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.facilities.models import Facility
from emissions.facilities.resources import FacilityResource

pytestmark = pytest.mark.django_db

HEADERS = ["code", "name_en", "kind", "country", "province", "grid_region", "opened_on"]


def dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def row_errors(result):
    """{row number: [messages]} for every invalid row."""
    return {
        row.number: [message for messages in row.error_dict.values() for message in messages]
        for row in result.invalid_rows
    }


def test_a_valid_file_adds_and_updates_facilities_by_code(hebei_plant):
    data = dataset(
        ["XT-01", "Xingtai plant (renamed)", "factory", "CN", "CN-HE", "CN-North", "2008-01-01"],
        ["SZ-01", "Shenzhen office", "office", "CN", "CN-GD", "CN-South", "2015-06-01"],
    )
    result = FacilityResource().import_data(data, dry_run=False, raise_errors=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1 and result.totals["update"] == 1
    hebei_plant.refresh_from_db()
    assert hebei_plant.name_en == "Xingtai plant (renamed)"
    assert Facility.objects.get(code="SZ-01").opened_on == dt.date(2015, 6, 1)


def test_a_bad_row_is_reported_with_its_number_and_nothing_is_written():
    data = dataset(
        ["SZ-01", "Shenzhen office", "office", "CN", "CN-GD", "CN-South", "2015-06-01"],
        ["bad code", "Broken", "office", "china", "", "", "2015-06-01"],
    )
    result = FacilityResource().import_data(data, dry_run=False, raise_errors=False)

    errors = row_errors(result)
    assert list(errors) == [2]
    assert any("capital letters" in message for message in errors[2])
    assert any("two-letter ISO 3166-1" in message for message in errors[2])
    assert not Facility.objects.exists()


def test_the_import_page_and_the_export_page_load_without_inline_styles(admin_client):
    response = admin_client.get(reverse("admin:facilities_facility_import"))
    assert response.status_code == 200
    response = admin_client.get(reverse("admin:facilities_facility_export"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "style=" not in html
    assert "onchange=" not in html
    # The select-all handler is bound by a script that carries the CSP nonce.
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in html


def test_a_file_is_previewed_then_imported_through_the_admin(admin_client):
    content = (
        b"code,name_en,kind,country,province,grid_region,opened_on\n"
        b"SZ-01,Shenzhen office,office,CN,CN-GD,CN-South,2015-06-01\n"
    )
    upload = SimpleUploadedFile("facilities.csv", content, content_type="text/csv")
    response = admin_client.post(
        reverse("admin:facilities_facility_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert not Facility.objects.exists()  # the preview wrote nothing

    response = admin_client.post(
        reverse("admin:facilities_facility_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert Facility.objects.get(code="SZ-01").name_en == "Shenzhen office"


def test_an_export_escapes_cells_a_spreadsheet_would_run_as_formulae(admin_client):
    Facility.objects.create(code="F-01", name_en="=cmd", kind="office", opened_on="2020-01-01")
    Facility.objects.create(
        code="F-02", name_en="+1+cmd", name_zh="@SUM(A1)", kind="office", opened_on="2020-01-01"
    )
    Facility.objects.create(code="F-03", name_en="-2-cmd", kind="office", opened_on="2020-01-01")
    response = admin_client.post(
        reverse("admin:facilities_facility_export"),
        {"resource": "0", "format": "0", **{f"facilityresource_{n}": "on" for n in HEADERS}},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "F-01,'=cmd," in body
    assert "F-02,'+1+cmd," in body
    assert "F-03,'-2-cmd," in body
    assert ",=cmd" not in body


def test_the_resource_neutralises_every_formula_start_but_leaves_numbers_alone():
    Facility.objects.create(
        code="F-02", name_en="+1+cmd", name_zh="@SUM(A1)", kind="office", opened_on="2020-01-01"
    )
    data = FacilityResource().export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["name_en"] == "'+1+cmd"
    assert row["name_zh"] == "'@SUM(A1)"
    assert row["ownership_share"] in {"100.00", 100}


def test_importing_needs_the_add_permission(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="clerk-pass-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_facility"))
    client.force_login(user)

    assert client.get(reverse("admin:facilities_facility_import")).status_code == 403
    assert client.get(reverse("admin:facilities_facility_export")).status_code == 200
