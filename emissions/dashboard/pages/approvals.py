"""The approvals inbox: what waits for the signed-in approver, one page of records at a time.

Maker-checker (activities/workflow.py) decides who may review a record: never who submitted it,
nor who entered or changed its inputs since its last approval. Records the approver submitted
are left out of the list and counted apart; those they entered or changed are listed, marked,
without a checkbox (that rule reads the records' history: one query for the page's rows).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, QuerySet

from emissions.activities import workflow
from emissions.activities.models import ActivityRecord, ImportBatch, ImportStatus, ReviewStatus
from emissions.neutrality.inventory import count_and_kg, totals_source

from .ledger import plain_number, type_name

PAGE_SIZE = 50
# Imports are few (one per file); past this many, the records list below still has them all.
IMPORTS_SHOWN = 20


@dataclass(frozen=True)
class WaitingCounts:
    """Submitted records: all of them, and those this approver submitted (someone else's)."""

    submitted: int
    submitted_kg: Decimal
    own: int

    @property
    def for_you(self) -> int:
        return self.submitted - self.own


@dataclass(frozen=True)
class WaitingRecord:
    record: ActivityRecord
    activity_type: str
    quantity: str
    # Entered or changed by this approver since the last approval: someone else must review it.
    entered_by_you: bool


@dataclass(frozen=True)
class WaitingImport:
    batch: ImportBatch
    waiting: int
    imported_by_you: bool


@dataclass
class ApprovalsPage:
    counts: WaitingCounts
    rows: list[WaitingRecord]
    imports: list[WaitingImport]
    more_imports: bool
    number: int
    last_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last_page

    @property
    def selectable(self) -> bool:
        return any(not row.entered_by_you for row in self.rows)

    @property
    def any_entered_by_you(self) -> bool:
        return any(row.entered_by_you for row in self.rows)


def waiting_counts(user) -> WaitingCounts:
    """Two queries: the submitted records' count from the rollups, the approver's own by index."""
    count, kg = count_and_kg(totals_source(()).filter(status=ReviewStatus.SUBMITTED))
    own = ActivityRecord.objects.filter(status=ReviewStatus.SUBMITTED, submitted_by=user).count()
    return WaitingCounts(submitted=count, submitted_kg=kg, own=own)


def waiting_records(user) -> QuerySet:
    """Submitted records someone else submitted, newest period first.

    The ledger's (period_start, id) index serves the order: the page reads its 50 rows from the
    newest end instead of sorting every submitted record.
    """
    records = ActivityRecord.objects.filter(status=ReviewStatus.SUBMITTED)
    records = records.exclude(submitted_by=user)
    return records.order_by("-period_start", "-pk")


def approvals_page(user, page: int) -> ApprovalsPage:
    """The inbox's page `page` (past the end: the last page): five queries however many rows."""
    counts = waiting_counts(user)
    last_page = max(1, -(-counts.for_you // PAGE_SIZE))
    number = min(max(page, 1), last_page)
    offset = (number - 1) * PAGE_SIZE
    records = list(
        waiting_records(user).select_related("facility", "activity_type", "submitted_by")[
            offset : offset + PAGE_SIZE
        ]
    )
    entered = entered_or_changed_by(user, [record.pk for record in records])
    imports = list(_waiting_imports()[: IMPORTS_SHOWN + 1])
    return ApprovalsPage(
        counts=counts,
        rows=[
            WaitingRecord(
                record=record,
                activity_type=type_name(record.activity_type),
                quantity=plain_number(record.quantity),
                entered_by_you=record.pk in entered,
            )
            for record in records
        ],
        imports=[
            WaitingImport(batch, batch.waiting, imported_by_you=batch.user_id == user.pk)
            for batch in imports[:IMPORTS_SHOWN]
        ],
        more_imports=len(imports) > IMPORTS_SHOWN,
        number=number,
        last_page=last_page,
    )


def _waiting_imports() -> QuerySet:
    """Committed imports with records still submitted, newest first, with how many wait."""
    batches = ImportBatch.objects.filter(
        status=ImportStatus.COMMITTED, records__status=ReviewStatus.SUBMITTED
    )
    batches = batches.annotate(waiting=Count("records")).select_related("user")
    # The file and its preview can be megabytes each: the list needs neither.
    return batches.defer("content", "preview").order_by("-committed_at", "-pk")


def entered_or_changed_by(user, ids: list[int]) -> set[int]:
    """Which of these records `user` entered or changed since their last approval (one query).

    workflow.input_editor_of answers "how many, and one example" for a selection; the page
    needs each row's answer, from the same SQL (workflow.input_versions_sql), so the rule is
    still written once.
    """
    if not ids:
        return set()
    placeholders = ", ".join(["%s"] * len(ids))
    versions = workflow.input_versions_sql(reviewer="%s", where=f"h.id IN ({placeholders})")
    sql = f"SELECT DISTINCT v.id FROM ({versions}) v WHERE {workflow.INPUT_EDIT_SINCE_APPROVAL}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *ids])
        return {row[0] for row in cursor.fetchall()}
