"""An import's life: upload and preview, commit (all or nothing), roll back."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CASCADE, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions.jobs.errors import JobRefused

from ..locking import assert_records_open
from ..models import ActivityRecord, ImportBatch, ImportStatus, ReviewStatus
from ..recalculation import snapshot_history
from .validation import ImportCheck, scan
from .writing import RecordWriter

APPROVE_PERMISSION = "activities.approve_activityrecord"
DELETED = "-"  # simple-history's code for a deleted row


class ImportRefused(JobRefused):
    """Said to the person as it is, in the request or as a job's message."""


class _Abandon(Exception):
    """Raised inside the commit's savepoint to undo the rows written before a failing row."""


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_file(file_name: str, content: bytes) -> ImportCheck:
    """Read and validate every row, warning about likely duplicates; write nothing."""
    return scan(file_name, content)


def start_import(*, user, file_name: str, content: bytes) -> ImportBatch:
    """Keep the uploaded file server-side with its preview, to commit it later."""
    check = check_file(file_name, content)
    return ImportBatch.objects.create(
        user=user,
        file_name=file_name[:255],
        sha256=sha256(content),
        content=content,
        row_count=check.row_count,
        preview=check.as_json(),
        status=ImportStatus.PREVIEWED,
    )


def commit_import(*, batch: ImportBatch, user, sha: str) -> ImportCheck:
    """Validate the kept file again and create all its records, or none; raise ImportRefused.

    Rows are validated and written chunk by chunk in one transaction; a failing row rolls
    back what was written before it. The factors may have changed since the preview, so the
    commit never trusts it.
    """
    with transaction.atomic():
        _one_commit_at_a_time()
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        refuse_unless_committable(batch, sha)
        content = bytes(batch.content)
        if sha256(content) != batch.sha256:
            raise ImportRefused(_("The file does not match its preview; upload it again."))
        writer = RecordWriter(batch, user=user)
        try:
            with transaction.atomic():
                check = scan(batch.file_name, content, sink=writer, warn_existing=False)
                if not check.ok:
                    raise _Abandon
                writer.finish(user=user, reason=f"Imported from {batch.file_name}")
        except _Abandon:
            batch.row_count = check.row_count
            batch.status = ImportStatus.FAILED
            batch.preview = check.as_json()
            batch.message = ngettext(
                "Nothing was imported: %(count)s problem was found when committing.",
                "Nothing was imported: %(count)s problems were found when committing.",
                check.error_count,
            ) % {"count": check.error_count}
            batch.save(update_fields=["row_count", "status", "preview", "message"])
            return check
        batch.row_count = check.row_count
        batch.status = ImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.message = ngettext(
            "%(count)s record imported.", "%(count)s records imported.", writer.count
        ) % {"count": writer.count}
        batch.save(update_fields=["row_count", "status", "message", "committed_at"])
    return check


def refuse_unless_committable(batch: ImportBatch, sha: str) -> None:
    """Raise ImportRefused unless the batch is a preview and `sha` names its kept file.

    Cheap (the file itself is not read): a large import is refused with it before it is
    queued as a job, and its commit checks again.
    """
    if batch.status != ImportStatus.PREVIEWED:
        raise ImportRefused(
            _("This import is %(status)s; only a previewed import can be committed.")
            % {"status": batch.get_status_display().lower()}
        )
    if sha != batch.sha256:
        raise ImportRefused(_("The file does not match its preview; upload it again."))


def _one_commit_at_a_time() -> None:
    """Wait for another import's commit to end first (PostgreSQL).

    A commit writes its rows chunk by chunk, and each chunk updates the rollup rows of its keys
    (rollup_sql.py) until the transaction ends. Two commits meeting the same keys in another
    order would deadlock and one would fail; taking turns, they both succeed. SQLite lets one
    writer at a time in any case.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["activities.import"])


def rollback_import(*, batch: ImportBatch, user, reason: str = "") -> int:
    """Delete the import's records, set-based, their history keeping them; raise ImportRefused.

    Records already approved are someone's decision: only an approver (or an administrator)
    undoes it, and says why. The reason goes with every "deleted" history row and into the
    batch's message.
    """
    reason = " ".join(reason.split())
    with transaction.atomic():
        # A rollback's DELETE updates many rollup rows too: it takes its turn with commits.
        _one_commit_at_a_time()
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportStatus.ROLLED_BACK:
            raise ImportRefused(_("This import has already been rolled back."))
        if batch.status != ImportStatus.COMMITTED:
            raise ImportRefused(_("Only a committed import can be rolled back."))
        records = ActivityRecord.objects.filter(import_batch=batch)
        # Only as a whole, and only while no record of it lies in a locked reporting year.
        try:
            assert_records_open(records)
        except ValidationError as error:
            refusal = _("This import cannot be rolled back: its period is locked.")
            raise ImportRefused(" ".join([refusal, *error.messages])) from None
        if records.filter(status=ReviewStatus.APPROVED).exists():
            if not user.has_perm(APPROVE_PERMISSION):
                raise ImportRefused(
                    _(
                        "Some records of this import are approved: only an approver or an "
                        "administrator may roll it back."
                    )
                )
            if not reason:
                raise ImportRefused(
                    _(
                        "Some records of this import are approved: say why you roll it back "
                        "(the reason is kept in their history)."
                    )
                )
        count = _delete_records(
            records,
            user=user,
            reason=reason or f"Import {batch.file_name} rolled back",
        )
        batch.status = ImportStatus.ROLLED_BACK
        batch.rolled_back_at = timezone.now()
        batch.message = ngettext(
            "%(count)s record deleted by rolling back the import.",
            "%(count)s records deleted by rolling back the import.",
            count,
        ) % {"count": count}
        if reason:
            batch.message += " " + _("Reason: %(reason)s") % {"reason": reason}
        batch.save(update_fields=["status", "rolled_back_at", "message"])
    return count


def _delete_records(records: QuerySet, *, user, reason: str) -> int:
    """Delete these records in a few statements, whatever their number; return how many.

    A queryset's delete() would send each record's post_delete, and simple-history writes one
    history row per signal: 99 s for 72,095 records. Instead one INSERT … SELECT writes every
    "deleted" history row and one DELETE removes the records; the rollup triggers
    (rollup_sql.py) read the DELETE's rows as a whole on PostgreSQL, row by row on SQLite.
    """
    for relation in ActivityRecord._meta.related_objects:
        related = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": records}
        )
        if relation.on_delete is CASCADE:
            # Evidence files, few per import: deleted the ordinary way, so their own history
            # keeps them and their stored files go once the deletion is committed.
            related.delete()
        elif related.exists():
            # Nothing else may point at a record (PROTECT, SET_NULL …) without a decision here.
            raise ImportRefused(
                _("This import cannot be rolled back: other data refers to its records.")
            )
    snapshot_history(
        records, reason=reason, when=timezone.now(), history_type=DELETED, user_id=user.pk
    )
    table = connection.ops.quote_name(ActivityRecord._meta.db_table)
    ids_sql, ids_params = records.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({ids_sql})", ids_params)
        return cursor.rowcount
