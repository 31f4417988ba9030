"""A record's page: what was recorded, how it was calculated, and what changed it."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db

INVOICE = "State Grid invoice 2023-03 №0042"


@pytest.fixture
def electricity(make_record, hebei_plant):
    return make_record(hebei_plant, "grid_electricity", "10", "MWh", source_reference=INVOICE)


def url(record) -> str:
    return reverse("dashboard:record_detail", args=[record.pk])


def test_it_shows_what_was_recorded(staff_client, electricity):
    response = staff_client.get(url(electricity))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Activity record {electricity.pk}" in html
    assert "<td><code>XT-01</code> Xingtai main plant</td>" in html
    assert "Grid electricity <code>grid_electricity</code>" in html
    assert "Scope 2 — purchased energy" in html
    assert "2023-03-01 – 2023-03-31" in html
    assert '<td class="num">10 MWh</td>' in html
    assert "<td>Invoice</td>" in html
    assert "State Grid invoice 2023-03 №0042" in html


def test_it_traces_the_number_to_the_factor_its_dataset_and_source(staff_client, electricity):
    html = staff_client.get(url(electricity)).content.decode()
    assert "<code>grid_electricity_cn_he_2023</code>" in html
    assert "China provincial average electricity CO2 factor 2023 - Hebei 河北" in html
    assert "MEE-NBS Electricity CO2 Emission Factors 2023 (Announcement 2025 No.47) (2023)" in html
    assert "MEE and National Bureau of Statistics (China)" in html
    assert "Official government announcement" in html
    assert "《关于发布2023年电力二氧化碳排放因子的公告》" in html
    assert "Provincial value for Xingtai (Hebei) sites." in html
    assert "CN-HE — Province" in html
    assert "2023 — Same year" in html
    # 10 MWh is 10,000 kWh in the factor's unit; × 0.6516 kg/kWh = 6,516 kg CO2
    assert '<td class="num">10,000 kWh</td>' in html
    assert '<tr><th scope="row">CO2</th><td class="num">6,516.000000</td></tr>' in html
    assert "kg CO2e (IPCC AR5 (2014) GWP)" in html
    assert "<strong>6,516.000000</strong>" in html
    assert '<td class="num">6.516</td>' in html
    assert "Calculated at " in html


def test_a_lagged_factor_is_said_so_in_words(staff_client, make_record, hebei_plant):
    diesel = make_record(hebei_plant, "diesel_stationary", "2", "t", source_reference=INVOICE)
    html = staff_client.get(url(diesel)).content.decode()
    assert "GLOBAL — Global default" in html
    assert "2006 — Lagged: latest earlier year" in html
    assert '<span class="badge badge-muted">lagged</span>' in html


def test_a_refrigerant_leak_names_its_gas_instead_of_a_factor(
    staff_client, make_record, hebei_plant
):
    leak = make_record(hebei_plant, "refrigerant_r410a", "5", "kg", source_reference=INVOICE)
    html = staff_client.get(url(leak)).content.decode()
    assert "Gas released" in html
    assert '<tr><th scope="row">R-410A</th><td class="num">5.000000</td></tr>' in html
    assert "<strong>9,617.500000</strong>" in html


def test_the_history_says_who_changed_it_when_and_why(
    staff_client, staff_viewer, electricity
):
    electricity.notes = "Corrected meter reading"
    electricity._history_user = staff_viewer
    electricity._change_reason = "Invoice re-issued"
    electricity.save()
    factor = EmissionFactor.objects.get(key="grid_electricity_cn_he_2023")
    factor.co2_kg = Decimal("0.7")
    factor.save()

    html = staff_client.get(url(electricity)).content.decode()
    assert "<td>staff-viewer</td>" in html
    assert "<td>Invoice re-issued</td>" in html
    assert "<td>Factor grid_electricity_cn_he_2023 changed</td>" in html
    assert "<td>Created</td>" in html
    assert "<td>Changed</td>" in html
    # The newest first, each with what it came to.
    assert html.index("7,000.000000") < html.index("<td>Invoice re-issued</td>")


def test_the_history_shows_the_latest_20_changes(staff_client, electricity):
    for number in range(1, 25):
        electricity._change_reason = f"Edit number {number}"
        electricity.save()
    html = staff_client.get(url(electricity)).content.decode()
    assert html.count("<td>Changed</td>") == 20
    assert "Edit number 24" in html
    assert "Edit number 5</td>" in html
    assert "Edit number 4</td>" not in html


def test_the_admin_link_shows_only_for_users_who_may_change_records(
    client, staff_viewer, electricity
):
    client.force_login(staff_viewer)
    change_url = reverse("admin:activities_activityrecord_change", args=[electricity.pk])
    assert change_url not in client.get(url(electricity)).content.decode()

    staff_viewer.user_permissions.add(Permission.objects.get(codename="change_activityrecord"))
    html = client.get(url(electricity)).content.decode()
    assert f'<a href="{change_url}">Edit in the admin</a>' in html


def test_it_links_back_to_the_ledger_of_its_facility_and_year(staff_client, electricity):
    html = staff_client.get(url(electricity)).content.decode()
    assert '<a href="/ledger/?year=2023&amp;facility=XT-01">' in html


def test_the_query_count_does_not_grow_with_history(
    staff_client, electricity, django_assert_num_queries
):
    # session, user, user permissions, group permissions, the record (with facility, type,
    # factor and dataset, gas), its history (with users and factors), its evidence files
    # (with their uploaders), the lock of its reporting year
    with django_assert_num_queries(8):
        staff_client.get(url(electricity))
    for _ in range(5):
        electricity.save()
    with django_assert_num_queries(8):
        staff_client.get(url(electricity))


def test_a_missing_record_is_404(staff_client):
    assert staff_client.get("/ledger/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, electricity):
    response = client.get(url(electricity))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url(electricity)}"


def test_a_user_without_the_record_permission_gets_403(viewer_client, electricity):
    assert viewer_client.get(url(electricity)).status_code == 403


def test_post_is_not_allowed(staff_client, electricity):
    assert staff_client.post(url(electricity)).status_code == 405
