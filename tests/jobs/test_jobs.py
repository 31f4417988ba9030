"""Jobs: queued in the caller's transaction, run all-or-nothing, their end recorded."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from emissions.jobs import services
from emissions.jobs.models import Job, JobStatus
from emissions.jobs.registry import UnknownJobFunction
from emissions.jobs.tasks import run_job

from . import functions

pytestmark = pytest.mark.django_db


def test_a_job_runs_its_function_and_records_the_records_it_changed(django_user_model):
    user = django_user_model.objects.create_user("li.wei")
    job = services.start(
        functions.make_groups, description="Two groups", requested_by=user, names=["a", "b"]
    )
    assert job.status == JobStatus.SUCCEEDED
    assert job.records == 2
    assert job.requested_by == user
    assert job.function == "tests.jobs.functions.make_groups"
    assert job.params == {"names": ["a", "b"]}
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert job.task_id
    assert set(Group.objects.filter(name__in=["a", "b"]).values_list("name", flat=True)) == {
        "a",
        "b",
    }


def test_a_failed_job_writes_nothing_and_says_why():
    job = services.start(functions.make_group_then_fail, description="Fails", name="half")
    assert job.status == JobStatus.FAILED
    assert not Group.objects.filter(name="half").exists()
    assert job.message == (
        "Nothing was changed: the job stopped at an error "
        "(ValueError: the factor for half has no unit)."
    )
    assert job.records is None


def test_only_registered_functions_can_be_queued():
    with pytest.raises(UnknownJobFunction):
        services.start(functions.not_a_job_function, description="No")
    assert not Job.objects.exists()


def test_a_row_naming_other_code_is_refused_by_the_worker():
    job = Job.objects.create(function="os.system", params={"command": "true"}, description="x")
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "os.system is not a job function" in job.message


def test_running_a_finished_job_again_does_nothing():
    job = services.start(functions.make_groups, description="Once", names=["once"])
    run_job.call(job.pk)  # a second delivery of the same task
    assert Group.objects.filter(name="once").count() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_a_failed_job_can_be_started_again_and_the_retry_points_back(django_user_model):
    user = django_user_model.objects.create_user("wang.fang")
    failed = services.start(functions.make_group_then_fail, description="Fails", name="again")
    retry = services.restart(failed, requested_by=user)
    assert retry.retry_of == failed
    assert retry.requested_by == user
    assert retry.status == JobStatus.FAILED  # the same error, the same message
    assert retry.params == failed.params


def test_only_a_failed_job_can_be_started_again():
    done = services.start(functions.make_groups, description="Done", names=["done"])
    with pytest.raises(ValueError, match="Only a failed job"):
        services.restart(done, requested_by=None)


def test_a_running_job_no_worker_holds_is_marked_failed():
    job = Job.objects.create(
        function="tests.jobs.functions.make_groups", description="x", status=JobStatus.RUNNING
    )
    marked = services.fail_dead_jobs()
    job.refresh_from_db()
    if connection.vendor == "postgresql":
        assert marked == 1
        assert job.status == JobStatus.FAILED
        assert job.message.startswith("The worker stopped before the job finished.")
    else:  # no advisory locks: a dead worker can't be told from a live one
        assert marked == 0
        assert job.status == JobStatus.RUNNING


def test_a_job_reports_its_progress():
    job = services.start(functions.count_in_steps, description="Steps", steps=4)
    assert (job.done, job.total, job.percent_done) == (4, 4, 100)


def test_progress_outside_a_job_is_ignored():
    functions.count_in_steps(steps=2)  # called directly: no job, no error
