"""Ledger exports above EXPORT_JOB_ROWS: written by a job, downloaded by their requester only."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from emissions.dashboard import exports
from emissions.facilities.models import Facility
from emissions.jobs.models import ExportFile, Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db

CSV_URL = reverse("dashboard:ledger_export", args=["csv"])
XLSX_URL = reverse("dashboard:ledger_export", args=["xlsx"])
LEDGER_URL = reverse("dashboard:ledger")


@pytest.fixture(autouse=True)
def job_threshold(settings):
    # Three records are "too many to stream" here; the tests that stream raise it again.
    settings.EXPORT_JOB_ROWS = 2
    settings.EXPORT_KEEP_HOURS = 24
    return settings


@pytest.fixture
def three_records(make_record, hebei_plant):
    return [make_record(hebei_plant, "grid_electricity", str(n), "MWh") for n in (10, 20, 30)]


@pytest.fixture
def office_record(make_record):
    office = Facility.objects.create(
        code="SH-OF", name_en="Shanghai sales office", name_zh="上海销售办公室", kind="office",
        province="CN-SH", grid_region="CN-East", opened_on=dt.date(2019, 4, 1),
    )  # fmt: skip
    return make_record(
        office, "refrigerant_r410a", "5", "kg", start=dt.date(2022, 8, 1), end=dt.date(2022, 8, 31)
    )


@pytest.fixture
def other_staff(django_user_model, staff_viewer):
    """Another person who may read the ledger (the same permissions), staff in the admin too."""
    user = django_user_model.objects.create_user(
        "other-staff", password="other-staff-pass-123", is_staff=True
    )
    user.user_permissions.set(staff_viewer.user_permissions.all())
    return user


def exported(client, url: str, params=None, **kwargs) -> Job:
    """Ask for an export that becomes a job; return the job (run at once by the test backend)."""
    before = set(Job.objects.values_list("pk", flat=True))
    response = client.get(url, params or {}, **kwargs)
    assert response.status_code == 302
    (job,) = Job.objects.exclude(pk__in=before)
    assert response["Location"] == reverse("dashboard:job", args=[job.pk])
    return job


def download_url(job: Job) -> str:
    return reverse("dashboard:export_download", args=[job.export_file.pk])


def streamed(client, url: str, settings, params=None, **kwargs) -> bytes:
    """The same export streamed by the request, as below the threshold."""
    settings.EXPORT_JOB_ROWS = 1_000_000
    response = client.get(url, params or {}, **kwargs)
    assert response.status_code == 200
    settings.EXPORT_JOB_ROWS = 2
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def make_export(user, *, expires_in: dt.timedelta, name: str = "kehui-ledger.csv") -> ExportFile:
    """An export a job wrote for `user`, expiring `expires_in` from now (negative: expired)."""
    from django.core.files.base import ContentFile

    job = Job.objects.create(
        function="emissions.dashboard.export_jobs.export_ledger",
        description="Ledger export (CSV)",
        kind=JobKind.EXPORT,
        status=JobStatus.SUCCEEDED,
        requested_by=user,
        params={"fmt": "csv", "query": "year=2023", "language": "en"},
    )
    export = ExportFile(
        job=job,
        requested_by=user,
        filename=name,
        content_type="text/csv; charset=utf-8",
        size=6,
        expires_at=timezone.now() + expires_in,
    )
    export.file.save(name, ContentFile(b"id\r\n1\r\n"), save=True)
    return export


# --- above the threshold: a job writes the file -----------------------------------------------


def test_a_csv_above_the_threshold_is_written_by_a_job_whose_page_links_to_the_file(
    staff_client, staff_viewer, three_records, media_root
):
    job = exported(staff_client, CSV_URL, {"year": "2023"})
    assert job.kind == JobKind.EXPORT
    assert job.status == JobStatus.SUCCEEDED
    assert job.records == 3
    assert (job.done, job.total) == (3, 3)
    assert job.requested_by == staff_viewer
    assert job.description == "Ledger export (CSV), 2+ records, filter year=2023"
    assert job.params["fmt"] == "csv"
    assert job.params["query"] == "year=2023"
    assert job.params["language"] == "en"
    export = job.export_file
    assert export.requested_by == staff_viewer
    assert export.filename == "kehui-ledger-2023.csv"
    assert export.content_type == "text/csv; charset=utf-8"
    # Stored under MEDIA_ROOT/exports/ with a random name, never the offered one.
    path = media_root / export.file.name
    assert export.file.name.startswith("exports/") and export.file.name.endswith(".csv")
    assert "kehui-ledger" not in export.file.name
    assert path.stat().st_size == export.size
    expected_expiry = export.created_at + dt.timedelta(hours=24)
    assert abs(export.expires_at - expected_expiry) < dt.timedelta(seconds=5)
    assert job.result_url == download_url(job)

    page = staff_client.get(reverse("dashboard:job", args=[job.pk])).content.decode()
    assert f'<a href="{download_url(job)}">See the result</a>' in page
    assert "Ledger export (CSV), 2+ records, filter year=2023" in page


def test_the_jobs_csv_has_exactly_the_bytes_of_the_streamed_export(
    staff_client, three_records, settings
):
    job = exported(staff_client, CSV_URL, {"year": "2023", "sort": "co2e_kg"})
    response = staff_client.get(download_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kehui-ledger-2023.csv"'
    body = b"".join(response.streaming_content)
    assert body == streamed(staff_client, CSV_URL, settings, {"year": "2023", "sort": "co2e_kg"})
    rows = csv_rows(body)
    assert [row[0] for row in rows[1:]] == [str(record.pk) for record in three_records]
    assert [row[8] for row in rows[1:]] == ["10.000000", "20.000000", "30.000000"]


def test_an_xlsx_above_the_threshold_is_written_by_a_job_with_the_same_cells(
    staff_client, three_records, settings
):
    job = exported(staff_client, XLSX_URL, {"year": "2023", "sort": "co2e_kg"})
    assert job.description == "Ledger export (XLSX), 2+ records, filter year=2023&sort=co2e_kg"
    response = staff_client.get(download_url(job))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="kehui-ledger-2023.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.title == "Ledger"
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][:3] == ("id", "facility code", "facility name")
    assert [row[0] for row in cells[1:]] == [record.pk for record in three_records]
    assert [row[1] for row in cells[1:]] == ["XT-01"] * 3
    assert [row[8] for row in cells[1:]] == [10, 20, 30]
    assert [row[23] for row in cells[1:]] == [6.516, 13.032, 19.548]  # t CO2e
    # Every cell as the streamed workbook has it (the bytes differ: a workbook is dated).
    body = streamed(staff_client, XLSX_URL, settings, {"year": "2023", "sort": "co2e_kg"})
    assert list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)) == cells


def test_the_jobs_file_has_only_the_filtered_records(
    staff_client, three_records, office_record, settings
):
    job = exported(staff_client, CSV_URL, {"facility": "XT-01"})
    assert job.description == "Ledger export (CSV), 2+ records, filter facility=XT-01"
    body = b"".join(staff_client.get(download_url(job)).streaming_content)
    rows = csv_rows(body)
    assert sorted(row[0] for row in rows[1:]) == sorted(str(r.pk) for r in three_records)
    assert str(office_record.pk) not in {row[0] for row in rows[1:]}
    assert body == streamed(staff_client, CSV_URL, settings, {"facility": "XT-01"})


def test_a_chinese_page_gets_a_job_file_with_chinese_headers_and_names(
    staff_client, make_record, office_record, settings
):
    for quantity in ("6", "7"):
        make_record(
            office_record.facility, "refrigerant_r410a", quantity, "kg",
            start=dt.date(2022, 9, 1), end=dt.date(2022, 9, 30),
        )  # fmt: skip
    job = exported(staff_client, CSV_URL, headers={"accept-language": "zh-hans"})
    assert job.params["language"] == "zh-hans"
    # Fetched later in English: the file keeps the language it was asked in.
    body = b"".join(staff_client.get(download_url(job)).streaming_content)
    rows = csv_rows(body)
    assert rows[0][:2] == ["ID", "设施代码"]
    assert {row[2] for row in rows[1:]} == {"上海销售办公室"}
    assert len(rows) == 1 + 3
    assert body == streamed(staff_client, CSV_URL, settings, headers={"accept-language": "zh-hans"})


def test_a_second_click_while_the_file_is_written_follows_the_first_job(
    staff_client, staff_viewer, three_records
):
    waiting = Job.objects.create(
        function="emissions.dashboard.export_jobs.export_ledger",
        description="Ledger export (CSV)",
        kind=JobKind.EXPORT,
        requested_by=staff_viewer,
        params={"fmt": "csv", "query": "year=2023", "language": "en"},
    )
    response = staff_client.get(CSV_URL, {"year": "2023"})
    assert response["Location"] == reverse("dashboard:job", args=[waiting.pk])
    assert Job.objects.count() == 1
    # Another filter is another file: a job of its own.
    exported(staff_client, CSV_URL, {"year": "2023", "sort": "co2e_kg"})


# --- below the threshold, and the XLSX cap: no job ---------------------------------------------


def test_at_the_threshold_the_export_streams_as_before_and_no_job_is_made(
    staff_client, three_records, settings
):
    settings.EXPORT_JOB_ROWS = 3
    response = staff_client.get(CSV_URL)
    assert response.status_code == 200
    assert len(csv_rows(b"".join(response.streaming_content))) == 1 + 3
    response = staff_client.get(XLSX_URL)
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.max_row == 4
    assert not Job.objects.exists()
    assert not ExportFile.objects.exists()


def test_an_xlsx_above_the_cap_is_refused_before_any_job(staff_client, three_records, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 2)
    response = staff_client.get(XLSX_URL, {"year": "2023"})
    assert response.status_code == 302
    assert response["Location"] == f"{LEDGER_URL}?year=2023"
    assert not Job.objects.exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "The XLSX export holds at most 2 records and this selection has more" in page


def test_the_ledger_says_large_selections_are_prepared_in_the_background(
    staff_client, three_records, settings
):
    settings.EXPORT_JOB_ROWS = 100_000
    page = staff_client.get(LEDGER_URL).content.decode()
    assert (
        "Above 100,000 records the file is prepared in the background: its progress is shown, "
        "then a link to download it within 24 hours."
    ) in page
    # No "download" attribute: the answer may be the job's page, which must open, not save.
    assert f'<a href="{CSV_URL}">CSV</a>' in page
    settings.EXPORT_KEEP_HOURS = 1
    page = staff_client.get(LEDGER_URL).content.decode()
    assert "then a link to download it within 1 hour." in page


# --- the download: who may fetch it, and for how long -------------------------------------------


def test_the_requester_downloads_in_a_pinned_number_of_queries(
    staff_client, staff_viewer, django_assert_num_queries
):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    url = reverse("dashboard:export_download", args=[export.pk])
    # session, user, user permissions, group permissions, the export with its job
    with django_assert_num_queries(5):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"id\r\n1\r\n"


def test_another_staff_member_gets_403_even_with_the_ledger_permission(
    client, other_staff, staff_viewer
):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    client.force_login(other_staff)
    response = client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 403
    assert "Content-Disposition" not in response


def test_a_user_without_the_ledger_permission_gets_403(viewer_client, viewer):
    export = make_export(viewer, expires_in=dt.timedelta(hours=1))
    response = viewer_client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 403


def test_a_superuser_may_download_anyones_export(admin_client, staff_viewer):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    response = admin_client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="kehui-ledger.csv"'
    assert b"".join(response.streaming_content) == b"id\r\n1\r\n"


def test_anonymous_visitors_are_sent_to_the_login_page(client, staff_viewer):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    response = client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_missing_export_is_404(staff_client, staff_viewer):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    url = reverse("dashboard:export_download", args=[export.pk + 1])
    assert staff_client.get(url).status_code == 404


def test_a_row_whose_file_is_lost_is_404(staff_client, staff_viewer, media_root):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    (media_root / export.file.name).unlink()
    response = staff_client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 404


def test_post_is_not_allowed(staff_client, staff_viewer):
    export = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    response = staff_client.post(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 405


def test_an_expired_export_is_410_gone_and_its_file_is_deleted(
    staff_client, staff_viewer, media_root
):
    export = make_export(staff_viewer, expires_in=-dt.timedelta(minutes=1))
    path = media_root / export.file.name
    assert path.exists()
    url = reverse("dashboard:export_download", args=[export.pk])
    response = staff_client.get(url)
    assert response.status_code == 410
    html = response.content.decode()
    assert "<h1>This export has expired</h1>" in html
    assert "“kehui-ledger.csv” was kept for download until" in html
    assert f'<a href="{LEDGER_URL}?year=2023">Open the ledger with this filter</a>' in html
    assert not path.exists()
    # Asked again: still gone, and said so.
    assert staff_client.get(url).status_code == 410


def test_an_expired_export_of_someone_else_is_still_403(client, other_staff, staff_viewer):
    export = make_export(staff_viewer, expires_in=-dt.timedelta(minutes=1))
    client.force_login(other_staff)
    response = client.get(reverse("dashboard:export_download", args=[export.pk]))
    assert response.status_code == 403


# --- purging ------------------------------------------------------------------------------------


def test_purge_exports_removes_the_expired_files_and_rows_and_keeps_the_fresh(
    staff_viewer, media_root
):
    expired = make_export(staff_viewer, expires_in=-dt.timedelta(seconds=1))
    fresh = make_export(staff_viewer, expires_in=dt.timedelta(hours=23))
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert out.getvalue() == "Purged 1 expired export file(s).\n"
    assert list(ExportFile.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not (media_root / expired.file.name).exists()
    assert (media_root / fresh.file.name).exists()
    # The job stays on the Jobs page; only its file went.
    assert Job.objects.filter(pk=expired.job_id).exists()


def test_a_new_export_job_purges_the_expired_exports_first(
    staff_client, staff_viewer, three_records, media_root
):
    expired = make_export(staff_viewer, expires_in=-dt.timedelta(seconds=1))
    fresh = make_export(staff_viewer, expires_in=dt.timedelta(hours=1))
    job = exported(staff_client, CSV_URL)
    assert job.description == "Ledger export (CSV), 2+ records, filter (none)"
    assert set(ExportFile.objects.values_list("pk", flat=True)) == {
        fresh.pk,
        job.export_file.pk,
    }
    assert not (media_root / expired.file.name).exists()
    assert (media_root / fresh.file.name).exists()


def test_an_export_job_of_an_unknown_format_fails_and_writes_nothing(
    staff_viewer, three_records, media_root
):
    from emissions.dashboard import export_jobs
    from emissions.jobs import services

    job = services.start(
        export_jobs.export_ledger,
        description="Ledger export (PDF)",
        kind=JobKind.EXPORT,
        requested_by=staff_viewer,
        fmt="pdf",
        query="",
        language="en",
        token="t",
    )
    assert job.status == JobStatus.FAILED
    assert "Unknown export format 'pdf'" in job.message
    assert not ExportFile.objects.exists()
    assert not (media_root / "exports").exists()


def test_a_failed_export_started_again_writes_its_file_for_whoever_restarted_it(
    staff_viewer, admin_user, three_records
):
    from emissions.jobs import services

    failed = Job.objects.create(
        function="emissions.dashboard.export_jobs.export_ledger",
        description="Ledger export (CSV)",
        kind=JobKind.EXPORT,
        status=JobStatus.FAILED,
        requested_by=staff_viewer,
        params={"fmt": "csv", "query": "year=2023", "language": "en", "token": "same"},
    )
    again = services.restart(failed, requested_by=admin_user)
    assert again.status == JobStatus.SUCCEEDED
    assert again.records == 3
    # The restarted job found its own row by the token it kept, not the failed one's.
    assert again.export_file.requested_by == admin_user
    assert again.result_url == download_url(again)
    assert not ExportFile.objects.filter(job=failed).exists()


def test_a_worker_writes_the_file_in_the_language_it_was_asked_in(
    staff_viewer, office_record, media_root
):
    from django.utils import translation

    from emissions.dashboard import export_jobs
    from emissions.jobs import services

    # A worker has no request: English is active, the job's parameter says Chinese.
    with translation.override("en"):
        job = services.start(
            export_jobs.export_ledger,
            description="Ledger export (CSV)",
            kind=JobKind.EXPORT,
            requested_by=staff_viewer,
            fmt="csv",
            query="",
            language="zh-hans",
            token="t",
        )
        assert translation.get_language() == "en"
    rows = csv_rows((media_root / job.export_file.file.name).read_bytes())
    assert rows[0][:2] == ["ID", "设施代码"]
    assert rows[1][2] == "上海销售办公室"
