"""The overview's six tables: the page shows the Table each CSV/XLSX download writes.

Worked example (as in test_table_exports.py; AR5, no target unless a test adds one):
XT-01 uses 10 MWh of grid electricity in 2022 and 2023 and 10 hotel nights in 2023;
SH-OF leaks 5 kg of R410A in August 2023 (9,617.5 kg, Scope 1).
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from emissions.facilities.models import Facility
from emissions.neutrality.models import Target
from tests.factories import metered
from tests.html_tables import page_table, texts

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:home")
LEDGER = reverse("dashboard:ledger")
TABLES = ["road", "scopes", "facilities", "months", "scope3", "electricity"]




@pytest.fixture
def inventory(make_record, hebei_plant):
    office = Facility.objects.create(
        code="SH-OF",
        name_en="Shanghai sales office",
        kind="office",
        province="CN-SH",
        grid_region="CN-East",
        opened_on=dt.date(2019, 4, 1),
    )
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2022))
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2023))
    make_record(hebei_plant, "hotel_nights", "10", "night", **metered(2023))
    make_record(office, "refrigerant_r410a", "5", "kg", **metered(2023, 8))
    return hebei_plant


def download(client, name: str, params: dict) -> list[list[str]]:
    response = client.get(reverse("dashboard:overview_export", args=[name, "csv"]), params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"year": "2023"}, TABLES),
        ({"year": "2022"}, [name for name in TABLES if name != "scope3"]),
        # For one facility the page has no table by facility (nor a download).
        ({"year": "2023", "facility": "XT-01"}, [n for n in TABLES if n != "facilities"]),
    ],
)
def test_each_table_has_the_download_s_header_and_rows(staff_client, inventory, params, names):
    html = staff_client.get(URL, params).content.decode()
    for name in names:
        table = page_table(html, name)
        header, *rows = download(staff_client, name, params)
        assert table.header == header, name
        assert len(table.body) + len(table.foot) == len(rows), name
        # The same rows in the same order: each starts with the download's first cell.
        assert [row[0][0] for row in table.body] == [row[0] for row in rows], name


def test_no_scope_3_table_is_shown_in_a_year_without_scope_3(staff_client, inventory):
    html = staff_client.get(URL, {"year": "2022"}).content.decode()
    assert 'id="table-scope3"' not in html
    assert "No Scope 3 records this year." in html


def test_the_road_table_rounds_the_balance_and_links_each_scope_to_its_records(
    staff_client, inventory
):
    table = page_table(staff_client.get(URL, {"year": "2023"}).content.decode(), "road")
    assert table.header == [
        "Year", "Scope 1 (t CO2e)", "Scope 2 market-based (t CO2e)", "Scope 3 (t CO2e)",
        "Gross (t CO2e)", "Credits retired (t CO2e)", "Net (t CO2e)", "Pathway (t CO2e)",
    ]  # fmt: skip
    # 2023: 9,617.5 kg R410A; 10,000 kWh × 0.6096 residual = 6,096 kg; 535 kg hotel nights;
    # gross 16,248.5 kg; no credits, so net = gross; no target, no pathway.
    assert texts(table.body)[1] == ["2023", "9.6", "6.1", "0.5", "16.2", "0.0", "16.2", "—"]
    assert [href for _text, href in table.body[1][1:4]] == [
        f"{LEDGER}?year=2023&scope=1",
        f"{LEDGER}?year=2023&scope=2",
        f"{LEDGER}?year=2023&scope=3",
    ]
    # Gross and what follows are the balance's own figures, with no list of records behind.
    assert all(href == "" for _text, href in table.body[1][4:])


def test_for_one_facility_the_road_links_keep_the_facility(staff_client, inventory):
    html = staff_client.get(URL, {"year": "2023", "facility": "XT-01"}).content.decode()
    table = page_table(html, "road")
    assert texts(table.body) == [
        ["2022", "0.0", "5.9", "0.0", "5.9"],
        ["2023", "0.0", "6.1", "0.5", "6.6"],
    ]
    assert table.body[0][2] == ("5.9", f"{LEDGER}?year=2022&scope=2&facility=XT-01")
    # The attribute as written in the page: the ampersands escaped.
    assert f'<a href="{LEDGER}?year=2022&amp;scope=2&amp;facility=XT-01">5.9</a>' in html


def test_each_facility_links_to_its_records_of_the_year(staff_client, inventory):
    table = page_table(staff_client.get(URL, {"year": "2023"}).content.decode(), "facilities")
    assert table.header == ["Facility code", "Facility", "2023 (t CO2e)"]
    assert texts(table.body) == [
        ["SH-OF", "Shanghai sales office", "9.6"],
        ["XT-01", "Xingtai main plant", "6.6"],
    ]
    # The name links to the year's records of that facility; the code and the figure do not.
    assert [[href for _text, href in row] for row in table.body] == [
        ["", f"{LEDGER}?year=2023&facility=SH-OF", ""],
        ["", f"{LEDGER}?year=2023&facility=XT-01", ""],
    ]


def test_the_scope_month_and_electricity_tables_round_what_the_downloads_hold(
    staff_client, inventory
):
    html = staff_client.get(URL, {"year": "2023"}).content.decode()
    scopes = page_table(html, "scopes")
    assert scopes.header == ["Scope", "2023 (t CO2e)"]
    # Location-based Scope 2: 10,000 kWh × 0.6516 (CN-HE 2023) = 6,516 kg.
    assert texts(scopes.body) == [
        ["Scope 1", "9.6"],
        ["Scope 2 location-based", "6.5"],
        ["Scope 2 market-based", "6.1"],
        ["Scope 3", "0.5"],
    ]
    months = page_table(html, "months")
    assert months.header == [
        "Month",
        "2022 (t CO2e, all scopes, Scope 2 location-based)",
        "2023 (t CO2e, all scopes, Scope 2 location-based)",
    ]
    # March: 7,252 kg in 2022; 6,516 + 535 = 7,051 kg in 2023. August: the R410A leak.
    assert texts(months.body)[2] == ["3", "7.3", "7.1"]
    assert texts(months.body)[7] == ["8", "0.0", "9.6"]
    electricity = page_table(html, "electricity")
    assert electricity.header == [
        "Year", "Grid (MWh)", "Certificates (MWh)", "On-site renewables (MWh)",
    ]  # fmt: skip
    assert texts(electricity.body) == [
        ["2022", "10.0", "0.0", "0.0"],
        ["2023", "10.0", "0.0", "0.0"],
    ]


def test_the_scope_3_table_says_which_categories_the_target_covers(staff_client, inventory):
    html = staff_client.get(URL, {"year": "2023"}).content.decode()
    table = page_table(html, "scope3")
    assert table.header == ["Category", "2023 (t CO2e)", "Within the target boundary"]
    # Without a target every category counts.
    assert texts(table.body) == [["3.6 Business travel", "0.5", "Yes"]]
    assert "are shown here but not counted in gross" not in html

    target = Target(
        name="Carbon neutral 2030",
        kind="neutrality",
        base_year=2022,
        target_year=2030,
        scope3_categories=["s3_01"],
    )
    target.full_clean()
    target.save()
    html = staff_client.get(URL, {"year": "2023"}).content.decode()
    assert texts(page_table(html, "scope3").body) == [["3.6 Business travel", "0.5", "No"]]
    assert download(staff_client, "scope3", {"year": "2023"})[1] == [
        "3.6 Business travel",
        "0.535",
        "No",
    ]
    assert "Categories outside the neutrality target's boundary are shown here" in html
