"""A real worker process on PostgreSQL: it runs queued jobs, and a `kill -9` mid-job writes nothing.

The rest of the suite runs jobs with the immediate backend; this is the one test of the
database queue and the worker (`manage.py db_worker`) as production runs them.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tasks_db.backend import DatabaseBackend

from emissions.jobs import services
from emissions.jobs.models import Job, JobStatus
from emissions.jobs.tasks import run_job

from . import functions

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker reads the test database from another process: PostgreSQL only",
    ),
]


def queue(function, **params) -> Job:
    """Queue a job in the database, as `services.start` does outside the tests."""
    job = Job.objects.create(
        function=f"{function.__module__}.{function.__qualname__}", params=params, description="t"
    )
    DatabaseBackend("default", {}).enqueue(run_job, (job.pk,), {})
    return job


@pytest.fixture
def worker():
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "DEBUG": "true"}
    env.pop("PYTEST_VERSION", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def wait_for(job: Job, *statuses: str, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds} s")


def test_the_worker_runs_a_queued_job_and_a_killed_worker_leaves_nothing_half_written(worker):
    done = wait_for(queue(functions.make_groups, names=["by the worker"]), JobStatus.SUCCEEDED)
    assert done.records == 1
    assert Group.objects.filter(name="by the worker").exists()

    # Progress is seen while the job's transaction is still open.
    steps = queue(functions.count_in_steps, steps=4, seconds_per_step=1.5)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        steps.refresh_from_db()
        if steps.status == JobStatus.RUNNING and steps.done:
            break
        time.sleep(0.1)
    assert steps.status == JobStatus.RUNNING and 1 <= steps.done < 4 and steps.total == 4
    assert wait_for(steps, JobStatus.SUCCEEDED).done == 4

    slow = wait_for(
        queue(functions.make_group_then_wait, name="half written", seconds=60), JobStatus.RUNNING
    )
    time.sleep(1)  # inside the job's transaction now: the group is written, not committed
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    # PostgreSQL ends the dead worker's session (rolling back, releasing its locks) once it
    # sees the connection closed: a moment, not at once.
    deadline = time.monotonic() + 30
    while not services.fail_dead_jobs() and time.monotonic() < deadline:
        time.sleep(0.2)
    slow.refresh_from_db()
    assert slow.status == JobStatus.FAILED
    assert not Group.objects.filter(name="half written").exists()
