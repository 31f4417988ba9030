"""Writing validated import rows: PostgreSQL COPY where available, else batched INSERTs.

Records go in chunk by chunk as the file is validated; their "created" history rows follow
in one INSERT … SELECT at the end. All of it runs inside the commit's transaction.
"""

from collections.abc import Callable
from operator import attrgetter

from django.db import connection
from django.utils import timezone

from emissions.jobs import progress

from ..models import ActivityRecord, ImportBatch, ReviewStatus
from ..recalculation import snapshot_history
from .validation import ImportRow

CREATED = "+"  # simple-history's code for a created row
INSERT_BATCH_SIZE = 2000


def _value_getter(model_field) -> Callable[[ImportRow], object]:
    if model_field.is_relation:
        related = attrgetter(model_field.name)

        def primary_key(row: ImportRow):
            value = related(row)
            return None if value is None else value.pk

        return primary_key
    return attrgetter(model_field.attname)


# Every stored column but the id, which the database assigns.
RECORD_FIELDS = [f for f in ActivityRecord._meta.concrete_fields if not f.primary_key]
GETTERS = [_value_getter(f) for f in RECORD_FIELDS]


class RecordWriter:
    """Writes chunks of rows as records of one import batch; `finish` adds their history."""

    def __init__(self, batch: ImportBatch, *, user):
        self.batch = batch
        self.user = user
        self.submitted_at = timezone.now()
        self.count = 0
        self._copy_sql = None
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in RECORD_FIELDS)
            self._copy_sql = f"COPY {quote(ActivityRecord._meta.db_table)} ({columns}) FROM STDIN"

    def __call__(self, rows: list[ImportRow]) -> None:
        for row in rows:
            row.import_batch = self.batch
            # Imported records go straight to review: the importer is their submitter, so
            # someone else approves them (maker-checker).
            row.status = ReviewStatus.SUBMITTED
            row.submitted_by = self.user
            row.submitted_at = self.submitted_at
        if self._copy_sql:
            self._copy(rows)
        else:
            ActivityRecord.objects.bulk_create(
                [row.as_record() for row in rows], batch_size=INSERT_BATCH_SIZE
            )
        self.count += len(rows)
        # Seen on the Jobs page and the import's page while a job commits (nothing otherwise).
        progress.report(min(self.count, self.batch.row_count), self.batch.row_count)

    def _copy(self, rows: list[ImportRow]) -> None:
        # One COPY per chunk: between chunks the validator may still query (new factors).
        # COPY skips the ORM, so the values must already be what the model would store:
        # the calculator rounds every quantity and kg to its column's decimal places.
        with connection.cursor() as cursor, cursor.cursor.copy(self._copy_sql) as copy:
            for row in rows:
                copy.write_row([getter(row) for getter in GETTERS])

    def finish(self, *, user, reason: str) -> None:
        snapshot_history(
            ActivityRecord.objects.filter(import_batch=self.batch),
            reason=reason,
            when=timezone.now(),
            history_type=CREATED,
            user_id=user.pk,
        )
