"""The interval import page: upload a CSV of meter readings, see what it stored."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.activities import intervals
from emissions.activities.models import IntervalUpload, MeterDay

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:interval_import")
HEADER = "facility,meter,start,kwh\n"
# Two quarter hours of 2025-03-01 and one hourly meter's reading of 2025-04-02.
GOOD = (
    "XT-01,M1,2025-03-01 00:00,1.250\n"
    "XT-01,M1,2025-03-01 00:15,2.5\n"
    "XT-01,M2,2025-04-02 13:00,100\n"
)


@pytest.fixture
def importer(django_user_model):
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["add_activityrecord", "view_activityrecord"],
        )
    )
    return user


@pytest.fixture
def importer_client(client, importer, organisation, hebei_plant):
    client.force_login(importer)
    return client


def upload(client, text: str, name="meters.csv", replace=False, follow=False):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    data = {"file": file} | ({"replace": "on"} if replace else {})
    return client.post(URL, data, follow=follow)


def test_the_page_shows_the_form_the_columns_and_the_limit(importer_client):
    response = importer_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f"Files up to {intervals.MAX_UPLOAD_LABEL} (a year of 50 meters" in page
    assert "<code>开始时间</code>" in page
    assert "Replace days already stored" in page


def test_the_activity_import_page_links_to_it(importer_client):
    response = importer_client.get(reverse("dashboard:import"))
    assert f'href="{URL}"' in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (URL, reverse("dashboard:interval_upload", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_add_permission_gets_403(client, viewer, organisation):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert client.get(reverse("dashboard:interval_upload", args=[1])).status_code == 403


def test_other_methods_are_refused(importer_client):
    assert importer_client.put(URL).status_code == 405
    assert importer_client.delete(URL).status_code == 405
    assert importer_client.post(reverse("dashboard:interval_upload", args=[1])).status_code == 405


def test_a_missing_upload_is_404(importer_client):
    assert importer_client.get(reverse("dashboard:interval_upload", args=[999])).status_code == 404


def test_a_good_file_is_stored_and_its_summary_shown(importer_client, importer):
    response = upload(importer_client, HEADER + GOOD)

    stored = IntervalUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:interval_upload", args=[stored.pk])
    assert (stored.user, stored.row_count, stored.meter_count, stored.day_count) == (
        importer,
        3,
        2,
        2,
    )
    assert MeterDay.objects.count() == 2
    page = importer_client.get(response["Location"]).content.decode()
    assert "Stored: 3 rows, 2 meters, 2 meter-days." in page
    # Both days have intervals missing: 2 of 96 quarter hours, 1 of 24 hours.
    assert "2 meter-days have intervals missing" in page
    # March: 1.250 + 2.5 = 3.750 kWh; April: 100 kWh; the facility: 103.750 kWh.
    assert '<td class="date">2025-03</td><td class="num">3.750</td>' in page
    assert '<td class="date">2025-04</td><td class="num">100.000</td>' in page
    assert "2 meters, 2 meter-days (2 incomplete)" in page
    assert '<td class="num">103.750</td>' in page


def test_bad_rows_are_listed_and_nothing_is_stored(importer_client):
    bad = "XX-99,M1,2025-03-01 00:00,1\nXT-01,M1,2025-03-01 00:10,-2\n"
    response = upload(importer_client, HEADER + GOOD + bad)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was stored" in page
    assert "5 rows read; 3 problems. Correct the file and upload it again." in page
    assert "No facility has the code &#x27;XX-99&#x27;." in page
    assert "&#x27;2025-03-01 00:10&#x27; is not on the quarter-hour grid" in page
    assert "The kWh cannot be negative." in page
    assert not MeterDay.objects.exists()
    assert not IntervalUpload.objects.exists()


def test_a_stored_day_is_refused_then_replaced_when_asked(importer_client):
    assert upload(importer_client, HEADER + GOOD).status_code == 302
    again = HEADER + "XT-01,M2,2025-04-02 13:00,150\n"

    response = upload(importer_client, again)
    assert response.status_code == 400
    assert "already has readings stored for 2025-04-02" in response.content.decode()

    response = upload(importer_client, again, replace=True, follow=True)
    assert "1 stored meter-day was replaced (its readings are kept in the history)." in (
        response.content.decode()
    )
    assert MeterDay.objects.get(meter="M2").h13 == 150


def test_a_file_that_is_not_csv_is_refused(importer_client):
    response = upload(importer_client, HEADER + GOOD, name="meters.xlsx")
    assert response.status_code == 400
    assert "Upload a .csv file." in response.content.decode()


def test_a_file_over_the_limit_is_refused(importer_client, monkeypatch):
    monkeypatch.setattr(intervals, "MAX_UPLOAD_BYTES", 100)
    response = upload(importer_client, HEADER + GOOD * 5)
    assert response.status_code == 400
    assert (
        f"The file is larger than {intervals.MAX_UPLOAD_LABEL}. Split it into smaller files."
        in response.content.decode()
    )
    assert not IntervalUpload.objects.exists()


def test_a_post_without_a_file_shows_the_form_error(importer_client):
    response = importer_client.post(URL)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_the_page_and_the_summary_take_a_fixed_number_of_queries(
    importer_client, django_assert_num_queries
):
    for n in range(3):
        assert upload(importer_client, HEADER + GOOD.replace("M1", f"Q{n}").replace("M2", f"H{n}"))
    stored = IntervalUpload.objects.first()
    # Session, user, the user's permissions (two), recent uploads with their users.
    with django_assert_num_queries(5):
        assert importer_client.get(URL).status_code == 200
    # Session, user, permissions (two), the upload with its user.
    with django_assert_num_queries(5):
        response = importer_client.get(reverse("dashboard:interval_upload", args=[stored.pk]))
    assert response.status_code == 200


def test_a_year_of_three_meters_goes_through_a_temporary_file(importer_client, settings):
    # 3 × 35,040 quarter hours of 2025, about 3.4 MB: past the in-memory upload handler's
    # 2.5 MB, so the file is streamed from the temporary file Django wrote.
    import datetime as dt

    first = dt.datetime(2025, 1, 1)
    starts = [f"{first + dt.timedelta(minutes=15 * q):%Y-%m-%d %H:%M}" for q in range(35_040)]
    text = HEADER + "".join(f"XT-01,M{m},{start},0.5\n" for m in range(3) for start in starts)
    assert len(text) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    response = upload(importer_client, text, follow=True)

    assert response.status_code == 200
    stored = IntervalUpload.objects.get()
    assert (stored.row_count, stored.day_count, stored.incomplete_day_count) == (105_120, 1095, 0)
    # March: 31 days × 96 quarter hours × 0.5 kWh × 3 meters = 4,464 kWh.
    march = MeterDay.objects.filter(day__month=3)
    assert sum(sum(getattr(d, f"h{h:02d}") for h in range(24)) for d in march) == 4464
