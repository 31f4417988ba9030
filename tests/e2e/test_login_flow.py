"""Logging in, switching the language and logging out, in a real browser.

conftest.py marks every test in this folder `e2e`.
"""

import re

from playwright.sync_api import Page, expect

WRONG_PASSWORD_ERROR = "Please enter a correct username and password."


def log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def main_nav(page: Page):
    """The header's main navigation (base.html)."""
    return page.get_by_role("navigation", name="Main")


def open_facilities_from_the_nav(page: Page, live_server) -> None:
    main_nav(page).get_by_role("link", name="Facilities", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/facilities/")


def name_cells(page: Page):
    """The Name column of the facilities table, rows in code order (SH-HQ, SZ-01)."""
    return page.locator("#table-facilities tbody tr td:nth-child(2)")


def assert_no_console_errors(page: Page, console_errors: list[str]) -> None:
    page.wait_for_load_state("load")
    assert console_errors == [], "\n".join(console_errors)


def test_a_staff_member_logs_in_to_the_overview_and_opens_the_facilities_page(
    page: Page, live_server, staff_member, password, facilities, console_errors
):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Log in to Kehui Carbon")).to_be_visible()

    page.get_by_label("Username").fill(staff_member.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    # The overview comes first; without activity data it says so.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Road to carbon neutrality")).to_be_visible()
    expect(page.get_by_role("heading", name="No emissions recorded yet")).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Overview")).to_have_attribute(
        "aria-current", "page"
    )

    open_facilities_from_the_nav(page, live_server)
    expect(page.get_by_role("heading", name="Facilities")).to_be_visible()
    # The code heads each row (a row header), the name follows.
    expect(page.locator('#table-facilities tbody th[scope="row"]')).to_have_text(
        ["SH-HQ", "SZ-01"]
    )
    expect(name_cells(page)).to_have_text(["Shanghai Head Office", "Suzhou Assembly Plant"])
    expect(main_nav(page).get_by_role("link", name="Facilities")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".user-name")).to_have_text(staff_member.username)
    assert_no_console_errors(page, console_errors)


def test_the_language_switch_turns_the_page_chinese_and_back(
    page: Page, live_server, staff_member, password, facilities, console_errors
):
    log_in(page, live_server, staff_member.username, password)
    expect(page).to_have_url(f"{live_server.url}/")
    open_facilities_from_the_nav(page, live_server)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(name_cells(page)).to_have_text(["Shanghai Head Office", "Suzhou Assembly Plant"])

    page.get_by_role("button", name="简体中文").click()

    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(f"{live_server.url}/facilities/")
    expect(name_cells(page)).to_have_text(["上海总部", "苏州总装厂"])
    expect(page.get_by_role("button", name="简体中文")).to_be_disabled()

    page.get_by_role("button", name="English").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/facilities/")
    expect(name_cells(page)).to_have_text(["Shanghai Head Office", "Suzhou Assembly Plant"])
    expect(page.get_by_role("button", name="English")).to_be_disabled()
    assert_no_console_errors(page, console_errors)


def test_a_wrong_password_shows_an_error_and_no_console_errors(
    page: Page, live_server, staff_member, console_errors
):
    log_in(page, live_server, staff_member.username, "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text(WRONG_PASSWORD_ERROR)
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert_no_console_errors(page, console_errors)


def test_logging_out_returns_to_the_login_page(
    page: Page, live_server, staff_member, password, facilities, console_errors
):
    log_in(page, live_server, staff_member.username, password)
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_label("Username")).to_be_visible()

    # The session is gone: the facilities page sends the browser back to the login page.
    page.goto(live_server.url + "/facilities/")
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/accounts/login/?next=")))
    assert_no_console_errors(page, console_errors)
