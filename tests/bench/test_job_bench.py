"""Benchmark: recalculations of a million records as background jobs, with the site in use.

A real worker process (`manage.py db_worker`, the database queue) runs a GWP-basis switch and
a factor change; meanwhile this process requests the overview page as a signed-in user, one
request after another. Goals (issue 17): each job reports its progress at least every 5 s; the
overview's p95 while the job runs is measured. Run with `make bench` against PostgreSQL; size
with KEHUI_BENCH_RECORDS. The table is printed and written to var/bench/jobs.txt.
"""

import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.backend import DatabaseBackend

from emissions.activities import jobs as activity_jobs
from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor
from emissions.jobs.models import Job, JobKind, JobStatus
from emissions.jobs.registry import path_of
from emissions.jobs.tasks import run_job

ROOT = Path(__file__).resolve().parents[2]
PROGRESS_GOAL_SECONDS = 5

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The worker reads the benchmark's database from another process: PostgreSQL only.",
)


@pytest.fixture
def worker():
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    # DEBUG only spares the production settings' checks; a job is a handful of statements.
    env = {**os.environ, "DATABASE_URL": url, "TASKS_BACKEND": "database", "DEBUG": "true"}
    env.pop("PYTEST_VERSION", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2",
         "--no-startup-delay"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield process
    process.kill()
    process.wait(timeout=30)


def queue(function, description: str, **params) -> Job:
    """What services.start does in production: a Job row and its task in the database queue."""
    job = Job.objects.create(
        function=path_of(function), params=params, description=description,
        kind=JobKind.RECALCULATION,
    )  # fmt: skip
    DatabaseBackend("default", {}).enqueue(run_job, (job.pk,), {})
    return job


def follow(job: Job, client, url: str, worker) -> dict:
    """Request `url` again and again until the job ends; time the pages and the progress."""
    page_ms, seen = [], []  # seen: (monotonic time, done) whenever the reported progress moves
    running_since = None
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200
        job.refresh_from_db()
        if job.status == JobStatus.RUNNING and running_since is None:
            running_since = time.monotonic()
        if running_since is not None:
            page_ms.append((time.perf_counter() - started) * 1000)
        if running_since is not None and (not seen or seen[-1][1] != job.done):
            seen.append((time.monotonic(), job.done))
        if job.is_finished:
            break
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        time.sleep(0.1)
    assert job.status == JobStatus.SUCCEEDED, job.message
    ended = time.monotonic()
    moments = [running_since or ended, *(moment for moment, _done in seen), ended]
    gaps = [later - earlier for earlier, later in pairwise(moments)]
    page_ms.sort()
    return {
        "seconds": (job.finished_at - job.started_at).total_seconds(),
        "records": job.records,
        "progress reports seen": len(seen),
        "longest gap between reports (s)": max(gaps),
        "overview requests during the job": len(page_ms),
        "overview median (ms)": statistics.median(page_ms) if page_ms else None,
        "overview p95 (ms)": page_ms[int(0.95 * (len(page_ms) - 1))] if page_ms else None,
    }


def test_recalculation_jobs_report_progress_while_the_site_stays_responsive(
    bench_data, worker, client, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("bench", password="x"))
    url = "/"
    client.get(url)  # warm the caches of this process
    results = {}

    Organisation.objects.update(gwp_basis="AR6")  # as the admin's save would, without its signal
    job = queue(activity_jobs.recalculate_all_co2e, "GWP basis AR5 → AR6", reason="bench")
    results["GWP basis switch"] = follow(job, client, url, worker)

    EmissionFactor.objects.filter(pk=bench_data.main_factor_id).update(co2_kg=Decimal("0.6123"))
    job = queue(
        activity_jobs.recalculate_factors, "main factor changed",
        factor_ids=[bench_data.main_factor_id], reason="bench",
    )  # fmt: skip
    results["factor change"] = follow(job, client, url, worker)

    lines = [f"Recalculation jobs, {bench_data.records:,} records (a real db_worker process)"]
    for name, figures in results.items():
        lines.append(f"\n{name}")
        lines.extend(
            f"  {label:<36} {value:,.1f}" if isinstance(value, float) else f"  {label:<36} {value}"
            for label, value in figures.items()
        )
    table = "\n".join(lines)
    print("\n" + table)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "jobs.txt").write_text(table + "\n", encoding="utf-8")
    for name, figures in results.items():
        assert figures["records"] == bench_data.records or name == "factor change"
        assert figures["longest gap between reports (s)"] <= PROGRESS_GOAL_SECONDS, name
