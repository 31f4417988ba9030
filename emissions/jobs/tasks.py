"""The one task the queue runs: a Job, all-or-nothing, one at a time."""

import logging

from django.db import transaction
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone
from django.utils.translation import gettext as _

from . import locks, progress, registry
from .errors import JobRefused
from .models import Job, JobStatus

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> None:
    """Run the job's function in one transaction; record how it ended on the Job row.

    A second delivery of the same task (a retried worker) finds the job claimed or finished
    and does nothing: running a job is idempotent at this level.
    """
    locks.hold_job(job_id)
    try:
        claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now()
        )
        if claimed:
            _run(Job.objects.get(pk=job_id))
    finally:
        locks.release_job(job_id)


def _run(job: Job) -> None:
    try:
        function = registry.resolve(job.function)
        # In a worker, progress goes through a connection of its own (progress.py).
        in_worker = not isinstance(run_job.get_backend(), ImmediateBackend)
        with progress.reporting(job.pk, own_connection=in_worker), transaction.atomic():
            locks.one_job_at_a_time()
            outcome = function(**job.params)
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.function)
        _finish(job, JobStatus.FAILED, message=_describe(error))
        return
    # A job function returns the number of records it changed (or nothing).
    records = outcome if isinstance(outcome, int) and not isinstance(outcome, bool) else None
    _finish(job, JobStatus.SUCCEEDED, records=records)


def _finish(job: Job, status: str, *, message: str = "", records: int | None = None) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now(), message=message, records=records
    )


def _describe(error: Exception) -> str:
    text = str(error).strip()
    if isinstance(error, JobRefused) and text:
        return _("Nothing was changed: %(reason)s") % {"reason": text[:500]}
    summary = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return _("Nothing was changed: the job stopped at an error (%(error)s).") % {
        "error": summary[:500]
    }
