"""Rollup rebuilds as background jobs (emissions/jobs), asked for by an administrator.

A rebuild deletes and recomputes both rollup tables from the records; at a million records it
takes seconds to minutes. As a job it runs in a worker, one job at a time, all-or-nothing,
reporting each rollup done; `manage.py rollups --rebuild --now` still rebuilds in place.
"""

from django.utils.translation import gettext as _

from emissions.jobs import services
from emissions.jobs.models import UNFINISHED, Job, JobKind
from emissions.jobs.registry import job_function

from . import rollups


class RebuildRefused(Exception):
    pass


@job_function
def rebuild_rollups() -> None:
    """Recompute both rollups from the records (they change no record: no count returned)."""
    rollups.rebuild()


def queue_rebuild(*, requested_by=None) -> Job:
    """Queue a rebuild; raise RebuildRefused while another one is unfinished."""
    unfinished = Job.objects.filter(kind=JobKind.ROLLUPS, status__in=UNFINISHED).first()
    if unfinished is not None:
        # A second one would only do the same work again, after the first.
        raise RebuildRefused(
            _("A rollup rebuild is already queued or running: job #%(job)d.")
            % {"job": unfinished.pk}
        )
    return services.start(
        rebuild_rollups,
        description=_("Rebuild the rollups from the activity records"),
        kind=JobKind.ROLLUPS,
        requested_by=requested_by,
    )
