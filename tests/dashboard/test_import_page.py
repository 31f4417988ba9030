"""The import page: upload, preview, commit, roll back, the template."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.models import ActivityRecord, ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:import")
HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
GOOD = "XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"


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


@pytest.fixture
def importer_client(client, importer, organisation, hebei_plant):
    client.force_login(importer)
    return client


def upload(client, text: str, name="records.csv", encoding="utf-8"):
    file = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post(URL, {"file": file}, follow=True)


def test_the_page_shows_the_form_and_the_size_limit(importer_client):
    response = importer_client.get(URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert f"Files up to {imports.MAX_UPLOAD_LABEL}." in response.content.decode()
    assert "XLSX (first sheet, up to 30,000 rows)." in response.content.decode()
    assert reverse("dashboard:import_template").encode() in response.content


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_add_permission_gets_403(client, viewer):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403


def test_the_page_refuses_other_methods(importer_client):
    assert importer_client.put(URL).status_code == 405


def test_a_post_without_a_file_shows_the_form_error(importer_client):
    response = importer_client.post(URL)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_file_over_the_limit_is_rejected(importer_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    response = upload(importer_client, HEADER + GOOD * 5)
    assert response.status_code == 400
    assert (
        f"The file is larger than {imports.MAX_UPLOAD_LABEL}. Split it into smaller files."
        in response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_an_upload_is_stopped_at_the_limit_not_stored_whole(importer_client, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 64 * 1024)
    stored = []
    real = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        stored.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    big = HEADER + GOOD * 100_000  # 6 MB: past the memory handler's 2.5 MB, to a temp file
    response = upload(importer_client, big)
    assert response.status_code == 400
    assert f"The file is larger than {imports.MAX_UPLOAD_LABEL}." in response.content.decode()
    assert sum(stored) <= 64 * 1024  # what reached the temporary file: not the 6 MB
    assert not ImportBatch.objects.exists()


def test_the_upload_still_checks_the_csrf_token(importer, organisation, hebei_plant):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(importer)
    response = upload(client, HEADER + GOOD)
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_an_upload_shows_the_preview_and_writes_no_records(importer_client):
    response = upload(importer_client, HEADER + GOOD)
    page = response.content.decode()
    assert "1 row read: 1 valid (0.652 tCO2e); problems: 0." in page
    assert "Import 1 record" in page
    assert ActivityRecord.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEWED


def test_the_preview_lists_each_problem_with_row_and_column(importer_client):
    response = upload(importer_client, HEADER + GOOD + GOOD.replace("1000", "-1"))
    page = response.content.decode()
    assert '<td class="num">3</td><td><code>quantity</code></td>' in page
    assert "Quantity cannot be negative." in page
    assert "Import 1 record" not in page  # no commit button while anything is invalid


def test_the_preview_shows_only_the_first_200_problems_with_the_count(importer_client):
    response = upload(importer_client, HEADER + GOOD.replace("XT-01", "NOPE") * 250)
    page = response.content.decode()
    assert "The first 200 of 250 problems:" in page
    assert page.count("No facility has the code &#x27;NOPE&#x27;.") == 200


def test_a_gbk_file_with_chinese_headers_previews(importer_client):
    header = "设施,活动类型,开始日期,结束日期,数量,单位,数据质量\n"
    response = upload(importer_client, header + GOOD.replace("metered", "计量"), encoding="gbk")
    assert "1 row read: 1 valid" in response.content.decode()


def test_commit_creates_the_records_and_rollback_removes_them(importer_client):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    commit_url = reverse("dashboard:import_commit", args=[batch.pk])
    response = importer_client.post(commit_url, {"sha256": batch.sha256}, follow=True)
    assert "1 record imported." in response.content.decode()
    assert "Roll back this import" in response.content.decode()
    assert ActivityRecord.objects.get().import_batch == batch

    rollback_url = reverse("dashboard:import_rollback", args=[batch.pk])
    response = importer_client.post(rollback_url, follow=True)
    assert "1 record deleted by rolling back the import." in response.content.decode()
    assert ActivityRecord.objects.count() == 0
    response = importer_client.post(rollback_url, follow=True)
    assert "This import has already been rolled back." in response.content.decode()


def test_commit_refuses_a_checksum_that_is_not_the_kept_files(importer_client):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    url = reverse("dashboard:import_commit", args=[batch.pk])
    response = importer_client.post(url, {"sha256": "f" * 64}, follow=True)
    assert "The file does not match its preview; upload it again." in response.content.decode()
    assert ActivityRecord.objects.count() == 0


def test_commit_refuses_rows_that_became_invalid_since_the_preview(importer_client, hebei_plant):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    hebei_plant.code = "XT-09"
    hebei_plant.save()
    url = reverse("dashboard:import_commit", args=[batch.pk])
    response = importer_client.post(url, {"sha256": batch.sha256}, follow=True)
    assert "Nothing was imported: 1 problem was found when committing." in (
        response.content.decode()
    )
    assert ActivityRecord.objects.count() == 0


def test_commit_and_rollback_only_accept_post(importer_client):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    for name in ("dashboard:import_commit", "dashboard:import_rollback"):
        assert importer_client.get(reverse(name, args=[batch.pk])).status_code == 405


def test_a_missing_batch_is_404(importer_client):
    assert importer_client.get(reverse("dashboard:import_batch", args=[999999])).status_code == 404


def test_another_user_cannot_commit_someone_elses_preview(
    importer_client, importer, django_user_model, client
):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    other = django_user_model.objects.create_user("other", password="other-pass-123")
    other.user_permissions.set(importer.user_permissions.all())
    client.force_login(other)
    url = reverse("dashboard:import_commit", args=[batch.pk])
    assert client.post(url, {"sha256": batch.sha256}).status_code == 404


def test_rollback_needs_the_delete_permission(importer_client, importer):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    importer_client.post(
        reverse("dashboard:import_commit", args=[batch.pk]), {"sha256": batch.sha256}
    )
    importer.user_permissions.remove(Permission.objects.get(codename="delete_activityrecord"))
    response = importer_client.post(reverse("dashboard:import_rollback", args=[batch.pk]))
    assert response.status_code == 403
    assert ActivityRecord.objects.count() == 1


def test_the_template_downloads_with_this_installations_codes(importer_client):
    response = importer_client.get(reverse("dashboard:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    assert text.startswith(",".join(imports.COLUMNS) + "\r\nXT-01,grid_electricity,")
    assert "#   XT-01,Xingtai main plant" in text


def test_the_xlsx_template_lists_the_codes_and_imports_as_it_is(importer_client):
    from io import BytesIO

    from openpyxl import load_workbook

    response = importer_client.get(reverse("dashboard:import_template_xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == ('attachment; filename="kehui-import-template.xlsx"')
    workbook = load_workbook(BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Records", "Facilities", "Activity types"]
    records = list(workbook["Records"].iter_rows(values_only=True))
    assert list(records[0]) == imports.COLUMNS
    assert records[1][:2] == ("XT-01", "grid_electricity")
    facilities = list(workbook["Facilities"].iter_rows(values_only=True))
    assert facilities[1][:2] == ("XT-01", "Xingtai main plant")
    types = [row[0] for row in workbook["Activity types"].iter_rows(min_row=2, values_only=True)]
    assert "natural_gas_stationary" in types

    file = SimpleUploadedFile("template.xlsx", response.content)
    page = importer_client.post(URL, {"file": file}, follow=True).content.decode()
    assert "2 rows read: 2 valid" in page
    assert "problems: 0." in page


def test_the_templates_need_the_add_permission(client, viewer):
    client.force_login(viewer)
    for name in ("dashboard:import_template", "dashboard:import_template_xlsx"):
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name)).status_code in (403, 405)


def test_a_failed_commit_shows_its_problems_and_no_commit_button(importer_client, hebei_plant):
    upload(importer_client, HEADER + GOOD)
    batch = ImportBatch.objects.get()
    hebei_plant.code = "XT-09"
    hebei_plant.save()
    url = reverse("dashboard:import_commit", args=[batch.pk])
    page = importer_client.post(url, {"sha256": batch.sha256}, follow=True).content.decode()
    assert "No facility has the code &#x27;XT-01&#x27;." in page
    assert "Import 1 record" not in page
