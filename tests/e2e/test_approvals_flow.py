"""The approvals inbox in a real browser: the count in the navigation, select all, approve."""

import pytest
from playwright.sync_api import Page, expect

from emissions.activities.models import ActivityRecord, ReviewStatus
from emissions.roles.definitions import APPROVER
from tests.e2e.test_login_flow import assert_no_console_errors, log_in, main_nav
from tests.factories import user_in_roles


@pytest.fixture
def approver(transactional_db, django_user_model, password):
    user = user_in_roles(django_user_model, "wang.fang", APPROVER)
    user.set_password(password)
    user.save()
    return user


def test_an_approver_approves_the_demo_s_waiting_month_from_the_inbox(
    page: Page, live_server, demo, approver, password, console_errors
):
    waiting = ActivityRecord.objects.filter(status=ReviewStatus.SUBMITTED).count()
    assert waiting > 0  # the demo's last month waits for approval
    log_in(page, live_server, approver.username, password)
    link = main_nav(page).get_by_role("link", name="Approvals")
    # The count arrives after the page, from its own small request (htmx).
    expect(link.locator(".nav-count")).to_have_text(str(waiting))
    link.click()
    expect(page).to_have_url(f"{live_server.url}/approvals/")
    expect(page.get_by_text(f"{waiting} records are waiting for your review.")).to_be_visible()

    page.get_by_role("checkbox", name="Select all on this page").check()
    boxes = page.locator("input[name=records]")
    expect(boxes).to_have_count(waiting)
    for index in range(waiting):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_role("button", name="Approve selected").click()

    expect(page.get_by_text(f"Approved {waiting} records.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your review.")).to_be_visible()
    # The navigation's count is fetched after the page: let it finish before this thread reads
    # the database (the live server shares the test's SQLite connection).
    page.wait_for_load_state("networkidle")
    expect(main_nav(page).locator(".nav-count")).to_have_count(0)
    assert not ActivityRecord.objects.filter(status=ReviewStatus.SUBMITTED).exists()
    assert_no_console_errors(page, console_errors)


def test_a_rejection_without_a_reason_is_refused_in_the_page_s_words(
    page: Page, live_server, demo, approver, password, console_errors
):
    log_in(page, live_server, approver.username, password)
    page.goto(f"{live_server.url}/approvals/")
    page.locator("input[name=records]").first.check()
    page.get_by_role("button", name="Reject selected").click()
    expect(page.get_by_text("Say why: the submitter will read it.")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the navigation's count, as above
    assert not ActivityRecord.objects.filter(status=ReviewStatus.REJECTED).exists()
    assert_no_console_errors(page, console_errors)
