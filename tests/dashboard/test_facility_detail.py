"""The facility page: who it is, what it emitted per year and scope, intensity, its records.

Worked example: the Hebei plant XT-01, grid electricity, no certificates, MEE–NBS series (AR5).
- 2023: 10,000 kWh × 0.6516 (CN-HE 2023) = 6,516 kg location-based → 6.5 t;
  market-based 10,000 × 0.6096 (national residual mix 2023) = 6,096 kg → 6.1 t.
- 2022: 10,000 kWh × 0.7252 (CN-HE 2022) = 7,252 kg location-based → 7.3 t;
  market-based 10,000 × 0.5856 (residual mix 2022) = 5,856 kg → 5.9 t.
- Gross 2023 vs 2022 (market-based): 6,096 / 5,856 − 1 = +4.098… % → +4.1 %.
- Intensity 2023 with 50 t of castings: 6,096 kg / 50 t = 121.92 → 121.9 kg CO2e per t.
"""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.facilities.models import Facility, FacilityOutput
from emissions.offsets.models import EnergyCertificate

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:facility_detail", args=["XT-01"])


@pytest.fixture
def reader(django_user_model):
    """May read facilities and activity records, change nothing."""
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


@pytest.fixture
def add_record(make_record):
    """A record of grid electricity (or `type_code`) for a year, or the 1st–28th of a month."""

    def add(facility, quantity, *, year, month=None, type_code="grid_electricity", unit="kWh"):
        start = dt.date(year, month or 1, 1)
        end = dt.date(year, month, 28) if month else dt.date(year, 12, 31)
        return make_record(facility, type_code, Decimal(quantity), unit, start=start, end=end)

    return add


@pytest.fixture
def worked_example(hebei_plant, add_record):
    hebei_plant.name_zh = "邢台总厂"
    hebei_plant.address = "Xingtai Economic Development Zone"
    hebei_plant.save()
    add_record(hebei_plant, "10000", year=2022)
    return add_record(hebei_plant, "10000", year=2023)


def body(response) -> str:
    """The page's HTML without the whitespace between tags, so table rows read as one line."""
    assert response.status_code == 200
    return re.sub(r">\s+<", "><", response.content.decode())


def test_it_shows_the_facility_s_names_kind_location_grid_ownership_and_status(
    reader_client, worked_example
):
    html = body(reader_client.get(URL))
    assert "<code>XT-01</code> Xingtai main plant" in html
    assert "邢台总厂" in html
    assert "Factory" in html
    assert "Xingtai Economic Development Zone, Hebei 河北, CN" in html
    assert "North China grid 华北" in html
    assert "<dd>100</dd>" in html  # ownership %
    assert '<span class="badge badge-ok">Active</span>' in html


