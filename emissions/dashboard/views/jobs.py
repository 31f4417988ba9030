"""The Jobs page: what runs in the background, who asked for it, and how it ended."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from emissions.activities import rollup_jobs
from emissions.jobs import services
from emissions.jobs.models import CHANGES_FIGURES, UNFINISHED, Job, JobStatus

from .. import permissions as perms
from .common import page_template

JOBS_PER_PAGE = 50
NOTICE_JOBS = 3  # the oldest unfinished jobs a page's notice names


def may_restart(user, job: Job) -> bool:
    # Whoever started it had the right to; an administrator may start anyone's again.
    return job.status == JobStatus.FAILED and (
        user.is_superuser or (job.requested_by_id is not None and job.requested_by_id == user.pk)
    )


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def job_list(request: HttpRequest) -> HttpResponse:
    # A job whose worker was killed would show "running" for ever: say it failed.
    services.fail_dead_jobs()
    jobs = Job.objects.select_related("requested_by").order_by("-created_at", "-id")
    paginator = Paginator(jobs, JOBS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(job, may_restart(request.user, job)) for job in page.object_list],
        # The table polls itself while something it shows may still change.
        "polling": any(job.status in UNFINISHED for job in page.object_list),
    }
    return render(request, page_template(request, "dashboard/jobs.html", "jobs"), context)


@require_POST
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def job_restart(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=job_id)
    if not may_restart(request.user, job):
        raise PermissionDenied
    again = services.restart(job, requested_by=request.user)
    messages.success(
        request,
        _("Job #%(job)s was queued again as #%(again)s.") % {"job": job.pk, "again": again.pk},
    )
    return redirect("dashboard:jobs")


@require_POST
def rollups_rebuild(request: HttpRequest) -> HttpResponse:
    # Rebuilding rewrites every total the pages read: administrators only.
    if not request.user.is_superuser:
        raise PermissionDenied
    try:
        job = rollup_jobs.queue_rebuild(requested_by=request.user)
    except rollup_jobs.RebuildRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.info(
            request,
            _("The rollup rebuild was queued as job #%(job)d; it is listed below.")
            % {"job": job.pk},
        )
    return redirect("dashboard:jobs")


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def jobs_notice(request: HttpRequest) -> HttpResponse:
    """The notice every page loads after itself (htmx): figures are being recalculated.

    Loaded apart, so no page waits for it or counts its query; it polls while jobs run and
    goes away when they are done.
    """
    services.fail_dead_jobs()
    unfinished = list(
        Job.objects.filter(status__in=UNFINISHED, kind__in=CHANGES_FIGURES).order_by(
            "created_at", "id"
        )[:NOTICE_JOBS]
    )
    return render(request, "dashboard/jobs.html#notice", {"unfinished": unfinished})


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    services.fail_dead_jobs()
    job = get_object_or_404(Job.objects.select_related("requested_by"), pk=job_id)
    context = {"job": job, "restartable": may_restart(request.user, job), "follow": False}
    return render(request, "dashboard/job_detail.html", context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress bar a page polls (htmx) while its job runs; then the job's outcome.

    `?follow=1`: once the job has finished, the page that polls goes to the job's result (an
    import's page shows the committed import instead of its progress).
    """
    services.fail_dead_jobs()
    job = get_object_or_404(Job, pk=job_id)
    follow = request.GET.get("follow") == "1"
    response = render(
        request,
        "dashboard/_job_progress.html",
        {"job": job, "restartable": may_restart(request.user, job), "follow": follow},
    )
    if follow and job.is_finished and job.result_url and request.htmx:
        response["HX-Redirect"] = job.result_url
    return response


urlpatterns = [
    path("jobs/<int:job_id>/", job_detail, name="job"),
    path("jobs/<int:job_id>/progress/", job_progress, name="job_progress"),
    path("jobs/", job_list, name="jobs"),
    path("jobs/<int:job_id>/restart/", job_restart, name="job_restart"),
    path("jobs/notice/", jobs_notice, name="jobs_notice"),
    path("jobs/rebuild-rollups/", rollups_rebuild, name="rollups_rebuild"),
]
