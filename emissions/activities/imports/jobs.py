"""Large import commits as background jobs (emissions/jobs): queued by the page, run by a worker.

A commit of a few thousand rows fits in a request; 100,000 rows take about 6 s and a million
would outlast the request's timeout. Above `settings.IMPORT_JOB_ROWS` rows the commit is queued
and the import's page shows its progress. The job runs the same all-or-nothing commit.

How a job ends: a refusal (the import was committed meanwhile, its file no longer matches)
fails the job with the refusal as its message; rows that became invalid since the preview
leave the batch failed with its problems stored, as an in-request commit does. That outcome
must be written, so the job itself succeeds with 0 records and the import's page says why.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions.jobs import services
from emissions.jobs.models import UNFINISHED, Job, JobKind
from emissions.jobs.registry import job_function

from ..models import ImportBatch
from .service import ImportRefused, commit_import, refuse_unless_committable


@job_function
def commit_import_job(batch_id: int, user_id: int, sha: str) -> int:
    """Commit the kept file of the batch; return the number of records written."""
    batch = ImportBatch.objects.defer("content", "preview").filter(pk=batch_id).first()
    if batch is None:
        raise ImportRefused(_("This import no longer exists."))
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ImportRefused(_("The user who asked for this import no longer exists."))
    # An ImportRefused propagates: the job fails, its message naming the refusal.
    check = commit_import(batch=batch, user=user, sha=sha)
    return check.record_count if check.ok else 0


def commit_jobs(batch: ImportBatch):
    """The jobs that committed or commit the batch, newest first (found by their parameters)."""
    return Job.objects.filter(kind=JobKind.IMPORT, params__batch_id=batch.pk).order_by(
        "-created_at", "-id"
    )


def queue_commit(*, batch: ImportBatch, user, sha: str, result_url: str) -> Job:
    """Queue the batch's commit as a job; raise ImportRefused when it can't be or already is."""
    refuse_unless_committable(batch, sha)
    with transaction.atomic():
        _one_queuing_at_a_time(batch)
        unfinished = commit_jobs(batch).filter(status__in=UNFINISHED).first()
        if unfinished is not None:
            raise ImportRefused(
                _(
                    "This import is already being committed as job #%(job)d: its progress "
                    "is shown below."
                )
                % {"job": unfinished.pk}
            )
        return services.start(
            commit_import_job,
            description=ngettext(
                "Import %(file)s (%(rows)s row)", "Import %(file)s (%(rows)s rows)", batch.row_count
            )
            % {"file": batch.file_name, "rows": f"{batch.row_count:,}"},
            kind=JobKind.IMPORT,
            result_url=result_url,
            requested_by=user,
            # The stored preview keeps only the first rows, so the years of all of them are
            # not known without reading the file: none given.
            batch_id=batch.pk,
            user_id=user.pk,
            sha=sha,
        )


def _one_queuing_at_a_time(batch: ImportBatch) -> None:
    """Make two clicks at once queue one job: the second waits, then finds the first's job.

    Not the batch's row lock: a running commit holds that for minutes, and the second click
    would wait for it. This lock is held only while a job is being queued (PostgreSQL; SQLite
    lets one writer at a time in any case).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), %s)",
                ["activities.import.queue", batch.pk],
            )
