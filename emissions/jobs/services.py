"""Starting jobs, restarting failed ones, and noticing jobs whose worker died."""

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from . import locks, registry
from .models import Job, JobKind, JobStatus
from .tasks import run_job


def requesting_user():
    """The signed-in user of the request being served, if any (for jobs started by signals)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def start(
    function: Callable,
    *,
    description: str,
    kind: str = JobKind.RECALCULATION,
    result_url: str = "",
    requested_by=None,
    years=(),
    expected_records: int | None = None,
    **params,
) -> Job:
    """Queue `function(**params)` as a job, in the caller's transaction.

    The queue (django-tasks-db) lives in the same database: the task row commits or rolls
    back with the change that asked for it, so a worker never runs a job for a change that
    was not saved. With the immediate backend (tests) the job runs here and now. `years`:
    the reporting years whose figures it changes (none given: every year); `result_url`: the
    page that shows what it did; `expected_records`: how many records it is to rewrite, said when
    it is queued (its progress then counts them).
    """
    path = registry.path_of(function)
    registry.resolve(path)  # refuses a function not marked @job_function
    job = Job.objects.create(
        function=path,
        params=params,
        description=description[:300],
        kind=kind,
        result_url=result_url[:300],
        years=sorted(set(years)),
        total=expected_records,
        requested_by=requested_by if requested_by is not None else requesting_user(),
    )
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def restart(job: Job, *, requested_by) -> Job:
    if job.status != JobStatus.FAILED:
        raise ValueError(_("Only a failed job can be started again."))
    function = registry.resolve(job.function)
    again = start(
        function,
        description=job.description,
        kind=job.kind,
        result_url=job.result_url,
        requested_by=requested_by,
        years=job.years,
        **job.params,
    )
    Job.objects.filter(pk=again.pk).update(retry_of=job)
    again.refresh_from_db()
    return again


def fail_dead_jobs() -> int:
    """Mark failed the running jobs no live worker holds (killed mid-way); return how many.

    Their transaction died with the worker, so nothing they did was written.
    """
    dead = [
        job.pk
        for job in Job.objects.filter(status=JobStatus.RUNNING).only("pk")
        if not locks.is_held(job.pk)
    ]
    if not dead:
        return 0
    return Job.objects.filter(pk__in=dead, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "The worker stopped before the job finished. Nothing was changed: a job's "
            "changes are written all together or not at all. Start it again."
        ),
    )
