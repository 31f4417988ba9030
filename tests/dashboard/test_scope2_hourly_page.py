"""The hourly Scope 2 page (/scope2/hourly/): annual and hourly matching side by side, the heat
map, and its downloads.

The worked example is docs/methodology.md's ("Hourly matching"): 50 kWh every hour of 2023
(438,000 kWh, no interval data) and a solar PPA of 100 kWh in each hour 10:00–15:00 (182,500 kWh).
Annual: 255,500 kWh × 0.6096 = 155,752.8 kg; hourly: 346,750 kWh × 0.6096 = 211,378.8 kg.
"""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.urls import reverse

from emissions.facilities.models import Facility
from emissions.neutrality import hourly_scope2
from emissions.offsets.models import EnergyCertificate
from tests.html_tables import page_tables
from tests.neutrality.test_hourly_scope2 import solar_ppa

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:scope2_hourly")


def export_url(table: str, fmt: str) -> str:
    return reverse("dashboard:scope2_hourly_export", args=[table, fmt])


@pytest.fixture
def worked_example(hebei_plant, make_record, monkeypatch):
    make_record(hebei_plant, "grid_electricity", "438000", "kWh")
    # offsets.supply.supply_blocks(year) reads certificates and contracts' monthly volumes;
    # the worked example's PPA has an hourly profile, which no stored instrument carries yet.
    monkeypatch.setattr(
        "emissions.offsets.supply.supply_blocks", lambda year: solar_ppa(hebei_plant.pk, year=year)
    )
    return hebei_plant


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.all_rows]


def test_it_shows_the_annual_and_hourly_figures_side_by_side(staff_client, worked_example):
    html = html_of(staff_client.get(URL))

    assert 'id="annual-t">155.8 <small>tCO2e</small>' in html
    assert 'id="hourly-t">211.4 <small>tCO2e</small>' in html
    assert 'id="difference-t">55.6 <small>tCO2e</small>' in html
    assert "41.7 % of consumption matched over the year" in html
    assert "20.8 % of consumption matched in its hour" in html
    assert texts(page_tables(html)["table-comparison"]) == [
        ["Facility code", "Facility", "Consumption from", "Grid electricity (MWh)",
         "Matched annually (MWh)", "Matched annually (%)", "Market-based, annual (tCO2e)",
         "Matched hour by hour (MWh)", "Matched hour by hour (%)",
         "Market-based, hourly (tCO2e)", "Hourly − annual (tCO2e)"],
        ["XT-01", "Xingtai main plant", "Flat load profile (no interval data)", "438.0",
         "182.5", "41.7 %", "155.8", "91.3", "20.8 %", "211.4", "55.6"],
        ["Total", "", "", "438.0", "182.5", "41.7 %", "155.8", "91.3", "20.8 %", "211.4", "55.6"],
    ]  # fmt: skip


def test_it_says_the_organisation_reports_the_annual_figure_unless_hourly_is_chosen(
    staff_client, worked_example, organisation
):
    assert "The inventory reports the annual figure" in html_of(staff_client.get(URL))
    organisation.market_scope2_matching = "hourly"
    organisation.save()
    assert "The inventory reports the hourly figure" in html_of(staff_client.get(URL))


def test_the_heat_map_shows_each_hour_s_matched_share_with_its_kwh(staff_client, worked_example):
    html = html_of(staff_client.get(URL))

    # January, 10:00: 31 days × 50 kWh, all matched; 09:00: none.
    assert '<td class="heat-5" title="1,550 of 1,550 kWh matched">100</td>' in html
    assert '<td class="heat-0" title="0 of 1,550 kWh matched">0</td>' in html
    # Every month has 5 fully matched hours and 19 unmatched ones.
    assert html.count('<td class="heat-5"') == 12 * 5
    assert html.count('<td class="heat-0"') == 12 * 19
    assert 'class="heat-legend muted"' in html


def test_a_market_below_the_drafts_exemption_threshold_is_said_so(staff_client, worked_example):
    html = html_of(staff_client.get(URL))
    assert (
        "Consumption in CN is 438.0 MWh, below the draft's exemption threshold of 5 GWh "
        "a year" in html
    )
    assert "1 facility has no interval meter data for the year" in html


