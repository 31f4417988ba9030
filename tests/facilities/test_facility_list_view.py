import datetime as dt

import pytest
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
    assert "<code>XT-01</code>" in html
    assert "Xingtai main plant" in html
    assert "Hebei 河北" in html
    assert "North China grid 华北" in html
    assert "Closed 2024-06-30" in html


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


def test_home_sends_staff_to_the_facilities_page(viewer_client):
    response = viewer_client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response.url == URL


def test_an_unknown_page_is_404(viewer_client):
    assert viewer_client.get("/facilities/nope/").status_code == 404
