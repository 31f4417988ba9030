"""Long work in a real browser: a factor changed in the admin queues its records' recalculation;
the job's page shows a progress bar (htmx polling under the strict CSP) until a worker has run
it, then its outcome; the record's figures have changed."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.jobs.models import Job, JobStatus
from emissions.jobs.tasks import run_job
from tests.e2e.test_login_flow import assert_no_console_errors, log_in
from tests.factories import make_record

DUMMY_QUEUE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def superuser(transactional_db, django_user_model, password):
    return django_user_model.objects.create_superuser("root", password=password)


@pytest.fixture
def record(facilities) -> ActivityRecord:
    """A record on the organisation's own factor (shipped factors are read-only in the admin)."""
    Organisation.objects.create(name_en="Kehui e2e", base_year=2019, gwp_basis="AR5")
    own = FactorDataset.objects.create(name="Kehui supplier data", publisher="Kehui", version="1")
    EmissionFactor.objects.create(
        key="own_grid_js_2024",
        name="Jiangsu grid 2024 (own)",
        dataset=own,
        group="grid_electricity",
        series="mee_nbs",
        category="s2_electricity",
        unit="kWh",
        region=facilities[0].province,
        year=2024,
        co2_kg=Decimal("0.7"),
        source_reference="Supplier statement",
    )
    record = make_record(
        facilities[0],
        "grid_electricity",
        Decimal("1000"),
        "kWh",
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 31),
    )
    assert record.factor.key == "own_grid_js_2024"
    return record


def test_a_factor_change_queues_a_job_the_page_follows_until_the_figures_change(
    page: Page, live_server, superuser, password, record, settings, console_errors
):
    # A queue that keeps its tasks: the job waits, as it would for a busy worker, until this
    # test runs it.
    settings.TASKS = DUMMY_QUEUE
    factor = record.factor
    assert record.co2e_kg == Decimal("1000") * factor.co2_kg
    log_in(page, live_server, superuser.username, password)

    page.goto(f"{live_server.url}/admin/factors/emissionfactor/{factor.pk}/change/")
    page.locator("#id_co2_kg").fill("0.5")
    page.get_by_role("button", name="Save", exact=True).click()
    job = Job.objects.get()
    expect(page.get_by_text(f"recalculation of 1 record queued as job #{job.pk}")).to_be_visible()
    page.get_by_role("link", name=f"Job #{job.pk}").click()

    expect(page.get_by_role("heading", name=f"Job #{job.pk}")).to_be_visible()
    progress = page.locator(f"#job-progress-{job.pk}")
    expect(progress.get_by_text("Queued", exact=True)).to_be_visible()
    expect(progress.locator("progress")).to_be_visible()
    # The records keep their figures until the job has run.
    assert ActivityRecord.objects.get(pk=record.pk).co2e_kg == record.co2e_kg

    run_job.call(job.pk)  # what a worker does
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    # The page polls every 2 s: it turns into the outcome without a reload.
    expect(progress.get_by_text("Finished", exact=True)).to_be_visible(timeout=10_000)
    expect(progress.get_by_text("1 record changed.")).to_be_visible()
    expect(progress.locator("progress")).to_have_count(0)

    page.goto(f"{live_server.url}/ledger/{record.pk}/")
    expect(page.get_by_text("500.000", exact=False).first).to_be_visible()
    assert ActivityRecord.objects.get(pk=record.pk).co2e_kg == Decimal("500.000000")
    page.wait_for_load_state("networkidle")
    assert_no_console_errors(page, console_errors)
