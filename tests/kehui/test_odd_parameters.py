"""The 500s issue 15 found, each asked for directly: bad query values, NUL bytes, huge pages.

test_fuzz_params.py walks every route with odd values; these name the cases one by one.
"""

import pytest

from tests.kehui import security_objects


@pytest.mark.parametrize(
    "url",
    [
        "/facilities/SEC-01/?page=1",
        "/facilities/SEC-01/?year=",
        "/facilities/SEC-01/export/years.csv?page=1",
    ],
)
def test_the_facility_page_takes_a_query_without_a_year(root_client, objects, url):
    response = root_client.get(url)
    assert response.status_code == 200
    if "export" not in url:
        # Without a year the page shows the facility's latest year.
        assert response.context["page"].year == security_objects.YEAR


@pytest.mark.django_db
def test_the_facility_page_uses_the_year_asked_for(root_client, objects):
    response = root_client.get(f"/facilities/SEC-01/?year={security_objects.YEAR}&page=1")
    assert response.context["page"].year == security_objects.YEAR


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9223372036854775807", "9" * 30, "3"])
def test_a_ledger_page_past_the_end_shows_the_last_page(root_client, objects, page):
    response = root_client.get("/ledger/", {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert len(response.context["page"].rows) == 2
    assert f"Page {page} is past the end: showing the last page, 1." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("/facilities/%00/", "The address contains a NUL character."),
        ("/admin/facilities/facility/%00/change/", "The address contains a NUL character."),
        ("/?year=%00", "The query string contains a NUL character."),
        ("/ledger/?facility=SEC%00", "The query string contains a NUL character."),
        (
            "/admin/autocomplete/?app_label=offsets&model_name=creditbatch"
            "&field_name=project&term=%00",
            "The query string contains a NUL character.",
        ),
        ("/admin/facilities/facility/?q=%00", "The query string contains a NUL character."),
        ("/ledger/?q=%ff", "The query string is not valid UTF-8 text."),
        ("/ledger/?q=%e4%b8", "The query string is not valid UTF-8 text."),
        ("/admin/facilities/facility/1/change/?_to_field=", "The _to_field parameter is empty."),
        (
            "/admin/facilities/facility/export/?year=2024",
            "This list cannot be filtered by the parameters given.",
        ),
    ],
)
def test_a_nul_byte_or_non_utf8_bytes_get_a_400_naming_the_problem(root_client, url, problem):
    response = root_client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The request could not be understood" in html  # the site's 400 page
    assert problem in html


@pytest.mark.django_db
def test_non_utf8_bytes_in_the_address_name_nothing(root_client, objects):
    # Django re-escapes them: the view looks up the text "%FF", which is not found.
    assert root_client.get("/facilities/%ff/").status_code == 404


def test_an_anonymous_request_with_a_nul_byte_gets_the_400_too(client):
    response = client.get("/?year=%00")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/ledger/?q=%E4%B8%AD%E6%96%87",  # 中文, percent-encoded
        "/ledger/?q=中文",
        "/ledger/?q=a+b%20c",
        "/ledger/?q=%2500",  # the text "%00", not a NUL
    ],
)
def test_utf8_text_in_the_query_string_is_accepted(root_client, objects, url):
    assert root_client.get(url).status_code == 200