def test_it_draws_the_emissions_per_year_by_scope_from_json(reader_client, worked_example):
    html = body(reader_client.get(URL))
    assert '<canvas data-chart="chart-facility-years"' in html
    config = json.loads(
        re.search(
            r'<script id="chart-facility-years" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert config["data"]["labels"] == ["2022", "2023"]
    scope2 = next(d for d in config["data"]["datasets"] if d["label"] == "Scope 2 (market-based)")
    assert scope2["data"] == [5.856, 6.096]
    assert 'src="/static/js/charts.js"' in html


def test_the_table_by_year_shows_scope_2_market_and_location_based(reader_client, worked_example):
    html = body(reader_client.get(URL))
    ledger = f"{reverse('dashboard:ledger')}?facility=XT-01&amp;year="
    # Year, Scope 1, Scope 2 market-based, Scope 2 location-based (its records), Scope 3, gross.
    assert (
        f'<tr><th scope="row">2023</th><td class="num"><a href="{ledger}2023&amp;scope=1">0.0</a>'
        f'</td><td class="num">6.1</td><td class="num"><a href="{ledger}2023&amp;scope=2">6.5</a>'
        f'</td><td class="num"><a href="{ledger}2023&amp;scope=3">0.0</a></td>'
        '<td class="num">6.1</td></tr>'
    ) in html
    assert (
        f'<tr><th scope="row">2022</th><td class="num"><a href="{ledger}2022&amp;scope=1">0.0</a>'
        f'</td><td class="num">5.9</td><td class="num"><a href="{ledger}2022&amp;scope=2">7.3</a>'
        f'</td><td class="num"><a href="{ledger}2022&amp;scope=3">0.0</a></td>'
        '<td class="num">5.9</td></tr>'
    ) in html


def test_it_shows_this_year_s_gross_and_the_change_since_last_year(reader_client, worked_example):
    html = body(reader_client.get(URL))
    assert "Emissions in 2023" in html
    assert '<span class="kpi-value">6.1 <small>tCO2e</small></span>' in html
    assert "+4.1 % vs previous year" in html


def test_intensity_is_emissions_per_unit_of_production(reader_client, worked_example):
    FacilityOutput.objects.create(
        facility=worked_example.facility, year=2023, metric="production", value=50, unit="t"
    )
    html = body(reader_client.get(URL))
    assert "121.9 <small>kg CO2e per t produced</small>" in html
    # Year, gross, production, its unit, intensity.
    assert (
        '<tr><th scope="row">2023</th><td class="num">6.1</td><td class="num">50.0</td>'
        '<td>t</td><td class="num">121.9</td></tr>'
    ) in html
    # 2022 has no output: dashes, and the hint where to enter it.
    assert (
        '<tr><th scope="row">2022</th><td class="num">5.9</td><td class="num">—</td>'
        '<td>—</td><td class="num">—</td></tr>'
    ) in html
    assert "Enter production figures (facility outputs) in the admin." in html


def test_without_output_intensity_is_a_dash_with_a_hint(reader_client, worked_example):
    html = body(reader_client.get(URL))
    assert '<span class="kpi-value">—</span>' in html
    assert "Enter production figures (facility outputs) in the admin." in html


def test_it_breaks_the_year_down_by_category(reader_client, worked_example, add_record):
    add_record(
        worked_example.facility, "10", year=2023, type_code="natural_gas_stationary", unit="t"
    )
    html = body(reader_client.get(URL))
    assert "2023 by category (tCO2e)" in html
    # 10 t natural gas = 26,658.85798 kg (see tests/neutrality/test_balance.py); electricity as
    # recorded, location-based.
    ledger = f"{reverse('dashboard:ledger')}?facility=XT-01&amp;year=2023&amp;category="
    assert (
        '<tr><th scope="row">Stationary combustion</th><td class="num">1</td>'
        f'<td class="num"><a href="{ledger}s1_stationary">26.7</a></td></tr>'
    ) in html
    assert (
        '<tr><th scope="row">Purchased electricity</th><td class="num">2</td>'
        f'<td class="num"><a href="{ledger}s2_electricity">6.5</a></td></tr>'
    ) in html
    # Largest first; then the market-based adjustment of Scope 2, 6,096 − 6,516 = −420 kg,
    # no sum of records (no link); the total is the year's gross, 26,658.85798 + 6,096 kg
    # = 32,754.85798 kg.
    assert html.index('<th scope="row">Stationary combustion') < html.index(
        '<th scope="row">Purchased electricity'
    )
    assert (
        '<tr><th scope="row">Scope 2 market-based adjustment (certificates and residual mix)</th>'
        '<td class="num">2</td><td class="num">-0.4</td></tr></tbody>'
        '<tfoot><tr><th scope="row">Gross (all scopes, Scope 2 market-based)</th>'
        '<td class="num"></td><td class="num">32.8</td></tr></tfoot>'
    ) in html


def test_the_year_filter_picks_the_year_broken_down(reader_client, worked_example):
    html = body(reader_client.get(URL, {"year": "2022"}))
    assert "2022 by category (tCO2e)" in html
    assert (
        '<tr><th scope="row">Purchased electricity</th><td class="num">2</td><td class="num">'
        f'<a href="{reverse("dashboard:ledger")}?facility=XT-01&amp;year=2022&amp;category='
        's2_electricity">7.3</a></td></tr>'
    ) in html
    assert '<option value="2022" selected>2022</option>' in html


def test_it_opens_on_the_facility_s_latest_year_even_when_others_have_later_ones(
    reader_client, worked_example, add_record
):
    second = Facility.objects.create(
        code="XT-02",
        name_en="Second",
        kind="factory",
        province="CN-HE",
        opened_on=dt.date(2010, 1, 1),
    )
    add_record(second, "1000", year=2024)
    html = body(reader_client.get(URL))
    assert "2023 by category (tCO2e)" in html
    assert '<option value="2023" selected>2023</option>' in html


def test_a_year_without_this_facility_s_records_says_so(reader_client, worked_example, add_record):
    second = Facility.objects.create(
        code="XT-02",
        name_en="Second",
        kind="factory",
        province="CN-HE",
        opened_on=dt.date(2010, 1, 1),
    )
    add_record(second, "1000", year=2024)
    html = body(reader_client.get(URL, {"year": "2024"}))
    assert "No records for this facility in 2024." in html
    assert '<span class="kpi-value">— <small>tCO2e</small></span>' in html


def test_certificates_lower_its_market_based_scope_2(reader_client, worked_example):
    # Its own 4 MWh of wind GECs for 2023: 6,000 kWh left × 0.6096 = 3,657.6 kg → 3.7 t.
    EnergyCertificate.objects.create(
        scheme="gec",
        registry="China GEC platform",
        technology="wind",
        serial_first=1,
        serial_last=1000,
        generation_start=dt.date(2023, 1, 1),
        generation_end=dt.date(2023, 12, 31),
        mwh=Decimal(4),
        facility=worked_example.facility,
        market_country="CN",
        reporting_year=2023,
        kg_co2e_per_kwh=Decimal(0),
    )
    html = body(reader_client.get(URL))
    assert '<span class="kpi-value">3.7 <small>tCO2e</small></span>' in html
    assert "−37.5 % vs previous year" in html  # 3,657.6 / 5,856 − 1 = −37.54… %


def test_a_bad_year_is_ignored_with_a_message(reader_client, worked_example):
    html = body(reader_client.get(URL, {"year": "1999"}))
    assert "Ignored Year “1999”" in html
    assert "2023 by category (tCO2e)" in html


def test_htmx_gets_the_page_body_only(reader_client, worked_example):
    html = body(reader_client.get(URL, {"year": "2022"}, headers={"hx-request": "true"}))
    assert html.lstrip().startswith('<div id="page-body">')
    assert "<h1>" not in html
    assert "2022 by category (tCO2e)" in html


def test_it_lists_the_most_recent_records_linking_to_the_ledger(
    reader_client, hebei_plant, add_record
):
    records = [add_record(hebei_plant, "1000", year=2023, month=m) for m in range(1, 13)]
    records += [add_record(hebei_plant, "1000", year=2022, month=m) for m in range(1, 13)]
    html = body(reader_client.get(URL))
    # Newest first, the page's year (2023) only: before, 2022's records followed them even
    # when another year was selected.
    newest, oldest_shown = records[11], records[0]
    assert f'href="{reverse("dashboard:record_detail", args=[newest.pk])}"' in html
    assert f'href="{reverse("dashboard:record_detail", args=[oldest_shown.pk])}"' in html
    for other_year in records[12:]:
        assert f'href="{reverse("dashboard:record_detail", args=[other_year.pk])}"' not in html
    assert html.count('<td class="date">') == 12 * 2  # from, to
    # Record id (the row's header), facility, type (a link), period, quantity, unit, tonnes.
    assert (
        f'<tr><th scope="row">{newest.pk}</th><td>XT-01</td><td><a href="'
        f'{reverse("dashboard:record_detail", args=[newest.pk])}">Grid electricity</a></td>'
        '<td class="date">2023-12-01</td><td class="date">2023-12-28</td><td class="num">1,000</td>'
        '<td>kWh</td><td class="num">0.7</td></tr>'  # 1,000 kWh × 0.6516 = 651.6 kg
    ) in html
    html_2022 = body(reader_client.get(URL, {"year": "2022"}))
    assert "Most recent records of 2022" in html_2022
    assert f'href="{reverse("dashboard:record_detail", args=[records[23].pk])}"' in html_2022
    assert f'href="{reverse("dashboard:record_detail", args=[newest.pk])}"' not in html_2022
    assert f'href="{reverse("dashboard:ledger")}?facility=XT-01&amp;year=2023"' in html


def test_a_record_s_quantity_is_shown_as_entered(reader_client, hebei_plant, add_record):
    add_record(hebei_plant, "12.5", year=2023, unit="MWh")
    html = body(reader_client.get(URL))
    assert '<td class="num">12.5</td><td>MWh</td>' in html


def test_a_facility_without_records_says_so(reader_client, hebei_plant, organisation):
    html = body(reader_client.get(URL))
    assert "No emissions recorded for this facility yet" in html
    assert "data-chart" not in html


def test_an_unknown_code_is_404(reader_client):
    url = reverse("dashboard:facility_detail", args=["NOPE"])
    assert reader_client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, hebei_plant):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_a_user_without_permission_gets_403(client, outsider, hebei_plant):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


def test_a_user_who_may_see_facilities_but_not_records_gets_403(viewer_client, hebei_plant):
    assert viewer_client.get(URL).status_code == 403


def test_post_is_not_allowed(reader_client, hebei_plant):
    assert reader_client.post(URL).status_code == 405


@pytest.mark.parametrize("months", [1, 12])
def test_the_query_count_does_not_grow_with_records(
    reader_client, hebei_plant, add_record, django_assert_num_queries, months
):
    other = Facility.objects.create(
        code="XT-02",
        name_en="Second",
        kind="factory",
        province="CN-HE",
        opened_on=dt.date(2010, 1, 1),
    )
    for year in (2022, 2023):
        for month in range(1, months + 1):
            add_record(hebei_plant, "1000", year=year, month=month)
            add_record(other, "1000", year=year, month=month)
            add_record(
                hebei_plant,
                "10",
                year=year,
                month=month,
                type_code="natural_gas_stationary",
                unit="t",
            )
    FacilityOutput.objects.create(
        facility=hebei_plant, year=2023, metric="production", value=50, unit="t"
    )
    # session, user, user permissions, group permissions, facility, years with records,
    # kg per year and scope, market-based Scope 2 (organisation, grid electricity, certificates,
    # facility regions, residual factors, GWPs), production, by category, recent records
    with django_assert_num_queries(16):
        reader_client.get(URL)