def test_the_facility_filter_shows_that_facility_only(staff_client, worked_example, make_record):
    other = Facility.objects.create(
        code="XT-02", name_en="Xingtai foundry", kind="factory", opened_on=dt.date(2010, 1, 1)
    )
    make_record(other, "grid_electricity", "8760", "kWh")
    tables = page_tables(html_of(staff_client.get(URL, {"facility": "XT-02"})))
    rows = texts(tables["table-comparison"])
    assert [row[0] for row in rows[1:]] == ["XT-02", "Total"]
    # 8,760 kWh, nothing matched, at 0.6096: 5,340.096 kg.
    assert rows[1][3:] == ["8.8", "0.0", "0.0 %", "5.3", "0.0", "0.0 %", "5.3", "0.0"]


def test_the_comparison_csv_is_exact(staff_client, worked_example):
    response = staff_client.get(export_url("comparison", "csv"), {"year": "2023"})

    assert response.status_code == 200
    assert "kehui-scope2-hourly-comparison-2023.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == [
        "XT-01", "Xingtai main plant", "Flat load profile (no interval data)", "438",
        "182.5", "41.67", "155.7528", "91.25", "20.83", "211.3788", "55.626",
    ]  # fmt: skip


def test_the_heat_map_csv_has_a_row_per_month_and_a_column_per_hour(staff_client, worked_example):
    response = staff_client.get(export_url("heat-map", "csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Month", *(f"{hour:02d}:00" for hour in range(24))]
    assert rows[1] == ["Jan", *(["0"] * 10), *(["100"] * 5), *(["0"] * 9)]
    assert len(rows) == 13


def test_it_reads_the_year_s_stored_certificates(staff_client, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "438000", "kWh")
    # 100 MWh of wind over 2023 for the plant: about 11.2 kWh an hour, all matched both ways.
    EnergyCertificate.objects.create(
        scheme="irec",
        registry="I-REC",
        technology="wind",
        serial_first=1,
        serial_last=100,
        generation_start=dt.date(2023, 1, 1),
        generation_end=dt.date(2023, 12, 31),
        mwh=100,
        facility=hebei_plant,
        market_country="CN",
        reporting_year=2023,
        kg_co2e_per_kwh=0,
    )
    rows = texts(page_tables(html_of(staff_client.get(URL)))["table-comparison"])
    # 338,000 kWh × 0.6096 = 206,044.8 kg by either method.
    assert rows[1][3:] == ["438.0", "100.0", "22.8 %", "206.0", "100.0", "22.8 %", "206.0", "0.0"]


def test_without_records_it_says_there_is_nothing_yet(staff_client, organisation):
    assert "No activity data yet" in html_of(staff_client.get(URL))


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_permission_is_refused(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403
    assert client.get(export_url("comparison", "csv")).status_code == 403


def test_it_answers_only_get_and_head(staff_client):
    assert staff_client.post(URL).status_code == 405
    assert staff_client.post(export_url("comparison", "csv")).status_code == 405


def test_an_unknown_table_or_format_is_not_found(staff_client, worked_example):
    assert staff_client.get(export_url("nonsense", "csv")).status_code == 404
    assert staff_client.get(export_url("comparison", "pdf")).status_code == 404


def test_the_nav_links_to_the_page(staff_client, worked_example):
    assert f'href="{URL}" aria-current="page"' in html_of(staff_client.get(URL))


# session, user, its permissions (user, groups); years with records; the organisation; the
# interval data (hours, then meters); the grid kWh; the facilities' regions; the residual
# factors; the GWPs; the facilities shown; the facility filter's choices.
QUERIES = 14


def test_the_query_count_does_not_grow_with_facilities(
    staff_client, worked_example, make_record, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        staff_client.get(URL)
    for index in range(3):
        plant = Facility.objects.create(
            code=f"XT-1{index}", name_en="More", kind="factory", opened_on=dt.date(2010, 1, 1)
        )
        make_record(plant, "grid_electricity", "100", "kWh")
    with django_assert_num_queries(QUERIES):
        staff_client.get(URL)


def test_the_overview_does_not_run_the_hourly_engine_when_annual_matching_is_chosen(
    staff_client, worked_example, organisation
):
    assert organisation.market_scope2_matching == "annual"
    with mock.patch.object(hourly_scope2, "match", side_effect=AssertionError) as engine:
        html_of(staff_client.get(reverse("dashboard:home")))
    engine.assert_not_called()
