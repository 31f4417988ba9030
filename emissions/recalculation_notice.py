"""After an admin save that recalculates stored emissions, say how many records it rewrote.

Saving a factor, or the organisation's GWP basis or factor series, queues the rewrite of the
records that depend on it as a job (activities/signals.py → activities/jobs.py), in the
saving transaction. The admins of the factors and of the organisation profile look for the
jobs their save queued, and tell the person who made the change what each did: how many
records it changed when it has already run, else its number and where to follow it (the Jobs
page shows the count once the worker has run it).
"""

from emissions.jobs.messages import job_outcome_message
from emissions.jobs.models import Job


def latest_job_id() -> int:
    """The newest job's id (0 before any): jobs queued after it belong to the next save."""
    return Job.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def jobs_after(job_id: int) -> list[Job]:
    return list(Job.objects.filter(pk__gt=job_id).order_by("pk"))


class RecalculationNoticeMixin:
    """A ModelAdmin whose saves may recalculate records: says what each recalculation did."""

    def save_model(self, request, obj, form, change):
        before = latest_job_id()
        super().save_model(request, obj, form, change)
        for job in jobs_after(before):
            level, message = job_outcome_message(job)
            self.message_user(request, message, level)
