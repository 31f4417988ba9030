"""The dashboard pages with the Kehui demo loaded, in a real browser.

Every page renders with its charts drawn and without console errors (CSP violations included);
the year and ledger filters swap part of the page through htmx and push the URL; the back button
restores the previous filter; the language switch renders Chinese. Each page is screenshotted to
SCREENSHOTS (under `var/`, which git ignores) for review.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.test_login_flow import assert_no_console_errors, main_nav

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Name (of the screenshot), path, and how many charts the page draws at least with the demo.
PAGES = [
    ("overview", "/", 6),
    ("facilities", "/facilities/", 0),
    ("facility", "/facilities/XT-01/", 1),
    ("ledger", "/ledger/", 0),
    ("offsets", "/offsets/", 3),
    ("targets", "/targets/", 2),
    ("products", "/products/", 2),
]
OVERVIEW_CHARTS = 6

# True once the canvas has a pixel that is not fully transparent.
CANVAS_HAS_INK = """canvas => {
    if (!canvas.width || !canvas.height) return false;
    const copy = document.createElement("canvas");
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext("2d");
    context.drawImage(canvas, 0, 0);
    const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) {
        if (pixels[alpha] > 0) return true;
    }
    return false;
}"""


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def assert_charts_drawn(page: Page, at_least: int) -> None:
    """The page has `at_least` charts, and each is drawn (charts.js marks it) and not blank."""
    charts = page.locator("canvas[data-chart]")
    if at_least:
        expect(charts.nth(at_least - 1)).to_be_attached()
    for canvas in charts.all():
        chart = canvas.get_attribute("data-chart")
        expect(canvas, f"chart {chart} is not drawn").to_have_attribute("data-drawn", "true")
        try:
            page.wait_for_function(CANVAS_HAS_INK, arg=canvas.element_handle(), timeout=5_000)
        except PlaywrightTimeoutError:
            pytest.fail(f"chart {chart} is marked drawn, but its canvas is blank")


def url_with(live_server, path: str, name: str, value) -> re.Pattern:
    """The URL of `path` with `name=value` among its parameters (the form sends all fields)."""
    return re.compile(rf"^{re.escape(live_server.url + path)}\?(.*&)?{name}={value}(&|$)")


def year_select(page: Page) -> Locator:
    return page.locator("form.filters select[name=year]")


def another_year(page: Page) -> str:
    """A year of the year filter other than the one selected."""
    selected = year_select(page).input_value()
    years = year_select(page).locator("option").evaluate_all("options => options.map(o => o.value)")
    return next(year for year in years if year not in ("", selected))


def gross_emissions(page: Page) -> Locator:
    return page.locator(".kpi").filter(has_text="Gross emissions").locator(".kpi-value")


def mark_the_document(page: Page) -> None:
    """A full page load forgets the marker; an htmx swap keeps it."""
    page.evaluate("() => { window.__marker = 1; }")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("() => window.__marker") == 1, "the browser loaded a whole new page"


def record_count(page: Page) -> int:
    """The ledger's record count: "1,234 records, 5,678.901 tCO2e"."""
    totals = page.locator(".ledger-totals").inner_text()
    return int(re.match(r"\s*([\d,]+) records?", totals)[1].replace(",", ""))


