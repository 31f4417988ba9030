"""The energy page (/energy/): tce per facility and carrier, intensity, and its downloads.

The worked example is docs/methodology.md's: 1,000 kWh + 10 t diesel + 1,000 Nm³ natural gas
= 0.1229 + 14.571 + 1.33 = 16.0239 tce; 1,000 t produced and 5,000,000 CNY (500 万元) of revenue.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.dashboard.pages.energy import report_energy_tables, revenue_in_wan_yuan
from emissions.facilities.models import Facility, FacilityOutput
from tests.factories import metered
from tests.html_tables import page_tables

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:energy")


def export_url(table: str, fmt: str) -> str:
    return reverse("dashboard:energy_export", args=[table, fmt])


@pytest.fixture
def reader(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("reader", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    return client


@pytest.fixture
def worked_example(hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "1000", "kWh")
    make_record(hebei_plant, "diesel_stationary", "10", "t")
    make_record(hebei_plant, "natural_gas_stationary", "1000", "m**3")
    ActivityRecord.objects.update(status="approved")
    FacilityOutput.objects.create(
        facility=hebei_plant, year=2023, metric="production", value=Decimal(1000), unit="t"
    )
    FacilityOutput.objects.create(
        facility=hebei_plant, year=2023, metric="revenue", value=Decimal(5_000_000), unit="CNY"
    )
    return hebei_plant


@pytest.fixture
def second_plant(worked_example, make_record):
    """A second facility with 2 MWh of approved electricity and production in another unit."""
    plant = Facility.objects.create(
        code="XT-02", name_en="Xingtai foundry", kind="factory", opened_on=dt.date(2010, 1, 1)
    )
    record = make_record(plant, "grid_electricity", "2", "MWh")
    ActivityRecord.objects.filter(pk=record.pk).update(status="approved")
    FacilityOutput.objects.create(
        facility=plant, year=2023, metric="production", value=Decimal(50), unit="pieces"
    )
    return plant


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.all_rows]


def test_the_worked_example_by_carrier_in_tce(reader, worked_example):
    tables = page_tables(html_of(reader.get(URL)))

    assert texts(tables["table-carriers"]) == [
        ["Energy carrier", "Quantity", "Unit", "Coefficient (GB/T 2589-2020)",
         "Energy (tce)", "Share (%)"],
        ["Electricity (grid, calorific equivalent)", "1,000", "kWh", "0.1229 kgce/kWh",
         "0.123", "0.8 %"],
        ["Natural gas", "1,000", "m³", "1.3300 kgce/m³", "1.330", "8.3 %"],
        ["Diesel", "10", "t", "1.4571 kgce/kg", "14.571", "90.9 %"],
        ["Comprehensive energy consumption", "", "", "", "16.024", "100.0 %"],
    ]  # fmt: skip


def test_each_facility_lists_its_carriers_then_its_total(reader, second_plant):
    tables = page_tables(html_of(reader.get(URL)))

    assert texts(tables["table-energy"])[1:] == [
        ["XT-01", "Xingtai main plant", "Electricity (grid, calorific equivalent)", "1,000",
         "kWh", "0.1229 kgce/kWh", "0.123"],
        ["XT-01", "Xingtai main plant", "Natural gas", "1,000", "m³", "1.3300 kgce/m³", "1.330"],
        ["XT-01", "Xingtai main plant", "Diesel", "10", "t", "1.4571 kgce/kg", "14.571"],
        ["XT-01", "Xingtai main plant", "Facility total", "—", "—", "—", "16.024"],
        ["XT-02", "Xingtai foundry", "Electricity (grid, calorific equivalent)", "2,000", "kWh",
         "0.1229 kgce/kWh", "0.246"],
        ["XT-02", "Xingtai foundry", "Facility total", "—", "—", "—", "0.246"],
        # 16.0239 + 0.2458
        ["Total", "", "", "", "", "", "16.270"],
    ]  # fmt: skip


def test_intensity_per_unit_of_production_and_per_10000_cny(reader, worked_example):
    html = html_of(reader.get(URL))

    # 16.0239 tce ÷ 1,000 t = 0.0160239; ÷ 500 万元 = 0.0320478.
    assert texts(page_tables(html)["table-intensity"])[1:] == [
        ["XT-01", "Xingtai main plant", "16.024", "1,000", "t", "0.0160", "500.00", "0.0320"],
        ["Total", "", "16.024", "1,000", "t", "0.0160", "500.00", "0.0320"],
    ]
    assert "0.0160 <small>tce per t</small>" in html
    assert "0.0320 <small>tce per 10,000 CNY</small>" in html


def test_the_total_has_no_intensity_when_facilities_produce_in_different_units(
    reader, second_plant
):
    html = html_of(reader.get(URL))

    rows = texts(page_tables(html)["table-intensity"])
    assert rows[2] == ["XT-02", "Xingtai foundry", "0.246", "50", "pieces", "0.0049", "—", "—"]
    assert rows[3] == ["Total", "", "16.270", "", "", "", "", ""]
    assert "Needs every facility's production, in one unit" in html


def test_the_page_states_its_basis_and_the_electricity_coefficient(reader, worked_example):
    html = html_of(reader.get(URL))

    assert "approved data only, as the report counts it." in html
    assert "calorific equivalent (当量值): 0.1229 kgce per kWh" in html
    assert "Scope 3 activities (travel, freight, waste …) are other companies' energy" in html
    coefficients = texts(page_tables(html)["table-coefficients"])
    assert coefficients[1][:4] == [
        "Electricity (grid, calorific equivalent)", "kWh", "0.1229 kgce/kWh", "0.0001229"
    ]  # fmt: skip


def test_records_in_review_are_not_counted_and_said_so(reader, worked_example, make_record):
    make_record(worked_example, "diesel_stationary", "90", "t")

    html = html_of(reader.get(URL))

    assert "1 record of 2023 is still in review and not counted." in html
    assert texts(page_tables(html)["table-carriers"])[-1][4] == "16.024"


def test_the_facility_filter_shows_one_facility(reader, second_plant):
    html = html_of(reader.get(URL, {"facility": "XT-02", "year": "2023"}))

    assert "Xingtai foundry in 2023" in html
    assert texts(page_tables(html)["table-carriers"])[-1][4] == "0.246"


def test_the_page_is_in_chinese_for_chinese_readers(reader, worked_example):
    html = html_of(reader.get(URL, headers={"accept-language": "zh-hans"}))

    assert '<html lang="zh-hans"' in html
    assert "0.1229 kgce/kWh" in html


def test_a_fuel_without_a_coefficient_is_named_not_counted(reader, worked_example, make_record):
    ActivityType.objects.create(
        code="biogas_boiler", name="Biogas boiler", category="s1_stationary", method="factor",
        factor_group="natural_gas_stationary", default_unit="m**3",
    )  # fmt: skip
    make_record(worked_example, "biogas_boiler", "100", "m**3")
    ActivityRecord.objects.update(status="approved")

    html = html_of(reader.get(URL))

    assert (
        "Not counted: Biogas boiler at XT-01 (1 record): it has no GB/T 2589-2020 coefficient"
    ) in html
    assert texts(page_tables(html)["table-carriers"])[-1][4] == "16.024"


def test_a_year_without_energy_says_so(reader, worked_example, make_record):
    make_record(worked_example, "hotel_nights", "3", "night", **metered(2022))
    ActivityRecord.objects.update(status="approved")

    html = html_of(reader.get(URL, {"year": "2022"}))

    assert "No approved energy records (fuels, electricity, heat or steam) for 2022." in html
    assert 'id="table-carriers"' not in html


def test_an_empty_database_says_what_to_enter(reader):
    assert "No activity data yet" in html_of(reader.get(URL))


def test_a_bad_year_is_ignored_with_a_message(reader, worked_example):
    html = html_of(reader.get(URL, {"year": "1999"}))

    assert "Ignored Year “1999”" in html
    assert texts(page_tables(html)["table-carriers"])[-1][4] == "16.024"


def test_htmx_requests_get_only_the_page_body(reader, worked_example):
    html = html_of(reader.get(URL, headers={"hx-request": "true"}))

    assert html.lstrip().startswith('<div id="page-body">')


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider):
    client.force_login(outsider)

    assert client.get(URL).status_code == 403
    assert client.get(export_url("carriers", "csv")).status_code == 403


def test_post_is_not_allowed(reader):
    assert reader.post(URL).status_code == 405
    assert reader.post(export_url("carriers", "csv")).status_code == 405


def test_an_unknown_table_or_format_is_not_found(reader, worked_example):
    assert reader.get(export_url("nonsense", "csv")).status_code == 404
    assert reader.get(export_url("carriers", "pdf")).status_code == 404


def test_the_nav_links_to_the_page(reader, worked_example):
    assert f'href="{URL}"' in html_of(reader.get(reverse("dashboard:ledger")))


# session, user, its permissions (user, groups); years with records; the facility filter's
# choices; the energy rollup rows; their activity types; the facilities; their outputs; the
# records in review.
QUERIES = 11


def test_the_query_count_does_not_grow_with_facilities(
    reader, second_plant, make_record, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        reader.get(URL)
    for index in range(3):
        plant = Facility.objects.create(
            code=f"XT-1{index}", name_en="More", kind="factory", opened_on=dt.date(2010, 1, 1)
        )
        make_record(plant, "lpg_stationary", "100", "kg")
    ActivityRecord.objects.update(status="approved")
    with django_assert_num_queries(QUERIES):
        reader.get(URL)


def test_the_demo_converts_every_energy_record(reader, django_assert_num_queries):
    call_command("load_demo", stdout=io.StringIO())

    with django_assert_num_queries(QUERIES):
        html = html_of(reader.get(URL))

    assert "Not counted" not in html
    assert 'id="table-carriers"' in html and 'id="table-intensity"' in html


# The downloads write the page's tables, exact.


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_carriers_csv_holds_the_page_s_rows_exact(reader, worked_example):
    response = reader.get(export_url("carriers", "csv"), {"year": "2023"})

    assert "kehui-energy-carriers-2023.csv" in response["Content-Disposition"]
    assert read_csv(response) == [
        ["Energy carrier", "Quantity", "Unit", "Coefficient (GB/T 2589-2020)", "Energy (tce)",
         "Share (%)"],
        ["Electricity (grid, calorific equivalent)", "1000", "kWh", "0.1229 kgce/kWh", "0.1229",
         "0.8"],
        ["Natural gas", "1000", "m³", "1.3300 kgce/m³", "1.33", "8.3"],
        ["Diesel", "10", "t", "1.4571 kgce/kg", "14.571", "90.9"],
        ["Comprehensive energy consumption", "", "", "", "16.0239", "100"],
    ]  # fmt: skip


def test_every_table_s_download_has_the_page_s_rows(reader, second_plant):
    tables = page_tables(html_of(reader.get(URL)))
    for name in ["energy", "carriers", "intensity", "coefficients"]:
        shown = texts(tables[f"table-{name}"])
        csv_rows = read_csv(reader.get(export_url(name, "csv")))
        xlsx = load_workbook(io.BytesIO(reader.get(export_url(name, "xlsx")).content)).active
        xlsx_rows = [list(row) for row in xlsx.iter_rows(values_only=True)]
        assert csv_rows[0] == shown[0] == xlsx_rows[0], name
        assert len(csv_rows) == len(shown) == len(xlsx_rows), name
        assert [row[0] for row in csv_rows] == [row[0] for row in shown], name


def test_the_intensity_xlsx_holds_numbers_exact(reader, worked_example):
    response = reader.get(export_url("intensity", "xlsx"), {"year": "2023"})
    sheet = load_workbook(io.BytesIO(response.content)).active

    row = [cell.value for cell in list(sheet.iter_rows())[1]]
    assert row[:5] == ["XT-01", "Xingtai main plant", 16.0239, 1000, "t"]
    assert Decimal(str(row[5])) == Decimal("0.016024")  # 0.0160239 half-up to 6 places
    assert Decimal(str(row[6])) == Decimal("500")
    assert Decimal(str(row[7])) == Decimal("0.032048")


# For the report (the lead includes them in report.html).


def test_the_report_gets_the_by_carrier_and_intensity_tables(worked_example):
    tables = report_energy_tables(2023)

    assert set(tables) == {"energy-carriers", "energy-intensity"}
    assert tables["energy-carriers"].footer[4] == Decimal("16.0239")
    html = render_to_string("dashboard/_energy_report.html", {"tables": tables, "year": 2023})
    assert texts(page_tables(html)["table-energy-carriers"])[-1][4] == "16.024"
    assert texts(page_tables(html)["table-energy-intensity"])[-1][5] == "0.0160"
    assert "Comprehensive energy consumption (综合能耗) in 2023, approved data only" in html
    assert f'href="{URL}?year=2023"' in html


@pytest.mark.parametrize(
    ("value", "unit", "wan_yuan"),
    [
        ("5000000", "CNY", "500"),
        ("5000000", "元", "500"),
        ("5000000", " rmb ", "500"),
        ("500", "万元", "500"),
        ("5000000", "USD", None),
    ],
)
def test_revenue_is_read_in_10000_cny(value, unit, wan_yuan):
    expected = None if wan_yuan is None else Decimal(wan_yuan)
    assert revenue_in_wan_yuan(Decimal(value), unit) == expected
