"""The completeness grid in a real browser, in English and in Chinese, and the owners' view.

The demo's five expected streams are made here (load_demo waits for an administrator to own
them). Its records of 2025 are complete, so two months of XT-02's electricity are taken away:
they show as missing, estimated from the same months of 2024.
"""

import datetime as dt

from playwright.sync_api import Page, expect

from emissions.activities.models import ActivityRecord
from emissions.planning.demo import load_demo_streams
from emissions.planning.models import ExpectedStream
from tests.e2e.test_dashboard_pages import screenshot
from tests.e2e.test_login_flow import assert_no_console_errors, main_nav


def test_the_grid_shows_what_is_missing_in_both_languages(
    viewer_page: Page, live_server, staff_member, django_user_model, console_errors
):
    # The demo's streams need an owner; load_demo makes them only once an administrator exists.
    load_demo_streams(django_user_model.objects.create_user("energy.manager"))
    ActivityRecord.objects.filter(
        facility__code="XT-02",
        activity_type__code="grid_electricity",
        period_start__gte=dt.date(2025, 11, 1),
        period_start__lte=dt.date(2025, 12, 31),
    ).delete()
    ExpectedStream.objects.filter(
        facility__code="XT-02", activity_type__code="grid_electricity"
    ).update(owner=staff_member)
    page = viewer_page

    main_nav(page).get_by_role("link", name="Completeness").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data completeness")
    page.goto(f"{live_server.url}/completeness/?year=2025")
    grid = page.locator("#table-grid")
    expect(grid.locator("tbody tr")).to_have_count(5)
    missing = grid.locator("td.state-missing")
    expect(missing).to_have_count(2)
    expect(missing.first).to_have_text("Missing")
    expect(page.locator(".kpi-value").first).to_contain_text("%")
    expect(page.locator("#table-owed")).to_contain_text("2025-11")
    screenshot(page, "completeness-2025")

    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据完整性")
    expect(page.locator("#table-grid td.state-missing").first).to_have_text("缺失")
    expect(page.locator("#table-grid td.state-received").first).to_have_text("已收到")
    screenshot(page, "completeness-2025-zh-hans")

    page.get_by_role("link", name="仅看我负责的数据流").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我尚欠的数据")
    expect(page.locator("#table-grid tbody tr")).to_have_count(1)
    expect(page.locator("#table-owed tbody tr")).to_have_count(2)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What I owe")
    assert_no_console_errors(page, console_errors)
