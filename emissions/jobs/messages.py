"""What a person is told about a job they just caused: finished, failed, or queued."""

from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Job, JobKind, JobStatus


def job_outcome_message(job: Job) -> tuple[int, str]:
    """(messages level, text) for the job: its result if it already ran, else where to follow it."""
    link = format_html(
        '<a href="{}">{}</a>',
        reverse("dashboard:job", args=[job.pk]),
        _("Job #%(job)d") % {"job": job.pk},
    )
    if job.status == JobStatus.SUCCEEDED:
        count = job.records or 0
        text = ngettext(
            "%(description)s: %(count)d record was changed (job #%(job)d).",
            "%(description)s: %(count)d records were changed (job #%(job)d).",
            count,
        ) % {"description": job.description, "count": count, "job": job.pk}
        return messages.SUCCESS, text
    if job.status == JobStatus.FAILED:
        return messages.ERROR, f"{job.description}: {job.message}"
    if job.kind == JobKind.RECALCULATION and job.total is not None:
        text = ngettext(
            "%(description)s: recalculation of %(count)s record queued as job #%(job)d. The "
            "figures change when it has run; follow it here:",
            "%(description)s: recalculation of %(count)s records queued as job #%(job)d. The "
            "figures change when it has run; follow it here:",
            job.total,
        ) % {"description": job.description, "count": f"{job.total:,}", "job": job.pk}
        return messages.INFO, format_html("{} {}", text, link)
    return messages.INFO, format_html(
        "{} {}",
        _(
            "%(description)s: queued as job #%(job)d. The figures change when it has run; "
            "follow it here:"
        )
        % {"description": job.description, "job": job.pk},
        link,
    )
