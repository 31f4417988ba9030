"""Large import commits run as jobs: queued by the page, committed all-or-nothing, followed.

The tests' immediate task backend runs a job inside services.start, so a commit above the
threshold has run by the time the page redirects; unfinished jobs are made by hand.
"""

import pytest
from django.urls import reverse

from emissions.activities import imports
from emissions.activities.imports.jobs import commit_import_job
from emissions.activities.models import ActivityRecord, ImportBatch, ImportStatus
from emissions.jobs import registry
from emissions.jobs.models import Job, JobKind, JobStatus
from emissions.roles.definitions import DATA_EDITOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
THREE_ROWS = (
    "XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    "XT-01,grid_electricity,2023-04-01,2023-04-30,1100,kWh,metered\n"
    "XT-01,grid_electricity,2024-05-01,2024-05-31,1200,kWh,metered\n"
)


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """Three rows are "large": a commit of them runs as a job."""
    settings.IMPORT_JOB_ROWS = 2


@pytest.fixture
def importer(django_user_model, organisation, hebei_plant):
    return user_in_roles(django_user_model, "importer", DATA_EDITOR)


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


@pytest.fixture
def batch(importer):
    content = (HEADER + THREE_ROWS).encode()
    return imports.start_import(user=importer, file_name="meters.csv", content=content)


@pytest.fixture
def worker_alive(monkeypatch):
    """A running job made by the test has no worker: on PostgreSQL it would be marked dead."""
    monkeypatch.setattr("emissions.jobs.services.locks.is_held", lambda job_id: True)


def commit_url(batch) -> str:
    return reverse("dashboard:import_commit", args=[batch.pk])


def batch_url(batch) -> str:
    return reverse("dashboard:import_batch", args=[batch.pk])


def commit(client, batch, sha=None):
    return client.post(commit_url(batch), {"sha256": sha or batch.sha256}, follow=True)


def hand_made_job(batch, status=JobStatus.QUEUED, **fields) -> Job:
    return Job.objects.create(
        function=registry.path_of(commit_import_job),
        kind=JobKind.IMPORT,
        description=f"Import {batch.file_name} (3 rows)",
        params={"batch_id": batch.pk, "user_id": batch.user_id, "sha": batch.sha256},
        result_url=batch_url(batch),
        status=status,
        **fields,
    )


def test_a_commit_above_the_threshold_runs_as_a_job(importer_client, importer, batch):
    response = commit(importer_client, batch)
    assert response.redirect_chain == [(batch_url(batch), 302)]
    job = Job.objects.get()
    assert job.kind == JobKind.IMPORT
    assert job.status == JobStatus.SUCCEEDED
    assert job.records == 3
    assert job.result_url == batch_url(batch)
    assert job.requested_by == importer
    assert job.description == "Import meters.csv (3 rows)"
    # Progress in rows written, up to all of them.
    assert (job.done, job.total) == (3, 3)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 3
    page = response.content.decode()
    assert f"Import meters.csv (3 rows): 3 records were changed (job #{job.pk})." in page
    assert "3 records imported." in page


def test_a_commit_at_the_threshold_runs_in_the_request(importer_client, batch, settings):
    settings.IMPORT_JOB_ROWS = 3
    page = commit(importer_client, batch).content.decode()
    assert "3 records imported." in page
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 3
    assert not Job.objects.exists()


def test_a_wrong_checksum_is_refused_before_anything_is_queued(importer_client, batch):
    page = commit(importer_client, batch, sha="f" * 64).content.decode()
    assert "The file does not match its preview; upload it again." in page
    assert not Job.objects.exists()
    assert ActivityRecord.objects.count() == 0


def test_a_committed_import_is_refused_before_anything_is_queued(importer_client, batch):
    commit(importer_client, batch)
    page = commit(importer_client, batch).content.decode()
    assert "This import is committed; only a previewed import can be committed." in page
    assert Job.objects.count() == 1
    assert ActivityRecord.objects.count() == 3


def test_a_refusal_inside_the_job_fails_it_with_the_reason(importer_client, batch):
    # The kept bytes no longer hash to the preview's checksum: only the job, which reads
    # them, can tell.
    ImportBatch.objects.filter(pk=batch.pk).update(content=b"tampered")
    page = commit(importer_client, batch).content.decode()
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    # A refusal is said in the person's words (no exception type, as for a fault).
    assert job.message == (
        "Nothing was changed: The file does not match its preview; upload it again."
    )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED
    assert ActivityRecord.objects.count() == 0
    # The batch page says why, and offers the commit again.
    assert f"The commit (job #{job.pk}) failed: {job.message}" in page
    assert "Import 3 records</button>" in page


