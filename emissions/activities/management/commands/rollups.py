from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from emissions.activities import rollup_jobs, rollups
from emissions.jobs.models import JobStatus


class Command(BaseCommand):
    help = (
        "Check that the record rollups the dashboard reads equal the sums of the activity "
        "records, or rebuild them from the records."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Queue a job that recomputes both rollups from the records (the Jobs page "
            "shows it).",
        )
        parser.add_argument(
            "--now",
            action="store_true",
            help="With --rebuild: recompute them in this process instead (in one "
            "transaction, for a maintenance window), then check.",
        )

    def handle(self, *args, rebuild=False, now=False, **options):
        if now and not rebuild:
            raise CommandError("--now goes with --rebuild: rollups --rebuild --now.")
        if rebuild and not now:
            self._queue()
            return
        if rebuild:
            rollups.rebuild()
            self.stdout.write("Rebuilt the rollups from the activity records.")
        problems = rollups.mismatches()
        for problem in problems[:50]:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} rollup rows differ from the records: run rollups --rebuild."
            )
        self.stdout.write("The rollups equal the sums of the activity records.")

    def _queue(self) -> None:
        try:
            job = rollup_jobs.queue_rebuild()
        except rollup_jobs.RebuildRefused as refusal:
            raise CommandError(str(refusal)) from None
        # The check would only compare the old rollups: the worker has yet to run the job.
        self.stdout.write(
            f"Queued the rollup rebuild as job #{job.pk}. Follow it on the Jobs page: "
            f"{reverse('dashboard:jobs')} (this job: {reverse('dashboard:job', args=[job.pk])}). "
            "Run `rollups` again to check once it has finished."
        )
        # The immediate backend (TASKS_BACKEND=immediate) has run it already: say how it ended.
        if job.status == JobStatus.SUCCEEDED:
            self.stdout.write(f"Rebuilt the rollups from the activity records (job #{job.pk}).")
        elif job.status == JobStatus.FAILED:
            raise CommandError(f"Job #{job.pk} failed: {job.message}")
