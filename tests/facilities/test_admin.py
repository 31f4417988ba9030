import datetime as dt

import pytest
from django.urls import reverse

from emissions.facilities.models import Facility, Organisation

pytestmark = pytest.mark.django_db

VALID_POST = {
    "code": "XT-09",
    "name_en": "New plant",
    "name_zh": "新厂",
    "kind": "factory",
    "is_active": "on",
    "address": "",
    "country": "CN",
    "province": "CN-HE",
    "grid_region": "CN-North",
    "ownership_share": "100",
    "opened_on": "2024-01-01",
    "closed_on": "",
}


@pytest.fixture
def admin_user_client(admin_client):
    Facility.objects.create(
        code="XT-01", name_en="Xingtai main plant", kind="factory", opened_on=dt.date(2010, 1, 1)
    )
    return admin_client


def test_the_facility_changelist_searches_and_filters(admin_user_client):
    url = reverse("admin:facilities_facility_changelist")
    response = admin_user_client.get(url, {"q": "Xingtai", "is_active__exact": "1"})
    assert response.status_code == 200
    assert b"XT-01" in response.content


def test_the_admin_adds_a_facility(admin_user_client):
    response = admin_user_client.post(reverse("admin:facilities_facility_add"), VALID_POST)
    assert response.status_code == 302
    assert Facility.objects.get(code="XT-09").name_zh == "新厂"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "XT-01", "Facility with this Code already exists."),
        ("ownership_share", "120", "Ensure this value is less than or equal to 100."),
        ("closed_on", "2023-12-31", "A facility must close after the day it opened."),
        ("country", "cn", "Enter a two-letter ISO 3166-1 country code in capitals, e.g. CN."),
        ("opened_on", "not-a-date", "Enter a valid date."),
    ],
)
def test_the_admin_names_each_bad_field_and_writes_nothing(
    admin_user_client, field, value, message
):
    response = admin_user_client.post(
        reverse("admin:facilities_facility_add"), {**VALID_POST, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Facility.objects.filter(code="XT-09").exists()


def test_the_organisation_profile_cannot_be_added_twice_or_deleted(admin_client):
    Organisation(name_en="Kehui", base_year=2019).save()
    assert admin_client.get(reverse("admin:facilities_organisation_add")).status_code == 403
    delete_url = reverse("admin:facilities_organisation_delete", args=[1])
    assert admin_client.get(delete_url).status_code == 403


def test_a_facility_change_is_kept_in_its_history(admin_user_client):
    facility = Facility.objects.get(code="XT-01")
    url = reverse("admin:facilities_facility_change", args=[facility.pk])
    post = {**VALID_POST, "code": "XT-01", "name_en": "Renamed plant", "opened_on": "2010-01-01"}
    assert admin_user_client.post(url, post).status_code == 302
    history_url = reverse("admin:facilities_facility_history", args=[facility.pk])
    html = admin_user_client.get(history_url).content.decode()
    assert "XT-01 Renamed plant" in html
    assert facility.history.count() == 2
    assert facility.history.first().history_user.username == "admin"


def test_a_view_only_user_cannot_rewrite_a_facility_through_its_history(
    admin_user_client, client, django_user_model
):
    from django.contrib.auth.models import Permission

    facility = Facility.objects.get(code="XT-01")
    reader = django_user_model.objects.create_user("reader", password="x", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_facility"))
    client.force_login(reader)
    version = facility.history.earliest()
    url = reverse(
        "admin:facilities_facility_simple_history", args=[facility.pk, version.history_id]
    )
    response = client.post(url, {**VALID_POST, "code": "XT-01", "name_en": "Hijacked"})
    assert response.status_code == 403
    facility.refresh_from_db()
    assert facility.name_en == "Xingtai main plant"


def test_an_administrator_can_revert_a_facility_to_an_earlier_version(admin_user_client):
    facility = Facility.objects.get(code="XT-01")
    version = facility.history.earliest()
    url = reverse(
        "admin:facilities_facility_simple_history", args=[facility.pk, version.history_id]
    )
    post = {**VALID_POST, "code": "XT-01", "name_en": "Reverted", "opened_on": "2010-01-01"}
    assert admin_user_client.post(url, post).status_code == 302
    facility.refresh_from_db()
    assert facility.name_en == "Reverted"
