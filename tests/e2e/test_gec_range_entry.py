"""Entering a range of GECs by their codes in the admin, in a real browser: a wrong count is
named on its field and nothing is saved; the corrected range is saved, read from its codes."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from emissions.activities.catalogue import load_activity_types
from emissions.activities.models import ActivityType
from emissions.facilities.models import Organisation
from emissions.factors.loading import load_shipped_factors
from emissions.factors.models import EmissionFactor
from emissions.offsets.models import ClaimedGecCode, EnergyCertificate
from tests.e2e.test_login_flow import assert_no_console_errors, log_in
from tests.factories import gec_code, make_record


@pytest.fixture
def superuser(transactional_db, django_user_model, password):
    return django_user_model.objects.create_superuser("root", password=password)


@pytest.fixture
def grid_electricity(facilities):
    """200 MWh of grid electricity at the Suzhou plant in March 2024."""
    if not (EmissionFactor.objects.exists() and ActivityType.objects.exists()):
        load_shipped_factors()
        load_activity_types()
    Organisation.objects.create(name_en="Kehui e2e", base_year=2019, gwp_basis="AR5")
    return make_record(
        facilities[0],
        "grid_electricity",
        Decimal("200"),
        "MWh",
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 31),
    )


def test_a_gec_range_is_entered_by_its_codes(
    page: Page, live_server, superuser, password, grid_electricity, console_errors
):
    log_in(page, live_server, superuser.username, password)
    page.goto(f"{live_server.url}/admin/offsets/energycertificate/add/")
    page.locator("#id_scheme").select_option("gec")
    # Pasted as a PDF shows them: grouped with spaces.
    first, last = gec_code(501, month=3), gec_code(600, month=3)
    page.locator("#id_gec_code_first").fill(f"{first[:17]} {first[17:23]} {first[23:]}")
    page.locator("#id_gec_code_last").fill(last)
    page.locator("#id_technology").select_option("wind")
    page.locator("#id_mwh").fill("99")
    page.locator("#id_facility").select_option(label="SZ-01 Suzhou Assembly Plant")
    page.locator("#id_reporting_year").fill("2024")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(
        page.get_by_text(f"Codes {first}–{last} are 100 GECs, not 99 MWh: one GEC is one MWh.")
    ).to_be_visible()
    assert not EnergyCertificate.objects.exists()

    page.locator("#id_mwh").fill("100")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#result_list")).to_contain_text(f"{first}–{last}")
    certificate = EnergyCertificate.objects.get()
    assert (certificate.gec_code_first, certificate.gec_code_last) == (first, last)
    assert (certificate.generation_start, certificate.generation_end) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 31),
    )
    assert ClaimedGecCode.objects.count() == 100
    assert_no_console_errors(page, console_errors)
