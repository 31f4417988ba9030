"""Rollup rebuilds as jobs: from the command (queued, or --now in place) and the Jobs page."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from emissions.activities import rollup_jobs, rollups
from emissions.activities.models import RecordRollup
from emissions.jobs import registry, services
from emissions.jobs.models import Job, JobKind, JobStatus
from emissions.roles.definitions import ADMINISTRATOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

JOBS = reverse("dashboard:jobs")
REBUILD = reverse("dashboard:rollups_rebuild")


@pytest.fixture
def corrupted(hebei_plant, make_record):
    """Two years of records, and a rollup row changed behind the triggers' back."""
    make_record(hebei_plant, "grid_electricity", "1000.5", "kWh")
    make_record(hebei_plant, "diesel_stationary", "120", "L", start=dt.date(2024, 2, 1),
                end=dt.date(2024, 2, 29))  # fmt: skip
    table = connection.ops.quote_name(RecordRollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET co2e_kg = 1 WHERE year = 2024")
    assert len(rollups.mismatches()) == 1


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def administrator_client(client, django_user_model):
    """Staff in the Administrator role, but not a superuser."""
    client.force_login(user_in_roles(django_user_model, "admin-role", ADMINISTRATOR))
    return client


def unfinished_rebuild() -> Job:
    return Job.objects.create(
        function=registry.path_of(rollup_jobs.rebuild_rollups),
        kind=JobKind.ROLLUPS,
        description="Rebuild the rollups from the activity records",
    )


def test_the_job_rebuilds_corrupted_rollups_reporting_each_one(corrupted):
    job = services.start(rollup_jobs.rebuild_rollups, description="Rebuild", kind=JobKind.ROLLUPS)
    assert job.status == JobStatus.SUCCEEDED
    assert rollups.mismatches() == []
    # One step per rollup table (records and months); it changes no record.
    assert (job.done, job.total) == (2, 2)
    assert job.records is None


def test_a_failing_rebuild_leaves_the_rollups_as_they_were(corrupted, monkeypatch):
    def rebuild_then_fail(connection, rollups=()):
        RecordRollup.objects.all().delete()
        raise RuntimeError("disk full")

    monkeypatch.setattr("emissions.activities.rollups.rollup_sql.rebuild", rebuild_then_fail)
    before = list(RecordRollup.objects.order_by("pk").values())
    job = rollup_jobs.queue_rebuild()
    assert job.status == JobStatus.FAILED
    assert "RuntimeError: disk full" in job.message
    assert list(RecordRollup.objects.order_by("pk").values()) == before


def test_the_command_queues_a_rebuild_and_names_the_job(corrupted):
    out = io.StringIO()
    call_command("rollups", "--rebuild", stdout=out)
    job = Job.objects.get()
    assert job.kind == JobKind.ROLLUPS
    assert job.description == "Rebuild the rollups from the activity records"
    text = out.getvalue()
    assert f"Queued the rollup rebuild as job #{job.pk}." in text
    assert f"Follow it on the Jobs page: {JOBS} (this job: /jobs/{job.pk}/)." in text
    # The tests' immediate backend has run it already.
    assert f"Rebuilt the rollups from the activity records (job #{job.pk})." in text
    assert rollups.mismatches() == []


def test_the_command_refuses_a_second_rebuild_while_one_is_unfinished(corrupted):
    waiting = unfinished_rebuild()
    with pytest.raises(CommandError, match=f"already queued or running: job #{waiting.pk}"):
        call_command("rollups", "--rebuild", stdout=io.StringIO())
    assert Job.objects.count() == 1
    assert len(rollups.mismatches()) == 1


def test_the_command_rebuilds_now_in_its_own_process(corrupted):
    out = io.StringIO()
    call_command("rollups", "--rebuild", "--now", stdout=out)
    assert not Job.objects.exists()
    assert "Rebuilt the rollups from the activity records." in out.getvalue()
    assert "The rollups equal the sums of the activity records." in out.getvalue()
    assert rollups.mismatches() == []


def test_now_without_rebuild_is_refused(corrupted):
    with pytest.raises(CommandError, match="--now goes with --rebuild"):
        call_command("rollups", "--now", stdout=io.StringIO())
    assert len(rollups.mismatches()) == 1


def test_a_superuser_sees_the_form_and_queues_a_rebuild(superuser_client, superuser, corrupted):
    page = superuser_client.get(JOBS).content.decode()
    assert f'action="{REBUILD}"' in page
    response = superuser_client.post(REBUILD, follow=True)
    assert response.redirect_chain == [(JOBS, 302)]
    job = Job.objects.get()
    assert (job.kind, job.requested_by) == (JobKind.ROLLUPS, superuser)
    page = response.content.decode()
    assert f"The rollup rebuild was queued as job #{job.pk}; it is listed below." in page
    assert "Rebuild the rollups from the activity records" in page
    assert rollups.mismatches() == []


def test_a_second_rebuild_while_one_is_unfinished_is_refused(superuser_client, corrupted):
    waiting = unfinished_rebuild()
    page = superuser_client.post(REBUILD, follow=True).content.decode()
    assert f"A rollup rebuild is already queued or running: job #{waiting.pk}." in page
    assert Job.objects.count() == 1
    assert len(rollups.mismatches()) == 1


def test_an_administrator_who_is_not_a_superuser_gets_403(administrator_client):
    assert f'action="{REBUILD}"' not in administrator_client.get(JOBS).content.decode()
    assert administrator_client.post(REBUILD).status_code == 403
    assert not Job.objects.exists()


def test_a_viewer_gets_403(viewer_client):
    assert viewer_client.post(REBUILD).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post(REBUILD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Job.objects.exists()


def test_the_rebuild_refuses_get(superuser_client):
    assert superuser_client.get(REBUILD).status_code == 405
    assert not Job.objects.exists()


def test_the_jobs_page_with_the_form_has_a_pinned_query_count(
    superuser_client, django_assert_num_queries
):
    unfinished_rebuild()
    superuser_client.get(JOBS)  # session cache warm
    # Session, user, dead-job check, count, page of jobs: the form itself costs no query.
    with django_assert_num_queries(5):
        page = superuser_client.get(JOBS).content.decode()
    assert f'action="{REBUILD}"' in page
