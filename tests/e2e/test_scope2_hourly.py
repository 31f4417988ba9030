"""The hourly Scope 2 page in a real browser: the annual/hourly comparison and the heat map, in
English and in Chinese, without console errors (the Content-Security-Policy included).

The data are docs/methodology.md's worked example ("Hourly matching"): 50 kWh every hour of 2023
and a solar PPA of 100 kWh in each hour 10:00–15:00. Annual 155.8 t, hourly 211.4 t.
"""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from emissions.activities.catalogue import load_activity_types
from emissions.activities.models import ActivityType
from emissions.facilities.models import Facility, Organisation
from emissions.factors.loading import load_shipped_factors
from emissions.factors.models import EmissionFactor
from tests import factories
from tests.e2e.test_dashboard_pages import screenshot
from tests.e2e.test_login_flow import assert_no_console_errors, log_in, main_nav
from tests.neutrality.test_hourly_scope2 import solar_ppa


@pytest.fixture
def worked_example(transactional_db, monkeypatch):
    # The live server's tests flush the database after each test: the library again.
    if not (EmissionFactor.objects.exists() and ActivityType.objects.exists()):
        load_shipped_factors()
        load_activity_types()
    Organisation(name_en="Kehui", base_year=2019, gwp_basis="AR5").save()
    plant = Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        name_zh="邢台总厂",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )
    factories.make_record(
        plant,
        "grid_electricity",
        Decimal(438_000),
        "kWh",
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 12, 31),
    )
    # The live server runs in this process: the year's supply is the worked example's PPA,
    # whose hourly profile no stored instrument carries yet.
    monkeypatch.setattr(
        "emissions.offsets.supply.supply_blocks", lambda year: solar_ppa(plant.pk, year=year)
    )
    return plant


def assert_comparison_and_heat_map(page: Page) -> None:
    expect(page.locator("#annual-t")).to_contain_text("155.8")
    expect(page.locator("#hourly-t")).to_contain_text("211.4")
    expect(page.locator("#difference-t")).to_contain_text("55.6")
    heat_map = page.locator("table.heat-map")
    expect(heat_map).to_be_visible()
    expect(heat_map.locator("tbody tr")).to_have_count(12)
    # January 10:00 (the 11th hour column): all of 31 × 50 kWh matched.
    noon_cell = heat_map.locator("tbody tr").first.locator("td").nth(10)
    expect(noon_cell).to_have_text("100")
    expect(noon_cell).to_have_class("heat-5")
    expect(heat_map.locator("tbody tr").first.locator("td").nth(9)).to_have_class("heat-0")


def test_the_comparison_and_the_heat_map_in_english_and_chinese(
    page: Page, live_server, worked_example, staff_member, password, console_errors
):
    log_in(page, live_server, staff_member.username, password)
    main_nav(page).get_by_role("link", name="Hourly Scope 2").click()
    expect(page).to_have_url(f"{live_server.url}/scope2/hourly/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Market-based Scope 2: annual and hourly matching"
    )
    assert_comparison_and_heat_map(page)
    expect(page.locator("#table-comparison")).to_contain_text("Xingtai main plant")
    expect(page.locator("table.heat-map tbody th").first).to_have_text("Jan")
    screenshot(page, "scope2-hourly-en")

    page.get_by_role("button", name="简体中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{live_server.url}/scope2/hourly/")
    assert_comparison_and_heat_map(page)
    expect(page.locator("#table-comparison")).to_contain_text("邢台总厂")
    expect(page.locator("table.heat-map tbody th").first).to_have_text("1月")
    screenshot(page, "scope2-hourly-zh-hans")
    assert_no_console_errors(page, console_errors)
