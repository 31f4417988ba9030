"""Maker-checker review of activity records: draft → submitted → approved, or rejected.

The reviewer (who approves or rejects) is neither who submitted a record nor anyone who
entered or changed its inputs since it was last approved (`input_editor_of`, from its history).
Each step is set-based (one UPDATE and one history snapshot, however many records) and refuses
the whole selection, with a message naming the problem, when any record cannot take the step.
The database holds approvals to the same rule: a check constraint for the submitter (0008),
a trigger for the inputs' editors (0011).
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions.facilities import periods

from .models import REOPENED_REVIEW, REVIEWED_INPUT_FIELDS, ActivityRecord, ReviewStatus
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
    """Approve submitted records someone else submitted and entered; return how many."""
    with transaction.atomic():
        selected = _locked(records)
        _refuse_unless(selected, REVIEWABLE, _("only submitted records can be approved"))
        _refuse_own(selected, user)
        _refuse_input_editor(selected, user)
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
        _refuse_input_editor(selected, user)
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


# The inputs' columns, as the history copies them.
_INPUT_COLUMNS = [ActivityRecord._meta.get_field(name).column for name in REVIEWED_INPUT_FIELDS]


def input_versions_sql(*, reviewer: str, join: str = "", where: str = "TRUE") -> str:
    """SQL: history rows `h` (`join` and `where` choose them), each with its `reviewer`,
    whether it entered or changed the inputs and whether it comes after the last approval.

    History rows are whole snapshots, so "changed the inputs" is decided exactly: a row
    changes them when the record has no earlier row (it was entered then) or when its inputs
    (models.REVIEWED_INPUT_FIELDS) differ from the record's previous row. That leaves out,
    without recognising them by their free-text reason, the rows that change no input: the
    review steps (who only rejected a record may review it once corrected), the set-based
    recalculations and a save of an unchanged form; and it counts every write that did change
    an input, whatever wrote it (a form, the admin and its import, a history revert, the
    import page). A stricter "any row by the user" would need the review steps told apart by
    their reason text, and would bar whoever merely saved a form unchanged.

    "After the last approval": after the approval that closed the previous round of review,
    i.e. no approved row lies between this row and the record's last row of another status
    (an input change reopens a record, so rows after an approval are draft, submitted or
    rejected until the next one); a record never out of approval counts all its rows. Rows are
    ordered by history_id: each write of a record is made under its row lock, so the ids grow
    with the writes. Window functions read each record's history once, in order; migration
    0011's trigger holds the database to the same rule with a frozen copy of this SQL. A write
    that leaves no history row is invisible: the next row carries its change and counts
    against whoever wrote that row. The purchased product may be NULL, so the inputs are
    compared with IS DISTINCT FROM (SQLite has it since 3.39).
    """
    in_order = "OVER (PARTITION BY h.id ORDER BY h.history_id)"
    changed = " OR ".join(
        f"LAG(h.{column}) {in_order} IS DISTINCT FROM h.{column}" for column in _INPUT_COLUMNS
    )
    return (
        f"SELECT h.id, h.history_user_id, {reviewer} AS reviewer_id, h.history_type, "
        f"CASE WHEN LAG(h.history_id) {in_order} IS NULL OR {changed} "
        "THEN 1 ELSE 0 END AS changes_inputs, "
        # The first approval at or after this row; the record's last row not approved.
        "MIN(CASE WHEN h.status = 'approved' THEN h.history_id END) "
        "OVER (PARTITION BY h.id ORDER BY h.history_id DESC) AS next_approval, "
        "MAX(CASE WHEN h.status <> 'approved' THEN h.history_id END) "
        "OVER (PARTITION BY h.id) AS last_unapproved "
        f"FROM {ActivityRecord.history.model._meta.db_table} h {join} WHERE {where}"
    )


# Which of input_versions_sql's rows are its reviewer's input edits since the last approval.
INPUT_EDIT_SINCE_APPROVAL = (
    "v.history_user_id = v.reviewer_id AND v.history_type <> '-' AND v.changes_inputs = 1 "
    "AND (v.next_approval IS NULL OR v.last_unapproved IS NULL "
    "OR v.next_approval > v.last_unapproved)"
)


def input_editor_of(user, records: QuerySet) -> tuple[int, int | None]:
    """How many of these records `user` entered or changed since their last approval, and
    the first of them (one query over their history, however many records)."""
    ids_sql, ids_params = records.order_by().values("pk").query.sql_with_params()
    sql = (
        "SELECT COUNT(DISTINCT v.id), MIN(v.id) "
        f"FROM ({input_versions_sql(reviewer='%s', where=f'h.id IN ({ids_sql})')}) v "
        f"WHERE {INPUT_EDIT_SINCE_APPROVAL}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *ids_params])
        count, example = cursor.fetchone()
    return count, example


def _refuse_input_editor(records: QuerySet, user) -> None:
    count, example = input_editor_of(user, records)
    if count:
        raise ReviewRefused(
            ngettext(
                "You entered or changed %(count)s of these records since its last approval "
                "(record %(id)s): someone else must review it.",
                "You entered or changed %(count)s of these records since their last approval "
                "(e.g. record %(id)s): someone else must review them.",
                count,
            )
            % {"count": count, "id": example}
        )


def _step(records: QuerySet, *, user, reason: str, **values) -> int:
    count = records.update(**values)
    snapshot_history(records, reason=reason, when=timezone.now(), user_id=user.pk)
    return count
