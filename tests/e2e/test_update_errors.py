"""When an htmx update fails, the page says so instead of silently staying as it was.

The failures are made in the browser (Playwright answers or aborts the htmx request), so the
server needs no switch for them.
"""

from playwright.sync_api import Page, Route, expect

from tests.e2e.test_dashboard_pages import (
    assert_same_document,
    mark_the_document,
    record_count,
    screenshot,
    url_with,
)

UNAVAILABLE = (
    "The database is unavailable for a moment, so the page was not updated. "
    "Try again in a few seconds."
)


def fail_htmx_requests(page: Page, how):
    """Every htmx request of `page` to the ledger fails with `how(route)`; others go through."""

    def handle(route: Route):
        if route.request.headers.get("hx-request") == "true":
            how(route)
        else:
            route.continue_()

    page.route("**/ledger/?*", handle)


def test_a_503_during_a_filter_change_is_shown_and_cleared_by_the_next_update(
    viewer_page: Page, live_server
):
    page = viewer_page
    page.goto(live_server.url + "/ledger/")
    error = page.locator("#update-error")
    expect(error).to_be_hidden()
    all_records = record_count(page)
    mark_the_document(page)
    fail_htmx_requests(page, lambda route: route.fulfill(status=503, body="unavailable"))

    scope = page.locator("form.ledger-filters select[name=scope]")
    shown_scope = scope.input_value()
    scope.select_option("2")

    expect(error).to_be_visible()
    expect(error).to_have_text(UNAVAILABLE)
    # Nothing was swapped or pushed: the page still shows every record, at its old URL, and
    # the filter is back to what the rows show.
    assert record_count(page) == all_records
    expect(page).to_have_url(live_server.url + "/ledger/")
    expect(scope).to_have_value(shown_scope)
    screenshot(page, "ledger-update-error")

    page.unroute("**/ledger/?*")
    scope.select_option("1")

    expect(page).to_have_url(url_with(live_server, "/ledger/", "scope", 1))
    expect(error).to_be_hidden()
    assert 0 < record_count(page) < all_records
    assert_same_document(page)


def test_a_server_error_and_a_lost_connection_get_their_own_messages(
    viewer_page: Page, live_server
):
    page = viewer_page
    page.goto(live_server.url + "/ledger/")
    error = page.locator("#update-error")
    scope = page.locator("form.ledger-filters select[name=scope]")

    # A filter that worked is in the URL: after a failure the select goes back to it.
    scope.select_option("1")
    expect(page).to_have_url(url_with(live_server, "/ledger/", "scope", 1))

    fail_htmx_requests(page, lambda route: route.fulfill(status=500, body="error"))
    scope.select_option("2")
    expect(error).to_have_text(
        "The page could not be updated because of an error on the server. "
        "Reload the page and try again. (HTTP 500)"
    )
    expect(scope).to_have_value("1")

    page.unroute("**/ledger/?*")
    fail_htmx_requests(page, lambda route: route.abort())
    scope.select_option("3")
    expect(error).to_have_text(
        "The server could not be reached, so the page was not updated. "
        "Check the connection and try again."
    )
    expect(scope).to_have_value("1")
