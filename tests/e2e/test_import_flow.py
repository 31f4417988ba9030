"""The import page in a real browser: a file with a bad row is previewed with its problem,
the fixed file is committed, and the overview's gross emissions grow by what was imported.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Page, expect

from emissions.activities import imports
from tests.e2e.test_dashboard_pages import gross_emissions, screenshot
from tests.e2e.test_login_flow import assert_no_console_errors, log_in, main_nav

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
# Natural gas at the Xingtai plant in 2025: the China default 2.1622 kg CO2 per m³ (its 2024
# value, lagged), so 10,000 + 5,000 m³ add 32.433 t CO2e, all of it Scope 1.
GAS_ROWS = [
    'XT-01,natural_gas_stationary,2025-11-01,2025-11-30,"10,000",m**3,metered\n',
    "XT-01,natural_gas_stationary,2025-12-01,2025-12-31,5000,m**3,invoice\n",
]
ADDED_TONNES = Decimal("32.433")
OVERVIEW_2025 = "/?year=2025"


@pytest.fixture
def importer(transactional_db, staff_member):
    """The viewer of every page, who may also import (add) and roll back (delete) records."""
    staff_member.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["add_activityrecord", "delete_activityrecord"],
        )
    )
    return staff_member


def csv_file(*rows: str) -> dict:
    return {
        "name": "gas-2025.csv",
        "mimeType": "text/csv",
        "buffer": (HEADER + "".join(rows)).encode(),
    }


def tonnes(page: Page) -> Decimal:
    """The overview's gross emissions in tonnes: "12,345.6 tCO2e" → 12345.6."""
    text = gross_emissions(page).inner_text()
    return Decimal(re.match(r"\s*([\d,]+\.\d)", text)[1].replace(",", ""))


def upload(page: Page, file: dict) -> None:
    page.get_by_label("File (CSV or XLSX)").set_input_files(file)
    page.get_by_role("button", name="Upload and preview").click()


def test_an_upload_with_a_bad_row_is_fixed_committed_and_shows_on_the_overview(
    page: Page,
    live_server,
    demo,
    importer,
    password,
    console_errors,  # noqa: F811
):
    log_in(page, live_server, importer.username, password)
    page.goto(live_server.url + OVERVIEW_2025)
    before = tonnes(page)

    main_nav(page).get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/import/")
    expect(page.get_by_text(f"Files up to {imports.MAX_UPLOAD_LABEL}.")).to_be_visible()

    # A typo in the facility code of the second row: the preview names row and column.
    upload(page, csv_file(GAS_ROWS[0], GAS_ROWS[1].replace("XT-01", "XT-10")))
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/import/\d+/$"))
    problems = page.get_by_role("table", name="Problems")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr td")).to_have_text(
        ["3", "facility", "No facility has the code 'XT-10'."]
    )
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    screenshot(page, "import-preview-with-a-problem")

    # The fixed file previews clean, with its rows and their tonnes; committing saves both.
    page.get_by_role("link", name="← Import another file").click()
    upload(page, csv_file(*GAS_ROWS))
    expect(page.get_by_role("table", name="Problems")).to_have_count(0)
    expect(page.locator(".import-summary")).to_contain_text("2 rows read: 2 valid (32.433 tCO2e)")
    page.get_by_role("button", name="Import 2 records").click()
    expect(page.get_by_role("status").filter(has_text="2 records imported.")).to_be_visible()
    expect(page.get_by_text("2 records of this import are in the ledger.")).to_be_visible()
    screenshot(page, "import-committed")

    page.goto(live_server.url + OVERVIEW_2025)
    after = tonnes(page)
    # Both figures are rounded to 0.1 t on the page.
    assert abs(after - before - ADDED_TONNES) <= Decimal("0.1"), (before, after)
    assert_no_console_errors(page, console_errors)
