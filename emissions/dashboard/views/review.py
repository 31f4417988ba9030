"""Maker-checker review from the record page and the import page: submit, approve, reject."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from emissions.activities import workflow
from emissions.activities.models import ActivityRecord, ImportBatch, ImportStatus, ReviewStatus

from .. import permissions as perms

REASON_REQUIRED = gettext_lazy("Say why: the submitter will read it.")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": REASON_REQUIRED},
    )


@dataclass(frozen=True)
class ReviewActions:
    """What this user may do with this record's (or import's) review, and why not."""

    can_submit: bool
    can_review: bool  # approve or reject
    own_submission: bool  # submitted by this user: someone else must review it
    own_input: bool  # entered or changed by this user since the last approval: likewise
    reject_form: RejectForm | None


def review_actions(user, record: ActivityRecord) -> ReviewActions:
    submitted = record.status == ReviewStatus.SUBMITTED
    may_review = submitted and user.has_perm(perms.APPROVE_RECORDS)
    own = may_review and record.submitted_by_id == user.pk
    # Whoever entered or changed the inputs since the last approval may not review them either
    # (the workflow refuses it): the buttons are not offered, and the page says why.
    entered = may_review and not own and _entered_or_changed_by(user, record)
    can_review = may_review and not (own or entered)
    return ReviewActions(
        can_submit=record.status in workflow.SUBMITTABLE and user.has_perm(perms.CHANGE_RECORDS),
        can_review=can_review,
        own_submission=own,
        own_input=entered,
        reject_form=RejectForm() if can_review else None,
    )


def _entered_or_changed_by(user, record: ActivityRecord) -> bool:
    count, _example = workflow.input_editor_of(user, ActivityRecord.objects.filter(pk=record.pk))
    return count > 0


def _record_url(pk: int) -> str:
    return reverse("dashboard:record_detail", args=[pk]) + "#review"


def _done(request, step, records, success: str) -> None:
    try:
        count = step(records)
    except workflow.ReviewRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success(count) if callable(success) else success)


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.CHANGE_RECORDS], raise_exception=True)
def record_submit(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ActivityRecord, pk=pk)
    _done(
        request,
        lambda records: workflow.submit(records, user=request.user),
        ActivityRecord.objects.filter(pk=record.pk),
        _("Submitted for approval."),
    )
    return redirect(_record_url(record.pk))


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def record_approve(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ActivityRecord, pk=pk)
    _done(
        request,
        lambda records: workflow.approve(records, user=request.user),
        ActivityRecord.objects.filter(pk=record.pk),
        _("Approved: the record now counts in the inventory report."),
    )
    return redirect(_record_url(record.pk))


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def record_reject(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ActivityRecord, pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect(_record_url(record.pk))
    _done(
        request,
        lambda records: workflow.reject(
            records, user=request.user, reason=form.cleaned_data["reason"]
        ),
        ActivityRecord.objects.filter(pk=record.pk),
        _("Rejected: the submitter can correct the record and submit it again."),
    )
    return redirect(_record_url(record.pk))


def _committed_batch(pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.defer("content", "preview"), pk=pk, status=ImportStatus.COMMITTED
    )


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def import_approve(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _committed_batch(pk)
    _done(
        request,
        lambda records: workflow.approve(records, user=request.user),
        batch.records.filter(status=ReviewStatus.SUBMITTED),
        lambda count: (
            ngettext(
                "Approved %(count)s record of this import.",
                "Approved %(count)s records of this import.",
                count,
            )
            % {"count": count}
        ),
    )
    return redirect("dashboard:import_batch", pk=batch.pk)


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def import_reject(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _committed_batch(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("dashboard:import_batch", pk=batch.pk)
    _done(
        request,
        lambda records: workflow.reject(
            records, user=request.user, reason=form.cleaned_data["reason"]
        ),
        batch.records.filter(status=ReviewStatus.SUBMITTED),
        lambda count: (
            ngettext(
                "Rejected %(count)s record of this import.",
                "Rejected %(count)s records of this import.",
                count,
            )
            % {"count": count}
        ),
    )
    return redirect("dashboard:import_batch", pk=batch.pk)


def import_review_counts(batch: ImportBatch) -> dict[str, int]:
    """How many of the import's records are in each review status (one query)."""
    counts = dict.fromkeys(ReviewStatus.values, 0)
    rows = batch.records.order_by().values_list("status").annotate(count=Count("pk"))
    for status, count in rows:
        counts[status] = count
    return counts


urlpatterns = [
    path("ledger/<int:pk>/submit/", record_submit, name="record_submit"),
    path("ledger/<int:pk>/approve/", record_approve, name="record_approve"),
    path("ledger/<int:pk>/reject/", record_reject, name="record_reject"),
    path("import/<int:pk>/approve/", import_approve, name="import_approve"),
    path("import/<int:pk>/reject/", import_reject, name="import_reject"),
]
