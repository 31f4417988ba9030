"""Maker-checker review of activity records: draft → submitted → approved, or rejected.

The person who submitted a record may not approve or reject it. Each step is set-based (one
UPDATE and one history snapshot, however many records) and refuses the whole selection, with
a message naming the problem, when any record cannot take the step.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions.facilities import periods

from .models import REOPENED_REVIEW, ActivityRecord, ReviewStatus
from .recalculation import snapshot_history

# What each step starts from.
SUBMITTABLE = (ReviewStatus.DRAFT, ReviewStatus.REJECTED)
REVIEWABLE = (ReviewStatus.SUBMITTED,)


class ReviewRefused(Exception):
    pass


def submit(records: QuerySet, *, user) -> int:
    """Send draft or rejected records for approval; return how many."""
    with transaction.atomic():
        selected = _locked(records)
        _refuse_unless(selected, SUBMITTABLE, _("only draft or rejected records can be submitted"))
        return _step(
            selected,
            user=user,
            reason="Submitted for approval",
            status=ReviewStatus.SUBMITTED,
            submitted_by=user,
            submitted_at=timezone.now(),
            reviewed_by=None,
            reviewed_at=None,
            rejection_reason="",
        )


def approve(records: QuerySet, *, user) -> int:
    """Approve submitted records someone else submitted; return how many."""
    with transaction.atomic():
        selected = _locked(records)
        _refuse_unless(selected, REVIEWABLE, _("only submitted records can be approved"))
        _refuse_own(selected, user)
        return _step(
            selected,
            user=user,
            reason="Approved",
            status=ReviewStatus.APPROVED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
        )


def reject(records: QuerySet, *, user, reason: str) -> int:
    """Send submitted records back with a reason; return how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewRefused(_("Say why the records are rejected: the submitter will read it."))
    with transaction.atomic():
        selected = _locked(records)
        _refuse_unless(selected, REVIEWABLE, _("only submitted records can be rejected"))
        _refuse_own(selected, user)
        return _step(
            selected,
            user=user,
            reason=f"Rejected: {reason}",
            status=ReviewStatus.REJECTED,
            reviewed_by=user,
            reviewed_at=timezone.now(),
            rejection_reason=reason,
        )


def reopened_fields() -> dict:
    """What an edit of a record's inputs resets: it must be submitted and approved again.

    The edit itself reopens the record, however it is written (models.REOPENED_REVIEW).
    """
    return dict(REOPENED_REVIEW)


def _locked(records: QuerySet) -> QuerySet:
    """The selection, its rows locked until the step commits (two approvers, one record)."""
    ids = list(records.order_by("pk").select_for_update().values_list("pk", flat=True))
    if not ids:
        raise ReviewRefused(_("No records selected."))
    selected = ActivityRecord.objects.filter(pk__in=ids)
    # A locked (verified) year does not change, its records' review included.
    try:
        periods.assert_open(among=selected.values("year"))
    except ValidationError as error:
        raise ReviewRefused(" ".join(error.messages)) from None
    return selected


def _refuse_unless(records: QuerySet, statuses, why: str) -> None:
    wrong = records.exclude(status__in=statuses)
    count = wrong.count()
    if count:
        example = wrong.order_by("pk").first()
        raise ReviewRefused(
            ngettext(
                "%(count)s record is %(status)s (e.g. record %(id)s): %(why)s.",
                "%(count)s records are not in the right state (e.g. record %(id)s is "
                "%(status)s): %(why)s.",
                count,
            )
            % {
                "count": count,
                "id": example.pk,
                "status": example.get_status_display().lower(),
                "why": why,
            }
        )


def _refuse_own(records: QuerySet, user) -> None:
    own = records.filter(submitted_by=user).count()
    if own:
        raise ReviewRefused(
            ngettext(
                "You submitted %(count)s of these records: someone else must review it.",
                "You submitted %(count)s of these records: someone else must review them.",
                own,
            )
            % {"count": own}
        )


def _step(records: QuerySet, *, user, reason: str, **values) -> int:
    count = records.update(**values)
    snapshot_history(records, reason=reason, when=timezone.now(), user_id=user.pk)
    return count