def test_a_commit_that_finds_problems_writes_nothing_and_shows_them(
    importer_client, batch, hebei_plant
):
    hebei_plant.code = "XT-09"
    hebei_plant.save()
    page = commit(importer_client, batch).content.decode()
    assert ActivityRecord.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.message == "Nothing was imported: 3 problems were found when committing."
    # The job ran to its end (the failed batch had to be written): it changed no record.
    job = Job.objects.get()
    assert (job.status, job.records) == (JobStatus.SUCCEEDED, 0)
    assert "Nothing was imported: 3 problems were found when committing." in page
    assert page.count("No facility has the code &#x27;XT-01&#x27;.") == 3
    assert "Import 3 records</button>" not in page
    assert "job-progress" not in page


def test_a_second_commit_while_the_job_is_queued_queues_nothing(importer_client, batch):
    queued = hand_made_job(batch)
    page = commit(importer_client, batch).content.decode()
    assert (
        f"This import is already being committed as job #{queued.pk}: its progress is shown "
        "below." in page
    )
    assert Job.objects.count() == 1
    assert ActivityRecord.objects.count() == 0


def test_the_page_follows_a_queued_commit_instead_of_the_button(importer_client, batch):
    job = hand_made_job(batch)
    page = importer_client.get(batch_url(batch)).content.decode()
    progress = reverse("dashboard:job_progress", args=[job.pk])
    assert f'hx-get="{progress}?follow=1"' in page
    assert "Queued at" in page
    assert "Import 3 records</button>" not in page


def test_the_page_shows_how_far_a_running_commit_got(importer_client, batch, worker_alive):
    job = hand_made_job(batch, status=JobStatus.RUNNING, done=2, total=3)
    page = importer_client.get(batch_url(batch)).content.decode()
    progress = reverse("dashboard:job_progress", args=[job.pk])
    assert f'hx-get="{progress}?follow=1"' in page
    assert '<progress max="100" value="66"' in page
    assert "2 of 3 (66 %)" in page
    assert "Import 3 records</button>" not in page


def test_a_commit_whose_worker_died_shows_as_failed(importer_client, batch, monkeypatch):
    monkeypatch.setattr("emissions.jobs.services.locks.is_held", lambda job_id: False)
    job = hand_made_job(batch, status=JobStatus.RUNNING, done=1, total=3)
    page = importer_client.get(batch_url(batch)).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "The worker stopped before the job finished." in page
    assert "Import 3 records</button>" in page


def test_only_the_uploader_sees_the_button_after_a_failed_job(client, batch, django_user_model):
    hand_made_job(batch, status=JobStatus.FAILED, message="Nothing was changed.")
    other = user_in_roles(django_user_model, "other", DATA_EDITOR)
    client.force_login(other)
    page = client.get(batch_url(batch)).content.decode()
    assert "failed: Nothing was changed." in page
    assert "Import 3 records</button>" not in page


def test_the_progress_fragment_sends_the_page_to_the_committed_import(importer_client, batch):
    commit(importer_client, batch)
    job = Job.objects.get()
    url = reverse("dashboard:job_progress", args=[job.pk]) + "?follow=1"
    response = importer_client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == batch_url(batch)


def test_someone_else_cannot_queue_the_uploaders_commit(client, batch, django_user_model):
    other = user_in_roles(django_user_model, "other", DATA_EDITOR)
    client.force_login(other)
    assert client.post(commit_url(batch), {"sha256": batch.sha256}).status_code == 404
    assert not Job.objects.exists()


def test_a_viewer_cannot_queue_a_commit(viewer_client, batch):
    assert viewer_client.post(commit_url(batch), {"sha256": batch.sha256}).status_code == 403
    assert not Job.objects.exists()


def test_the_commit_refuses_get(importer_client, batch):
    assert importer_client.get(commit_url(batch)).status_code == 405
    assert not Job.objects.exists()


def test_the_batch_page_query_count_with_a_queued_job(
    importer_client, batch, django_assert_num_queries
):
    importer_client.get(batch_url(batch))  # session and permission caches warm
    with django_assert_num_queries(7) as without_job:
        importer_client.get(batch_url(batch))
    hand_made_job(batch)
    # The job costs no query of its own: it is the one the page looks for anyway.
    with django_assert_num_queries(len(without_job.captured_queries)):
        importer_client.get(batch_url(batch))
