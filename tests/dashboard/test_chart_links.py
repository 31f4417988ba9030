"""Charts people can read: facility names and month names on the axes, line series keyed as
lines, and each bar or point linked to the ledger (or the facility page) for its slice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from emissions.dashboard import charts
from emissions.dashboard.pages.facilities import facility_page
from emissions.dashboard.pages.overview import build_overview
from emissions.dashboard.pages.targets import build_targets_page
from emissions.facilities.models import Facility
from emissions.neutrality.models import Target
from tests.factories import metered

pytestmark = pytest.mark.django_db

LEDGER = reverse("dashboard:ledger")


@pytest.fixture
def two_plants(make_record, hebei_plant):
    hebei_plant.name_zh = "邢台总厂"
    hebei_plant.save()
    warehouse = Facility.objects.create(
        code="XT-WH",
        name_en="Xingtai warehouse",
        kind="warehouse",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2010, 1, 1),
    )
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2023, 3))
    make_record(hebei_plant, "grid_electricity", "10", "MWh", **metered(2022, 3))
    make_record(warehouse, "grid_electricity", "1", "MWh", **metered(2023, 5))
    make_record(hebei_plant, "hotel_nights", "10", "night", **metered(2023, 5))
    return hebei_plant, warehouse


def series(chart: dict, label: str) -> dict:
    return next(d for d in chart["data"]["datasets"] if d["label"] == label)


def test_the_facility_chart_names_each_facility_in_the_pages_language_and_opens_its_page(
    two_plants,
):
    chart = build_overview(year=2023, facility=None).charts["facilities"]
    assert chart["data"]["labels"] == ["Xingtai main plant", "Xingtai warehouse"]
    (bars,) = chart["data"]["datasets"]
    assert bars["links"] == ["/facilities/XT-01/?year=2023", "/facilities/XT-WH/?year=2023"]

    with translation.override("zh-hans"):
        chart = build_overview(year=2023, facility=None).charts["facilities"]
    # The warehouse has no Chinese name: its English one.
    assert chart["data"]["labels"] == ["邢台总厂", "Xingtai warehouse"]


def test_the_month_chart_names_the_months_and_opens_each_months_records(two_plants):
    chart = build_overview(year=2023, facility=None).charts["months"]
    assert chart["data"]["labels"] == [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]  # fmt: skip
    last_year, this_year = chart["data"]["datasets"]
    assert last_year["links"][2] == f"{LEDGER}?year=2022&month=3"
    assert this_year["links"][4] == f"{LEDGER}?year=2023&month=5"
    assert len(this_year["links"]) == 12


def test_the_road_chart_links_each_scope_bar_and_keys_lines_as_lines(two_plants):
    chart = build_overview(year=2023, facility=None).charts["road"]
    assert series(chart, "Scope 1")["links"] == [
        f"{LEDGER}?year=2022&scope=1",
        f"{LEDGER}?year=2023&scope=1",
    ]
    assert series(chart, "Scope 2 (market-based)")["links"][1] == f"{LEDGER}?year=2023&scope=2"
    assert series(chart, "Credits retired")["links"] == [
        "/offsets/?year=2022",
        "/offsets/?year=2023",
    ]
    # charts.js draws a line series' key as a line when the legend uses point styles.
    assert chart["options"]["plugins"]["legend"]["labels"] == {"usePointStyle": True}
    assert series(chart, "Net")["type"] == "line"
    assert "links" not in series(chart, "Target pathway")


def test_a_facilitys_charts_keep_its_code_in_every_link(two_plants):
    plant, _warehouse = two_plants
    overview = build_overview(year=2023, facility=plant).charts
    assert overview["scopes"]["data"]["datasets"][0]["links"] == [
        f"{LEDGER}?facility=XT-01&year=2023&scope=1",
        f"{LEDGER}?facility=XT-01&year=2023&scope=2",
        f"{LEDGER}?facility=XT-01&year=2023&scope=2",
        f"{LEDGER}?facility=XT-01&year=2023&scope=3",
    ]
    assert series(overview["scope3"], "tCO2e")["links"] == [
        f"{LEDGER}?facility=XT-01&year=2023&category=s3_06"
    ]
    years = facility_page(plant, year=2023).charts["years"]
    assert series(years, "Scope 3")["links"] == [
        f"{LEDGER}?facility=XT-01&year=2022&scope=3",
        f"{LEDGER}?facility=XT-01&year=2023&scope=3",
    ]


def test_a_targets_bars_open_that_years_records(two_plants):
    Target.objects.create(
        name="Interim", kind="absolute", base_year=2022, target_year=2025, reduction_pct=10
    )
    (row,) = build_targets_page(year=2023).targets
    actual = series(row.chart, "Gross emissions")
    assert actual["links"] == [f"{LEDGER}?year=2022", f"{LEDGER}?year=2023", None, None]


def test_the_overview_page_sends_the_links_to_the_browser(client, django_user_model, two_plants):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert '"links": ["/facilities/XT-01/?year=2023", "/facilities/XT-WH/?year=2023"]' in html


def test_month_labels_are_short_month_names():
    assert [charts.month_label(month) for month in (1, 6, 12)] == ["Jan", "Jun", "Dec"]


def test_tonnes_are_rounded_floats_for_drawing_only():
    assert charts.tonnes(Decimal("6516.4996")) == 6.516
