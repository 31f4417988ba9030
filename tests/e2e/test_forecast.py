"""The forecast in a real browser: the wedge chart drawn for the demo's plan, another scenario
chosen, and two scenarios compared side by side, in English and in Chinese."""

import re

from playwright.sync_api import Page, expect

from emissions.planning.models import Scenario
from tests.e2e.test_dashboard_pages import assert_charts_drawn, screenshot
from tests.e2e.test_login_flow import assert_no_console_errors, main_nav


def test_the_wedge_chart_and_two_scenarios_compared_in_both_languages(
    viewer_page: Page, live_server, console_errors
):
    page = viewer_page
    plan = Scenario.objects.get(is_plan=True)
    faster = Scenario.objects.get(is_plan=False)

    main_nav(page).get_by_role("link", name="Forecast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forecast to neutrality")
    expect(page.locator("#scenario-choice")).to_have_value(str(plan.pk))
    # The demo's latest complete year, its actual gross, then the projection to 2030.
    years = page.locator("#table-years tbody tr")
    expect(years).to_have_count(6)
    expect(years.first.locator("th")).to_have_text("2025 (actual)")
    expect(years.first.locator("td").first).to_have_text("4,601.1")
    expect(page.locator("#table-levers")).to_contain_text("Rooftop solar 1 MW, XT-02")
    assert_charts_drawn(page, at_least=2)  # the wedges and the cost curve
    screenshot(page, "forecast-plan")

    page.locator("#scenario-choice").select_option(str(faster.pk))
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"/forecast/\?scenario={faster.pk}$"))
    expect(page.locator("#table-levers")).to_contain_text("Electric boiler, XT-02")
    assert_charts_drawn(page, at_least=2)

    page.get_by_role("link", name="Compare scenarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenarios compared")
    rows = page.locator("#table-comparison tbody tr")
    expect(rows).to_have_count(3)  # the committed initiatives alone, then both scenarios
    expect(rows.nth(1).locator("th")).to_have_text(plan.name)
    expect(rows.nth(2).locator("th")).to_have_text(faster.name)
    assert_charts_drawn(page, at_least=1)
    screenshot(page, "forecast-compare")

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("情景对比")
    expect(page.locator("#table-comparison tbody tr").nth(1).locator("th")).to_have_text(
        plan.name_zh
    )
    expect(page.locator("#table-comparison tbody tr").first.locator("th")).to_have_text(
        "仅已承诺的举措"
    )
    assert_charts_drawn(page, at_least=1)
    screenshot(page, "forecast-compare-zh-hans")

    page.get_by_role("link", name="预测", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("碳中和预测")
    expect(page.locator("#table-years tbody tr").first.locator("th")).to_have_text(
        "2025 年（实际）"
    )
    assert_charts_drawn(page, at_least=2)
    screenshot(page, "forecast-plan-zh-hans")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forecast to neutrality")
    assert_no_console_errors(page, console_errors)
