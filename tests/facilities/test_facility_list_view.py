import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:facility_list")


@pytest.fixture
def facilities():
    return [
        Facility.objects.create(
            code="XT-01",
            name_en="Xingtai main plant",
            name_zh="邢台总厂",
            kind="factory",
            province="CN-HE",
            grid_region="CN-North",
            opened_on=dt.date(2008, 3, 18),
        ),
        Facility.objects.create(
            code="SH-OF",
            name_en="Shanghai sales office",
            kind="office",
            province="CN-SH",
            grid_region="CN-East",
            opened_on=dt.date(2019, 4, 1),
            closed_on=dt.date(2024, 6, 30),
            is_active=False,
        ),
    ]


def test_it_lists_facilities_with_their_regions_and_status(viewer_client, facilities):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 facilities, 1 active." in html
    assert (
        '<tr><th scope="row">XT-01</th><td>Xingtai main plant</td><td>Factory</td>'
        '<td>Hebei 河北</td><td>North China grid 华北</td><td>CN</td><td class="num">100.0 %</td>'
        '<td class="date">2008-03-18</td><td>Active</td><td class="date">—</td></tr>'
    ) in html
    assert '<td>Closed</td><td class="date">2024-06-30</td>' in cells_of(html, "SH-OF")


def test_it_shows_chinese_names_and_labels_in_chinese(viewer_client, facilities):
    response = viewer_client.get(URL, headers={"accept-language": "zh-hans"})
    html = response.content.decode()
    assert "邢台总厂" in html
    assert "共 2 个设施，1 个在用。" in html
    assert "华北电网" in html


def test_it_says_so_when_there_are_no_facilities(viewer_client):
    response = viewer_client.get(URL)
    assert "No facilities yet." in response.content.decode()


def test_the_add_link_is_absent_for_viewers(viewer_client):
    assert "Add the first facility" not in viewer_client.get(URL).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_post_is_not_allowed(viewer_client):
    assert viewer_client.post(URL).status_code == 405


def test_the_query_count_does_not_grow_with_facilities(
    viewer_client, facilities, django_assert_num_queries
):
    # session, user, user permissions, group permissions, facilities
    with django_assert_num_queries(5):
        viewer_client.get(URL)
    Facility.objects.create(
        code="XT-03", name_en="Third", kind="warehouse", opened_on=dt.date(2020, 1, 1)
    )
    with django_assert_num_queries(5):
        viewer_client.get(URL)


# Emissions: worked example. Hebei, grid electricity, no certificates, MEE–NBS series (AR5):
# 2023: 10,000 kWh × 0.6096 (national residual mix 2023) = 6,096 kg market-based → 6.1 t
#       (location-based 10,000 × 0.6516 = 6,516 kg → 6.5 t, not what the list shows);
# 2022: 10,000 kWh × 0.5856 (residual mix 2022) = 5,856 kg; change (6,096 − 5,856) / 5,856
#       = +4.098… % → +4.1 % (location-based it would be 6,516 vs 7,252: −10.1 %).


@pytest.fixture
def reader(django_user_model):
    """May read facilities and activity records: sees emissions on the list."""
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(
        Permission.objects.get(codename="view_facility"),
        Permission.objects.get(codename="view_activityrecord"),
    )
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


def whole_year(year: int) -> dict:
    return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}


def cells_of(html: str, code: str) -> str:
    """The table row of one facility, from its code to the end of the row."""
    start = html.index(f">{code}</")
    return html[start : html.index("</tr>", start)]


def test_it_shows_each_facilitys_latest_year_market_based_and_the_change_since_the_year_before(
    reader_client, facilities, make_record
):
    xingtai = facilities[0]
    make_record(xingtai, "grid_electricity", "10000", "kWh", **whole_year(2022))
    make_record(xingtai, "grid_electricity", "10000", "kWh", **whole_year(2023))
    html = reader_client.get(URL).content.decode()
    assert '<th scope="col" class="num">2023 (t CO2e)</th>' in html
    assert '<th scope="col" class="num">Change vs 2022 (%)</th>' in html
    row = cells_of(html, "XT-01")
    # Still open: no closing date; emissions and change are the row's last cells.
    assert row.endswith(
        '<td class="date">—</td><td class="num">6.1</td><td class="num">+4.1 %</td>'
    )
    # Shanghai has no records: no emissions and no change.
    assert cells_of(html, "SH-OF").count('<td class="num">—</td>') == 2
    # The count line is unchanged.
    assert "2 facilities, 1 active." in html


def test_a_fall_in_emissions_is_shown_with_a_minus_sign(reader_client, facilities, make_record):
    xingtai = facilities[0]
    # 11,712 kg in 2022, 6,096 kg in 2023: −47.95… %
    make_record(xingtai, "grid_electricity", "20000", "kWh", **whole_year(2022))
    make_record(xingtai, "grid_electricity", "10000", "kWh", **whole_year(2023))
    row = cells_of(reader_client.get(URL).content.decode(), "XT-01")
    assert '<td class="num">−48.0 %</td>' in row


def test_a_facility_without_records_last_year_has_no_change(reader_client, facilities, make_record):
    make_record(facilities[0], "grid_electricity", "10000", "kWh", **whole_year(2023))
    row = cells_of(reader_client.get(URL).content.decode(), "XT-01")
    assert '<td class="num">6.1</td>' in row
    assert row.count('<td class="num">—</td>') == 1


def test_each_code_links_to_its_facility_page(reader_client, facilities):
    html = reader_client.get(URL).content.decode()
    detail = reverse("dashboard:facility_detail", args=["XT-01"])
    assert f'<th scope="row"><a href="{detail}">XT-01</a></th>' in html


def test_without_permission_to_read_records_there_are_no_emissions_and_no_links(
    viewer_client, facilities, make_record
):
    make_record(facilities[0], "grid_electricity", "10000", "kWh", **whole_year(2023))
    html = viewer_client.get(URL).content.decode()
    assert "t CO2e" not in html
    assert "Change vs" not in html
    assert reverse("dashboard:facility_detail", args=["XT-01"]) not in html
    assert '<th scope="row">XT-01</th>' in html


def test_with_no_records_the_emissions_columns_are_absent(reader_client, facilities):
    html = reader_client.get(URL).content.decode()
    assert "t CO2e" not in html
    assert "2 facilities, 1 active." in html


@pytest.mark.parametrize("count", [2, 6])
def test_the_query_count_with_emissions_is_constant_in_facilities_and_records(
    reader_client, make_record, django_assert_num_queries, count
):
    for number in range(count):
        facility = Facility.objects.create(
            code=f"HE-{number:02}",
            name_en=f"Plant {number}",
            kind="factory",
            province="CN-HE",
            grid_region="CN-North",
            opened_on=dt.date(2010, 1, 1),
        )
        for year in (2022, 2023):
            for _record in range(number + 1):
                make_record(facility, "grid_electricity", "1000", "kWh", **whole_year(year))
    # session, user, user permissions, group permissions, facilities, years with records, the
    # inventory's facility-years: organisation, neutrality target (its boundary), kg per
    # facility-year-category, market-based Scope 2 (grid electricity, certificates, facility
    # regions, residual factors, GWPs)
    with django_assert_num_queries(14):
        reader_client.get(URL)
