"""One product's footprint report (/products/<code>/<year>/): the worked example's coil, its
boundary, allocation, precursors and data quality, in both languages, and its XLSX."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.html_tables import page_tables

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:product_report", args=["hrc", 2025])
XLSX = reverse("dashboard:product_report_xlsx", args=["hrc", 2025])


def test_the_report_of_the_coil(reader, coil_and_plate):
    response = reader.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "2,702.210" in html  # kg CO2e per tonne
    assert "Cradle to gate" in html
    assert "28.1 %" in html  # primary data share: (1,621,326 − 1,165,500) ÷ 1,621,326
    assert "1 record of 2025 at these facilities is still in review" in html
    tables = page_tables(html)
    summary = [[c.text for c in row] for row in tables["table-summary"].body]
    assert summary == [
        ["Direct (Scope 1)", "64.9", "108.110"],
        ["Indirect (electricity, heat)", "391.0", "651.600"],
        ["Precursors", "1,165.5", "1,942.500"],
    ]
    assert [c.text for c in tables["table-summary"].foot[0]] == ["Total", "1,621.3", "2,702.210"]
    allocation = tables["table-allocation"].body[0]
    assert [c.text for c in allocation][:8] == [
        "XT-01", "Hot rolling", "Physical: mass of output",
        "Both products leave the same mill by weight.", "600.000", "600,000.00", "kg", "60.0 %",
    ]  # fmt: skip


def test_the_products_page_links_each_product_to_its_report(reader, coil_and_plate):
    html = reader.get(reverse("dashboard:products"), {"year": 2025}).content.decode()

    first = page_tables(html)["table-footprints"].body[0][0]
    assert first == ("hrc", URL)


def test_the_report_is_in_chinese_for_chinese_readers(reader, coil_and_plate):
    html = reader.get(URL, headers={"accept-language": "zh-hans"}).content.decode()

    assert "产品碳足迹" in html
    assert "从摇篮到大门" in html


def test_the_xlsx_holds_the_report_s_tables_exactly(reader, coil_and_plate):
    response = reader.get(XLSX)

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:3] == ("Total", 1621.326, 2702.21)
    assert len(workbook.worksheets) == 3


def test_an_unknown_product_or_a_year_without_it_is_not_found(reader, coil_and_plate):
    assert reader.get(reverse("dashboard:product_report", args=["nope", 2025])).status_code == 404
    assert reader.get(reverse("dashboard:product_report", args=["hrc", 2019])).status_code == 404
    assert (
        reader.get(reverse("dashboard:product_report_xlsx", args=["hrc", 2019])).status_code == 404
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)

    assert client.get(URL).status_code == 403
    assert client.get(XLSX).status_code == 403


def test_post_is_not_allowed(reader):
    assert reader.post(URL).status_code == 405
    assert reader.post(XLSX).status_code == 405
