"""Every dashboard page holds its layout in Chinese and in English, on a desktop and a phone.

Each page, with the Kehui demo loaded, in zh-Hans and English at 1440 and 390 px: no visible
heading, label, table cell, button or badge is squeezed narrower than two characters (of its
own font size) while its text wraps — the "one character per line" of Chinese text in a
crushed column — and no page is wider than the screen (wide tables scroll inside their card).
A full-page screenshot of each is written to var/screenshots/<page>-<lang>-<width>.png.

One test walks every page (a browser context costs a second or two to start): it collects
every problem and reports them all at the end. A second one clicks a chart's bar, which opens
the page behind it (static/js/charts.js follows the URLs the page builder put in the chart).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from emissions.activities.models import ActivityRecord

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# (the screenshot's name for the language, the browser's Accept-Language locale)
LANGUAGES = {"zh-hans": "zh-CN", "en": "en"}
WIDTHS = (1440, 390)

# The elements a person reads as labels; inline text inside them is measured with them.
LABELS = ", ".join(
    [
        "h1", "h2", "h3", "label", "th", "td", "button", "summary", "caption", "dt", "dd",
        "figcaption", ".badge", ".kpi-label", ".kpi-value", ".kpi-note", ".button-primary",
        ".button-secondary", ".main-nav a", ".mac-key li",
    ]
)  # fmt: skip

# For each element: narrower (content box) than two characters of its font size, and its text
# on more than one line or spilling out. One-character texts and empty or icon elements are
# skipped: they are narrow by nature.
NARROW_LABELS = """selector => {
    const problems = [];
    for (const element of document.querySelectorAll(selector)) {
        const text = (element.innerText || "").trim().replace(/\\s+/g, " ");
        if ([...text].length < 2) continue;
        const box = element.getBoundingClientRect();
        if (!box.width || !box.height) continue;
        const style = getComputedStyle(element);
        if (style.visibility !== "visible") continue;
        const fontSize = parseFloat(style.fontSize);
        const content = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
            - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
        if (content >= 2 * fontSize) continue;
        const range = document.createRange();
        range.selectNodeContents(element);
        const lines = new Set();
        for (const rect of range.getClientRects()) {
            if (rect.width && rect.height) lines.add(Math.round(rect.top / (fontSize / 2)));
        }
        const spills = element.scrollWidth > element.clientWidth + 1
            && style.overflowX === "visible";
        if (lines.size > 1 || spills) {
            problems.push(`<${element.tagName.toLowerCase()}> "${text.slice(0, 40)}" is `
                + `${Math.round(content)} px wide at ${fontSize} px type`);
        }
    }
    return problems;
}"""

ALL_CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]"))
    .every(canvas => canvas.dataset.drawn === "true")"""


@pytest.fixture
def superuser(transactional_db, django_user_model):
    """Sees every page: the import, periods and approvals pages ask for more than viewing."""
    return django_user_model.objects.create_superuser("lin.admin", "lin@example.com", "x-pass-1")


def dashboard_pages() -> list[tuple[str, str]]:
    """(name, path) of every dashboard page; pages still to come are left out until they exist."""
    record = ActivityRecord.objects.order_by("pk").values_list("pk", flat=True).first()
    wanted = [
        ("overview", "dashboard:home", []),
        ("facilities", "dashboard:facility_list", []),
        ("facility", "dashboard:facility_detail", ["XT-01"]),
        ("ledger", "dashboard:ledger", []),
        ("record", "dashboard:record_detail", [record]),
        ("offsets", "dashboard:offsets", []),
        ("targets", "dashboard:targets", []),
        ("energy", "dashboard:energy", []),
        ("report", "dashboard:report", []),
        ("import", "dashboard:import", []),
        ("approvals", "dashboard:approvals", []),
        ("periods", "dashboard:periods", []),
        ("suppliers", "dashboard:suppliers", []),
        ("products", "dashboard:products", []),
        ("product-report", "dashboard:product_report", ["kh-machined-parts", 2025]),
        ("cbam", "dashboard:cbam", []),
    ]
    pages = []
    for name, url_name, args in wanted:
        try:
            pages.append((name, reverse(url_name, args=args)))
        except NoReverseMatch:
            continue
    return pages


def session_cookies(user, live_server, language: str) -> list[dict]:
    """A logged-in session and the language choice, as the browser would hold them."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [
        {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
    ]


def test_every_page_holds_its_labels_in_both_languages_on_a_desktop_and_a_phone(
    browser, browser_context_args, live_server, demo, superuser
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = dashboard_pages()
    problems = []
    for language, locale in LANGUAGES.items():
        context = browser.new_context(**{**browser_context_args, "locale": locale})
        context.add_cookies(session_cookies(superuser, live_server, language))
        # Console errors are test_dashboard_pages.py's to check: this test is about layout.
        page = context.new_page()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for name, path in pages:
                where = f"{name} ({path}) in {language} at {width} px"
                response = page.goto(live_server.url + path)
                assert response.ok, f"{where}: HTTP {response.status}"
                assert page.locator("html").get_attribute("lang") == language, where
                page.wait_for_function(ALL_CHARTS_DRAWN, timeout=10_000)
                page.screenshot(path=SCREENSHOTS / f"{name}-{language}-{width}.png", full_page=True)
                problems += [f"{where}: {p}" for p in page.evaluate(NARROW_LABELS, LABELS)]
                scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
                if scroll_width > width:
                    problems.append(f"{where}: the page is {scroll_width} px wide")
        context.close()
    assert not problems, "\n".join(problems)


# Where on the page the centre of bar `index` of dataset `dataset` of chart `chart` is drawn.
BAR_CENTRE = """([chart, dataset, index]) => {
    const canvas = document.querySelector(`canvas[data-chart="${chart}"]`);
    const bar = window.Chart.getChart(canvas).getDatasetMeta(dataset).data[index];
    const point = bar.getCenterPoint();
    const box = canvas.getBoundingClientRect();
    return {x: box.left + point.x, y: box.top + point.y};
}"""


def test_a_bar_opens_the_page_behind_it(
    browser, browser_context_args, live_server, demo, superuser
):
    context = browser.new_context(**browser_context_args)
    context.add_cookies(session_cookies(superuser, live_server, "en"))
    page = context.new_page()
    page.goto(live_server.url + reverse("dashboard:home"))
    page.wait_for_function(ALL_CHARTS_DRAWN)
    chart = page.locator('canvas[data-chart="chart-facilities"]')
    chart.scroll_into_view_if_needed()
    # The first bar is the largest facility of the year: it opens that facility's page.
    link = page.evaluate(
        "() => JSON.parse(document.getElementById('chart-facilities').textContent)"
        ".data.datasets[0].links[0]"
    )
    centre = page.evaluate(BAR_CENTRE, ["chart-facilities", 0, 0])
    page.mouse.click(centre["x"], centre["y"])
    page.wait_for_url(live_server.url + link)
    assert page.locator("h1 code").inner_text() in link
    context.close()
