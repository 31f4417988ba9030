"""The generation-profile page: upload a green-power contract's hourly generation as CSV."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.offsets import services
from emissions.offsets.models import ContractGenerationDay, Technology
from tests.factories import GEC_PROJECT

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:generation_import")
REFERENCE = "BJPX-2025-GP-0007"
HEADER = "contract,start,kwh\n"
DAY = "".join(f"{REFERENCE},2025-06-01 {hour:02d}:00,1.5\n" for hour in range(24))


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
    services.add_green_power_contract(
        reference=REFERENCE,
        seller="Xingtai solar park",
        trading_centre="Beijing Power Exchange Center",
        technology=Technology.SOLAR,
        facility=hebei_plant,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        gec_project_code=GEC_PROJECT,
    )
    client.force_login(importer)
    return client


def upload(client, text: str, name="generation.csv", follow=False):
    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(URL, {"file": file}, follow=follow)


def test_the_page_shows_the_form_and_the_columns(importer_client, django_assert_num_queries):
    # The session, its user, the user's and the groups' permissions; nothing else is read.
    with django_assert_num_queries(4):
        response = importer_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "<code>合同编号</code>" in page
    assert "Replace days already stored" in page
    assert "A month without every day stored uses the technology's standard shape." in page


def test_the_interval_page_links_to_it(importer_client):
    response = importer_client.get(reverse("dashboard:interval_import"))
    assert f'href="{URL}"' in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_add_permission_gets_403(client, viewer, organisation):
    client.force_login(viewer)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert not ContractGenerationDay.objects.exists()


def test_other_methods_are_refused(importer_client):
    assert importer_client.put(URL).status_code == 405
    assert importer_client.delete(URL).status_code == 405


def test_a_good_file_is_stored_and_the_page_says_so(importer_client):
    response = upload(importer_client, HEADER + DAY)

    assert response.status_code == 302
    assert response["Location"] == URL
    day = ContractGenerationDay.objects.get()
    assert (day.contract.reference, day.day, day.h00, day.h23) == (
        REFERENCE,
        dt.date(2025, 6, 1),
        1.5,
        1.5,
    )
    page = importer_client.get(URL).content.decode()
    assert "Stored 1 contract-day of generation (0 replaced)." in page


def test_bad_rows_are_listed_and_nothing_is_stored(importer_client):
    bad = "BJPX-NONE,2025-06-02 00:00,1\n"
    response = upload(importer_client, HEADER + DAY + bad)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was stored" in page
    assert "25 rows read; 1 problem. Correct the file and upload it again." in page
    assert "No green-power contract has the reference &#x27;BJPX-NONE&#x27;." in page
    assert not ContractGenerationDay.objects.exists()


def test_a_file_that_is_not_csv_is_a_form_error(importer_client):
    response = upload(importer_client, HEADER + DAY, name="generation.xlsx")
    assert response.status_code == 400
    assert "Upload a .csv file." in response.content.decode()
    assert not ContractGenerationDay.objects.exists()
