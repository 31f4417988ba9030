"""The approvals inbox: everything waiting for the signed-in approver, reviewed in bulk.

Each approval or rejection goes through activities/workflow.py, so every rule of the record
page applies here too (maker-checker, locked years, a reason for a rejection).
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from emissions.activities import workflow
from emissions.activities.models import ActivityRecord

from .. import permissions as perms
from ..pages import approvals as inbox
from .review import REASON_REQUIRED

# More than a page of the inbox shows: a selection is one page's checkboxes.
MAX_SELECTED = 200


class RecordIdsField(forms.Field):
    """The ticked records' ids (checkboxes named "records"), as a list of ints."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": gettext_lazy("Select the records to approve or reject."),
        "invalid": gettext_lazy("“%(value)s” is not a record number."),
        "too_many": gettext_lazy(
            "At most %(limit)s records can be reviewed at once; %(count)s were selected."
        ),
    }

    def to_python(self, value) -> list[int]:
        ids = []
        for item in value or []:
            text = str(item).strip()
            if not text.isdigit():
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": text[:20]}
                )
            ids.append(int(text))
        return sorted(set(ids))

    def validate(self, value: list[int]) -> None:
        super().validate(value)
        if len(value) > MAX_SELECTED:
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"limit": MAX_SELECTED, "count": len(value)},
            )


class BulkReviewForm(forms.Form):
    records = RecordIdsField()
    action = forms.ChoiceField(
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
        error_messages={"required": gettext_lazy("Choose to approve or to reject.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejecting the selected records"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The inbox page to go back to.
    page = forms.IntegerField(required=False, min_value=1)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_REQUIRED)
        return cleaned


class InboxQuery(forms.Form):
    page = forms.IntegerField(required=False, min_value=1)


@dataclass
class BulkOutcome:
    done: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (record id, why)


def review_each(step, ids: list[int]) -> BulkOutcome:
    """Take the review step for the selection; what the workflow refuses is told per record.

    The whole selection first, in one set-based step (the usual case: nothing to refuse).
    When the workflow refuses it (it refuses a selection whole), record by record, so every
    other record is still reviewed and each refusal names its record and the rule's reason.
    """
    found = set(ActivityRecord.objects.filter(pk__in=ids).values_list("pk", flat=True))
    outcome = BulkOutcome()
    gone = _("It no longer exists (deleted or rolled back since the page was shown).")
    outcome.refused = [(pk, gone) for pk in ids if pk not in found]
    if not found:
        return outcome
    try:
        outcome.done = step(ActivityRecord.objects.filter(pk__in=found))
        return outcome
    except workflow.ReviewRefused:
        pass
    for pk in sorted(found):
        try:
            outcome.done += step(ActivityRecord.objects.filter(pk=pk))
        except workflow.ReviewRefused as refusal:
            outcome.refused.append((pk, str(refusal)))
    outcome.refused.sort()
    return outcome


# Past this many, the refusals are summed up in one message.
REFUSALS_LISTED = 10


def _report(request: HttpRequest, outcome: BulkOutcome, action: str) -> None:
    if outcome.done:
        done = (
            ngettext("Approved %(count)s record.", "Approved %(count)s records.", outcome.done)
            if action == "approve"
            else ngettext(
                "Rejected %(count)s record: its submitter can correct it and submit it again.",
                "Rejected %(count)s records: their submitters can correct them and submit "
                "them again.",
                outcome.done,
            )
        )
        messages.success(request, done % {"count": outcome.done})
    for pk, why in outcome.refused[:REFUSALS_LISTED]:
        refused = (
            _("Record %(id)s was not approved: %(why)s")
            if action == "approve"
            else _("Record %(id)s was not rejected: %(why)s")
        )
        messages.error(request, refused % {"id": pk, "why": why})
    rest = len(outcome.refused) - REFUSALS_LISTED
    if rest > 0:
        messages.error(
            request,
            ngettext(
                "%(count)s more record was refused: select fewer to see why.",
                "%(count)s more records were refused: select fewer to see why.",
                rest,
            )
            % {"count": rest},
        )


def _inbox_url(page: int | None) -> str:
    url = reverse("dashboard:approvals")
    return f"{url}?page={page}" if page and page > 1 else url


@require_safe
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def approvals(request: HttpRequest) -> HttpResponse:
    query = InboxQuery(request.GET)
    ignored = []
    if not query.is_valid():
        ignored.append(
            _("Ignored page “%(value)s”: %(error)s")
            % {"value": request.GET.get("page", ""), "error": query.errors["page"][0]}
        )
    page_number = query.cleaned_data.get("page") or 1  # an invalid page is not in it
    context = {
        "page": inbox.approvals_page(request.user, page_number),
        "ignored": ignored,
        "form": BulkReviewForm(),
    }
    return render(request, "dashboard/approvals.html", context)


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def approvals_review(request: HttpRequest) -> HttpResponse:
    form = BulkReviewForm(request.POST)
    if not form.is_valid():
        # Nothing is reviewed when anything is wrong: each problem is said, by field.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_inbox_url(form.cleaned_data.get("page")))
    action = form.cleaned_data["action"]
    user = request.user
    if action == "approve":
        outcome = review_each(
            lambda records: workflow.approve(records, user=user), form.cleaned_data["records"]
        )
    else:
        reason = form.cleaned_data["reason"]
        outcome = review_each(
            lambda records: workflow.reject(records, user=user, reason=reason),
            form.cleaned_data["records"],
        )
    _report(request, outcome, action)
    return redirect(_inbox_url(form.cleaned_data.get("page")))


@require_safe
@permission_required([perms.VIEW_RECORDS, perms.APPROVE_RECORDS], raise_exception=True)
def approvals_count(request: HttpRequest) -> HttpResponse:
    # The main navigation loads it after the page (htmx): no page waits for, or pins, its queries.
    counts = inbox.waiting_counts(request.user)
    return render(request, "dashboard/approvals.html#nav_count", {"counts": counts})


urlpatterns = [
    path("approvals/", approvals, name="approvals"),
    path("approvals/review/", approvals_review, name="approvals_review"),
    path("approvals/count/", approvals_count, name="approvals_count"),
]
