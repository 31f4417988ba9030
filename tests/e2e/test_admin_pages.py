"""The Django admin works under the strict Content-Security-Policy, in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login_flow import assert_no_console_errors, log_in

ADMIN_PAGES = [
    "/admin/",
    "/admin/facilities/facility/",
    "/admin/facilities/facility/add/",
    "/admin/facilities/organisation/",
]


@pytest.fixture
def superuser(transactional_db, django_user_model, password):
    return django_user_model.objects.create_superuser("root", password=password)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_load_without_console_or_csp_errors(
    page: Page, live_server, superuser, password, facilities, console_errors, path
):
    log_in(page, live_server, superuser.username, password)
    page.goto(live_server.url + path)
    expect(page.locator("#content")).to_be_visible()
    assert_no_console_errors(page, console_errors)
