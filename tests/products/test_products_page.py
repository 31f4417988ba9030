"""The Products page (/products/): footprints per product, the split, precursors, downloads."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.products.models import Precursor, Production
from tests.html_tables import page_tables

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:products")


def export_url(table: str, fmt: str) -> str:
    return reverse("dashboard:products_export", args=[table, fmt])


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.body]


def test_the_worked_example_is_shown_per_product(reader, coil_and_plate):
    html = html_of(reader.get(URL, {"year": 2025}))

    tables = page_tables(html)
    assert texts(tables["table-footprints"]) == [
        ["hrc", "Hot-rolled coil", "72083900", "tonne", "600.000", "64.9", "391.0", "1,165.5",
         "1,621.3", "2,702.210", "includes default values"],
        ["plate", "Heavy plate", "72085120", "tonne", "400.000", "43.2", "260.6", "0.0", "303.9",
         "759.710", "actual data"],
    ]  # fmt: skip
    split = tables["table-attribution"]
    assert texts(split) == [
        ["XT-01", "Hot rolling", "Physical: mass of output", "hrc", "600,000.00", "kg", "60.0 %",
         "64.9", "391.0"],
        ["XT-01", "Hot rolling", "Physical: mass of output", "plate", "400,000.00", "kg",
         "40.0 %", "43.2", "260.6"],
    ]  # fmt: skip
    # Each attributed figure opens the approved records behind it.
    assert split.body[0][7].href == ("/ledger/?year=2025&facility=XT-01&scope=1&review=approved")
    assert texts(tables["table-precursors"]) == [
        ["hrc", "Steel billets", "XT-01", "630.000", "1,850.000", "1,165.5",
         "Worked example: the billet mill's stated average", "default value"],
    ]  # fmt: skip
    assert 'data-chart="chart-products-breakdown"' in html


def test_the_download_keeps_the_exact_values(reader, coil_and_plate):
    response = reader.get(export_url("footprints", "csv"), {"year": 2025})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4:10] == ["600", "64.866", "390.96", "1165.5", "1621.326", "2702.21"]
    assert "kehui-products-footprints-2025" in response["Content-Disposition"]


def test_a_problem_is_shown_beside_the_figures_it_affects(reader, coil_and_plate):
    process, _coil, _plate = coil_and_plate
    process.allocation_basis = "machine_hours"
    process.save()
    Production.objects.update(machine_hours=None)

    html = html_of(reader.get(URL, {"year": 2025}))

    assert "the allocation key (Physical: machine hours) adds up to zero" in html
    # The coil still has its precursor; nothing of the plant is attributed.
    assert texts(page_tables(html)["table-attribution"]) == [["—"]]


def test_pending_records_are_left_out_as_the_page_says(reader, coil_and_plate):
    ActivityRecord.objects.filter(status="approved").update(status="submitted")

    html = html_of(reader.get(URL, {"year": 2025}))

    assert "approved records only" in html
    hrc = texts(page_tables(html)["table-footprints"])[0]
    assert hrc[5:7] == ["0.0", "0.0"]


def test_a_year_without_production_says_what_to_enter(reader, coil_and_plate):
    Production.objects.all().delete()
    Precursor.objects.all().delete()

    html = html_of(reader.get(URL, {"year": 2025}))

    assert "Enter products, each facility" in html


def test_the_page_is_in_chinese_for_chinese_readers(reader, coil_and_plate):
    html = html_of(reader.get(URL, {"year": 2025}, headers={"accept-language": "zh-hans"}))

    assert "产品碳足迹" in html


def test_a_bad_year_is_ignored_with_a_message(reader, coil_and_plate):
    html = html_of(reader.get(URL, {"year": "abc"}))

    assert "Ignored Year “abc”" in html


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)

    assert client.get(URL).status_code == 403
    assert client.get(export_url("footprints", "csv")).status_code == 403


def test_post_is_not_allowed(reader):
    assert reader.post(URL).status_code == 405
    assert reader.post(export_url("footprints", "csv")).status_code == 405


def test_an_unknown_table_or_format_is_not_found(reader, coil_and_plate):
    assert reader.get(export_url("nonsense", "csv")).status_code == 404
    assert reader.get(export_url("footprints", "pdf")).status_code == 404


def test_the_nav_links_to_the_page(reader, coil_and_plate):
    assert f'href="{URL}"' in html_of(reader.get(reverse("dashboard:ledger")))


# session, user, its permissions (user, groups); years with records; production years; the
# attribution (processes, production sums, their products, the organisation, market-based Scope
# 2's grid rows, certificates, facility regions, residual factors, GWPs, the target, the
# facility-year rollup, precursors and their organisation and GWPs). Each further year with
# production adds its own attribution for the trend, not a query per row.
QUERIES = 20


def test_the_query_count_does_not_grow_with_production(
    reader, coil_and_plate, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        reader.get(URL, {"year": 2025})
    process, coil, plate = coil_and_plate
    for month in range(1, 13):
        for product in (coil, plate):
            Production.objects.get_or_create(
                process=process, product=product, year=2025, month=month,
                defaults={"quantity": Decimal(10)},
            )  # fmt: skip
    with django_assert_num_queries(QUERIES):
        reader.get(URL, {"year": 2025})


def test_the_trend_has_each_production_year_once(reader, coil_and_plate):
    process, coil, _plate = coil_and_plate
    Production.objects.create(
        process=process, product=coil, year=2024, month=5, quantity=Decimal(7)
    )

    response = reader.get(URL, {"year": 2025})

    trend = response.context["page"].charts["trend"]
    assert trend["data"]["labels"] == ["2024", "2025"]
