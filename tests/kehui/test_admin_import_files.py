"""The admin import: its size limit, its temp files, and the file names it trusts (issue 15)."""

import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions import import_admin, import_tmp_storage
from emissions.activities import imports
from emissions.facilities.models import Facility
from tests import xlsx_files

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:facilities_facility_import")
PROCESS = reverse("admin:facilities_facility_process_import")
CSV, XLSX = "0", "1"
GOOD = (
    b"code,name_en,kind,country,province,grid_region,opened_on\n"
    b"SZ-01,Shenzhen office,office,CN,CN-GD,CN-South,2015-06-01\n"
)
UNKNOWN = "The file to import is unknown or was already imported or abandoned."


@pytest.fixture(autouse=True)
def temp_dir(tmp_path, monkeypatch):
    """The temp dir of these tests alone, so that what is left in it can be counted."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def stored_files(temp_dir) -> list:
    folder = temp_dir / import_tmp_storage.FOLDER_NAME
    return sorted(folder.iterdir()) if folder.exists() else []


def preview(client, content: bytes, name="facilities.csv", file_format=CSV):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(IMPORT, {"resource": "0", "format": file_format, "import_file": upload})


def confirm_fields(response) -> dict:
    confirm = response.context["confirm_form"]
    return {name: confirm[name].value() for name in confirm.fields}


def test_a_confirmed_import_removes_its_temp_file(admin_client, temp_dir):
    response = preview(admin_client, GOOD)
    fields = confirm_fields(response)
    assert len(stored_files(temp_dir)) == 1

    response = admin_client.post(PROCESS, fields)

    assert response.status_code == 302
    assert Facility.objects.get(code="SZ-01").name_en == "Shenzhen office"
    assert stored_files(temp_dir) == []


def test_the_same_file_cannot_be_confirmed_twice(admin_client):
    fields = confirm_fields(preview(admin_client, GOOD))
    admin_client.post(PROCESS, fields)

    response = admin_client.post(PROCESS, fields, follow=True)

    assert UNKNOWN in response.content.decode()
    assert Facility.objects.count() == 1


@pytest.mark.parametrize(
    "forged",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "tmpabc123",
        "0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef:forgedsignature",
        "",
    ],
)
def test_a_forged_file_name_gets_a_message_not_a_500(admin_client, forged):
    fields = {
        "import_file_name": forged,
        "original_file_name": "f.csv",
        "format": CSV,
        "resource": "",
    }

    response = admin_client.post(PROCESS, fields, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == IMPORT
    assert UNKNOWN in response.content.decode()


@pytest.mark.parametrize("bad_format", ["99", "-1", "csv"])
def test_a_forged_format_gets_the_message_and_the_file_is_removed(
    admin_client, temp_dir, bad_format
):
    fields = confirm_fields(preview(admin_client, GOOD)) | {"format": bad_format}

    response = admin_client.post(PROCESS, fields, follow=True)

    assert UNKNOWN in response.content.decode()
    assert not Facility.objects.exists()
    assert stored_files(temp_dir) == []


def test_a_confirmation_that_fails_still_removes_its_temp_file(admin_client, temp_dir, monkeypatch):
    from emissions.import_admin import ImportAdminMixin

    fields = confirm_fields(preview(admin_client, GOOD))

    def failing(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportAdminMixin, "process_dataset", failing)
    with pytest.raises(RuntimeError):
        admin_client.post(PROCESS, fields)

    assert stored_files(temp_dir) == []


def test_an_oversized_file_is_refused_with_the_import_page_s_message_and_leaves_nothing(
    admin_client, temp_dir, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 1000)
    content = GOOD + b"XX-01,Padding,office,CN,CN-GD,CN-South,2015-06-01\n" * 100

    response = preview(admin_client, content)

    assert response.status_code == 400
    assert f"The file is larger than {imports.MAX_UPLOAD_LABEL}." in response.content.decode()
    assert "This field is required" not in response.content.decode()
    assert stored_files(temp_dir) == []
    assert list(temp_dir.iterdir()) in ([], [temp_dir / import_tmp_storage.FOLDER_NAME])


def test_a_preview_with_errors_removes_its_temp_file(admin_client, temp_dir):
    content = b"code,name_en,kind,country,opened_on\nbad code,Broken,office,china,2015-06-01\n"

    response = preview(admin_client, content)

    assert "confirm_form" not in response.context
    assert stored_files(temp_dir) == []


def test_an_xlsx_bomb_is_refused_in_the_admin_with_the_message(admin_client, temp_dir):
    bomb = xlsx_files.one_huge_shared_string(150 * 1024 * 1024)

    response = preview(admin_client, bomb, name="bomb.xlsx", file_format=XLSX)

    html = response.content.decode()
    assert "xl/sharedStrings.xml of the XLSX file unpacks" in html
    assert "the file is refused as a zip bomb" in html
    assert "encountered while trying to read file" not in html
    assert stored_files(temp_dir) == []


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_a_file_of_more_rows_than_the_admin_imports_is_refused_naming_both_counts(
    admin_client, temp_dir, monkeypatch, file_format
):
    monkeypatch.setattr(import_admin, "MAX_ROWS", 2)
    rows = [f"SZ-0{n},Office {n},office,CN,CN-GD,CN-South,2015-06-01" for n in range(1, 4)]
    lines = [GOOD.decode().splitlines()[0], *rows]
    content = "\n".join(lines).encode()
    if file_format == XLSX:
        content = xlsx_files.normal([line.split(",") for line in lines])

    response = preview(admin_client, content, name="f.xlsx", file_format=file_format)

    assert (
        "The admin import takes at most 2 rows at a time and this file has 3: split it, or "
        "import activity data on the Import page." in response.content.decode()
    )
    assert "confirm_form" not in response.context
    assert not Facility.objects.filter(code__startswith="SZ-").exists()
    assert stored_files(temp_dir) == []


def test_as_many_rows_as_the_admin_imports_are_accepted(admin_client, monkeypatch):
    monkeypatch.setattr(import_admin, "MAX_ROWS", 1)
    response = preview(admin_client, GOOD)
    assert response.context["confirm_form"] is not None


def test_a_valid_xlsx_still_imports_through_the_admin(admin_client, temp_dir):
    rows = [line.split(",") for line in GOOD.decode().splitlines()]
    response = preview(admin_client, xlsx_files.normal(rows), name="f.xlsx", file_format=XLSX)

    response = admin_client.post(PROCESS, confirm_fields(response))

    assert response.status_code == 302
    assert Facility.objects.filter(code="SZ-01").exists()
    assert stored_files(temp_dir) == []


def test_a_preview_nobody_confirmed_is_removed_a_day_later(admin_client, temp_dir):
    preview(admin_client, GOOD)
    (abandoned,) = stored_files(temp_dir)
    os.utime(abandoned, (0, 0))

    preview(admin_client, GOOD)

    assert len(stored_files(temp_dir)) == 1
    assert not abandoned.exists()


@pytest.mark.parametrize("url", [IMPORT, PROCESS])
def test_the_size_limited_views_still_check_csrf(admin_user, url):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(url, {"resource": "0", "format": CSV})

    assert response.status_code == 403


EXPORT = reverse("admin:facilities_facility_export")


def export(client):
    columns = GOOD.decode().splitlines()[0].split(",")
    data = {"format": CSV, "resource": "0", **{f"facilityresource_{c}": "on" for c in columns}}
    return client.post(EXPORT, data)


def test_an_export_of_more_rows_than_the_admin_writes_is_refused_with_a_message(
    admin_client, hebei_plant, monkeypatch
):
    Facility.objects.create(
        code="SZ-02", name_en="Shenzhen office", kind="office", opened_on="2015-06-01"
    )
    monkeypatch.setattr(import_admin, "MAX_EXPORT_ROWS", 1)

    response = export(admin_client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert (
        "The admin exports at most 1 rows at a time and this list has more: filter it first, "
        "or download activity records as CSV from the ledger." in response.content.decode()
    )


def test_an_export_within_the_limit_is_written(admin_client, hebei_plant, monkeypatch):
    monkeypatch.setattr(import_admin, "MAX_EXPORT_ROWS", 1)

    response = export(admin_client)

    assert response["Content-Type"].startswith("text/csv")
    assert "XT-01" in response.content.decode()
