"""The facility pages' tables: each page shows the Table its CSV/XLSX download writes.

Worked example (AR5, MEE–NBS series, as in test_facility_detail.py): XT-01 (Hebei) uses
10,000 kWh of grid electricity in 2022 and in 2023 and burns 10 t of natural gas in 2023
(26,658.85798 kg, Scope 1), with 50 t of castings in 2023; SH-OF leaks 5 kg of R-410A in 2023.
"""

import csv
import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Facility, FacilityOutput
from tests import html_tables
from tests.html_tables import ParsedTable

pytestmark = pytest.mark.django_db

LIST_URL = reverse("dashboard:facility_list")
PAGE_URL = reverse("dashboard:facility_detail", args=["XT-01"])
LEDGER = reverse("dashboard:ledger")


def whole_year(year: int) -> dict:
    return {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)}


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
    make_record(hebei_plant, "grid_electricity", "10000", "kWh", **whole_year(2022))
    make_record(hebei_plant, "grid_electricity", "10000", "kWh", **whole_year(2023))
    make_record(hebei_plant, "natural_gas_stationary", "10", "t", **whole_year(2023))
    make_record(office, "refrigerant_r410a", "5", "kg", **whole_year(2023))
    FacilityOutput.objects.create(
        facility=hebei_plant, year=2023, metric="production", value=50, unit="t"
    )
    return hebei_plant


def page_table(response, name: str) -> ParsedTable:
    assert response.status_code == 200
    return html_tables.page_table(response.content.decode(), name)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def assert_same_table(shown: ParsedTable, download: list[list[str]]):
    """The page's header is the file's, and it shows as many rows (body and total)."""
    assert shown.header == download[0]
    assert len(shown.body) + len(shown.foot) == len(download) - 1
    # The first column is text (year, code, category, record id): the same on both.
    shown_rows = shown.body + shown.foot
    assert [row[0][0] for row in shown_rows] == [row[0] for row in download[1:]]


def query_of(href: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(href)
    return parts.path, {key: value for key, [value] in parse_qs(parts.query).items()}


# One facility's page


@pytest.mark.parametrize("table", ["years", "intensity", "categories", "records"])
def test_each_table_of_the_facility_page_is_its_download(staff_client, inventory, table):
    shown = page_table(staff_client.get(PAGE_URL), table)
    export = reverse("dashboard:facility_detail_export", args=["XT-01", table, "csv"])
    download = read_csv(staff_client.get(export, {"year": "2023"}))
    assert len(download) > 2
    assert_same_table(shown, download)


def test_the_year_table_links_the_sums_of_records_to_the_ledger(staff_client, inventory):
    shown = page_table(staff_client.get(PAGE_URL), "years")
    year_2023 = next(row for row in shown.body if row[0][0] == "2023")
    scope1, scope2_market, scope2_location, scope3, gross = year_2023[1:]
    # 26,658.85798 kg of natural gas → 26.7 t; electricity 6,516 kg location-based → 6.5 t.
    assert scope1 == ("26.7", f"{LEDGER}?facility=XT-01&year=2023&scope=1")
    assert scope2_location == ("6.5", f"{LEDGER}?facility=XT-01&year=2023&scope=2")
    assert scope3 == ("0.0", f"{LEDGER}?facility=XT-01&year=2023&scope=3")
    # Market-based Scope 2 (6,096 kg) and gross (32,754.85798 kg) are no sums of records: no link.
    assert scope2_market == ("6.1", "")
    assert gross == ("32.8", "")


def test_the_category_table_links_each_category_and_totals_in_its_footer(staff_client, inventory):
    shown = page_table(staff_client.get(PAGE_URL), "categories")
    links = {row[0][0]: query_of(row[2][1]) for row in shown.body if row[2][1]}
    assert links == {
        "Stationary combustion": (
            LEDGER,
            {"facility": "XT-01", "year": "2023", "category": "s1_stationary"},
        ),
        "Purchased electricity": (
            LEDGER,
            {"facility": "XT-01", "year": "2023", "category": "s2_electricity"},
        ),
    }
    # The market-based adjustment, 6,096 − 6,516 = −420 kg, is no category: no link.
    assert shown.body[-1] == [
        ("Scope 2 market-based adjustment (certificates and residual mix)", ""),
        ("2", ""),
        ("-0.4", ""),
    ]
    assert shown.foot == [
        [("Gross (all scopes, Scope 2 market-based)", ""), ("", ""), ("32.8", "")]
    ]


def test_each_recent_record_links_to_its_own_page(staff_client, inventory):
    shown = page_table(staff_client.get(PAGE_URL), "records")
    assert len(shown.body) == 2
    for row in shown.body:
        record = ActivityRecord.objects.get(pk=row[0][0])
        assert row[2] == (
            record.activity_type.name,
            reverse("dashboard:record_detail", args=[record.pk]),
        )


# The facilities list


def test_the_facility_list_is_its_download_with_emissions(staff_client, inventory):
    shown = page_table(staff_client.get(LIST_URL), "facilities")
    download = read_csv(
        staff_client.get(reverse("dashboard:facility_list_export", args=["facilities", "csv"]))
    )
    assert download[0][-2:] == ["2023 (t CO2e)", "Change vs 2022 (%)"]
    assert_same_table(shown, download)


def test_the_facility_list_is_its_download_without_emissions(viewer_client, inventory):
    shown = page_table(viewer_client.get(LIST_URL), "facilities")
    download = read_csv(
        viewer_client.get(reverse("dashboard:facility_list_export", args=["facilities", "csv"]))
    )
    assert download[0][-1] == "Closed on"
    assert_same_table(shown, download)


def test_each_code_links_to_its_facility_page_for_those_who_may_read_records(
    staff_client, viewer, inventory
):
    shown = page_table(staff_client.get(LIST_URL), "facilities")
    assert {row[0] for row in shown.body} == {
        ("SH-OF", reverse("dashboard:facility_detail", args=["SH-OF"])),
        ("XT-01", reverse("dashboard:facility_detail", args=["XT-01"])),
    }
    # The facility page shows records: those who may not read them get no link to it.
    staff_client.force_login(viewer)
    shown = page_table(staff_client.get(LIST_URL), "facilities")
    assert {row[0] for row in shown.body} == {("SH-OF", ""), ("XT-01", "")}
