"""What a change queues: a recalculation job naming the years whose figures it changes."""

import datetime as dt

import pytest

from emissions.activities.models import ActivityType
from emissions.facilities.models import Organisation
from emissions.jobs.models import Job, JobStatus
from tests.factories import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(organisation, hebei_plant):
    for year in (2022, 2024):
        make_record(
            hebei_plant, "grid_electricity", "1000", "kWh",
            start=dt.date(year, 3, 1), end=dt.date(year, 3, 31),
        )  # fmt: skip
    make_record(
        hebei_plant, "diesel_stationary", "100", "L",
        start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 31),
    )  # fmt: skip


def test_a_factor_change_names_the_years_of_the_records_using_it(two_years):
    factor = (
        ActivityType.objects.get(code="grid_electricity").records.order_by("year").first().factor
    )
    years = sorted(set(factor.records.values_list("year", flat=True)))
    factor.notes = f"{factor.notes} (checked)"
    factor.save()
    job = Job.objects.get()
    assert job.years == years
    assert job.status == JobStatus.SUCCEEDED
    assert job.records == len(factor.records.all())


def test_a_gwp_basis_switch_changes_every_year(two_years):
    organisation = Organisation.current()
    organisation.gwp_basis = "AR6"
    organisation.save()
    job = Job.objects.get()
    assert job.years == []  # every year
    assert job.description == "Recalculate CO2e of all records: GWP basis AR5 → AR6"
    assert job.records == 3


def test_an_activity_type_change_names_its_records_years(two_years):
    activity_type = ActivityType.objects.get(code="diesel_stationary")
    activity_type.properties_source = f"{activity_type.properties_source} (checked)"
    activity_type.save()
    job = Job.objects.get()
    assert job.years == [2023]
    assert job.description == f"Choose the factors again for {activity_type.name}"


def test_a_change_no_record_depends_on_queues_nothing(organisation):
    activity_type = ActivityType.objects.get(code="diesel_stationary")
    activity_type.properties_source = f"{activity_type.properties_source} (checked)"
    activity_type.save()
    assert not Job.objects.exists()