@pytest.mark.parametrize(("name", "path", "at_least"), PAGES, ids=[name for name, *_ in PAGES])
def test_each_page_renders_with_its_charts_drawn(
    viewer_page: Page, live_server, console_errors, name, path, at_least
):
    page = viewer_page
    page.goto(live_server.url + path)
    expect(page).to_have_url(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_charts_drawn(page, at_least)
    screenshot(page, name)
    assert_no_console_errors(page, console_errors)


def test_a_record_page_opens_from_the_ledger(viewer_page: Page, live_server, console_errors):
    page = viewer_page
    main_nav(page).get_by_role("link", name="Ledger").click()
    expect(page).to_have_url(f"{live_server.url}/ledger/")

    page.locator("#ledger-rows tbody tr").first.get_by_role("link").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/ledger/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Activity record \d+"))
    expect(page.get_by_role("heading", name="How it was calculated")).to_be_visible()
    assert_charts_drawn(page, at_least=0)
    screenshot(page, "record")
    assert_no_console_errors(page, console_errors)


def test_changing_the_year_swaps_the_overview_and_back_restores_it(
    viewer_page: Page, live_server, console_errors
):
    page = viewer_page
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    latest_year = year_select(page).input_value()
    earlier_year = another_year(page)
    latest_gross = gross_emissions(page).inner_text()
    mark_the_document(page)
    page.evaluate("() => { window.__oldBody = document.getElementById('page-body'); }")

    year_select(page).select_option(earlier_year)

    expect(page).to_have_url(url_with(live_server, "/", "year", earlier_year))
    expect(page.get_by_text(f"{earlier_year} by scope (tCO2e)")).to_be_visible()
    expect(gross_emissions(page)).not_to_have_text(latest_gross)
    assert page.evaluate("() => document.getElementById('page-body') !== window.__oldBody")
    assert_same_document(page)
    # New canvases: charts.js draws them after the swap.
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    expect(year_select(page)).to_have_value(earlier_year)
    earlier_gross = gross_emissions(page).inner_text()
    assert_no_console_errors(page, console_errors)
    screenshot(page, f"overview-{earlier_year}")

    page.go_back()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(year_select(page)).to_have_value(latest_year)
    expect(gross_emissions(page)).to_have_text(latest_gross)
    expect(page.get_by_text(f"{latest_year} by scope (tCO2e)")).to_be_visible()
    assert latest_gross != earlier_gross
    # Back reloads the page from its URL: htmx keeps no snapshots (base.html says why).
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    assert_no_console_errors(page, console_errors)


def test_back_without_the_history_cache_restores_the_whole_overview(
    viewer_page: Page, live_server, console_errors
):
    # htmx keeps the last 10 pages in sessionStorage; older ones (and any page once the storage
    # is gone) are asked from the server with HX-History-Restore-Request, and the answer
    # replaces the whole <body>: it must be the whole page.
    page = viewer_page
    latest_year = year_select(page).input_value()
    earlier_year = another_year(page)
    year_select(page).select_option(earlier_year)
    expect(page).to_have_url(url_with(live_server, "/", "year", earlier_year))
    expect(page.get_by_text(f"{earlier_year} by scope (tCO2e)")).to_be_visible()
    page.evaluate("() => sessionStorage.removeItem('htmx-history-cache')")

    page.go_back()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text(f"{latest_year} by scope (tCO2e)")).to_be_visible()
    expect(main_nav(page)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Road to carbon neutrality")
    expect(year_select(page)).to_have_value(latest_year)
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    assert_no_console_errors(page, console_errors)


def test_the_language_switch_renders_the_overview_in_chinese(
    viewer_page: Page, live_server, console_errors
):
    page = viewer_page
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")

    page.get_by_role("button", name="简体中文").click()

    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{live_server.url}/")
    # "Facilities", translated in the Chinese catalogue (locale/zh_Hans) from the start.
    expect(page.locator("nav.main-nav").get_by_role("link", name="设施")).to_be_visible()
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    screenshot(page, "overview-zh-hans")

    page.get_by_role("button", name="English").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(main_nav(page).get_by_role("link", name="Facilities")).to_be_visible()
    assert_charts_drawn(page, OVERVIEW_CHARTS)
    assert_no_console_errors(page, console_errors)


def test_the_ledger_filter_swaps_the_rows(viewer_page: Page, live_server, console_errors):
    page = viewer_page
    page.goto(live_server.url + "/ledger/")
    totals = page.locator(".ledger-totals")
    all_totals = totals.inner_text()
    all_records = record_count(page)
    mark_the_document(page)

    page.locator("form.ledger-filters select[name=scope]").select_option("2")

    expect(page).to_have_url(url_with(live_server, "/ledger/", "scope", 2))
    expect(totals).not_to_have_text(all_totals)
    assert 0 < record_count(page) < all_records
    expect(page.locator("#ledger-rows tbody tr").first).to_be_visible()
    assert_same_document(page)
    screenshot(page, "ledger-scope-2")
    assert_no_console_errors(page, console_errors)


def test_no_page_is_wider_than_a_phone(viewer_page: Page, live_server, console_errors):
    page = viewer_page
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ["/", "/facilities/", "/facilities/XT-01/", "/ledger/", "/offsets/", "/targets/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} is {widths[0]} px wide on a 390 px screen"
    assert_no_console_errors(page, console_errors)
