"""Rolling back an import: set-based, history kept with the reason, approved data guarded."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emissions.activities import imports, rollups, workflow
from emissions.activities.models import ActivityRecord, ImportStatus, ReviewStatus
from emissions.evidence import services as evidence_services
from emissions.evidence.models import EvidenceFile
from emissions.roles.definitions import APPROVER, DATA_EDITOR
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def rows(count: int, start: int = 0) -> bytes:
    lines = [
        f"XT-01,grid_electricity,2023-{i % 12 + 1:02d}-01,2023-{i % 12 + 1:02d}-28,{1000 + i}.5,"
        "kWh,metered\n"
        for i in range(start, start + count)
    ]
    return (HEADER + "".join(lines)).encode()


@pytest.fixture
def editor(django_user_model, organisation, hebei_plant):
    return user_in_roles(django_user_model, "editor", DATA_EDITOR)


@pytest.fixture
def approver(django_user_model):
    # Rolling back deletes records: an approver who rolls back also holds the delete permission.
    return user_in_roles(django_user_model, "approver", DATA_EDITOR, APPROVER)


def committed(user, count: int = 3, start: int = 0):
    batch = imports.start_import(user=user, file_name="records.csv", content=rows(count, start))
    result = imports.commit_import(batch=batch, user=user, sha=batch.sha256)
    assert result.errors == []
    return batch


def approve_one(batch, approver) -> ActivityRecord:
    record = ActivityRecord.objects.filter(import_batch=batch).order_by("pk").first()
    workflow.approve(ActivityRecord.objects.filter(pk=record.pk), user=approver)
    record.refresh_from_db()
    assert record.status == ReviewStatus.APPROVED
    return record


def test_history_keeps_one_deleted_row_per_record_with_the_reason_and_the_user(editor):
    batch = committed(editor, 5)
    ids = set(ActivityRecord.objects.values_list("pk", flat=True))
    assert imports.rollback_import(batch=batch, user=editor, reason="Wrong month") == 5
    assert not ActivityRecord.objects.exists()
    deleted = ActivityRecord.history.filter(history_type="-")
    assert set(deleted.values_list("id", flat=True)) == ids
    assert deleted.count() == 5
    assert set(deleted.values_list("history_change_reason", "history_user")) == {
        ("Wrong month", editor.pk)
    }
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    assert batch.message == "5 records deleted by rolling back the import. Reason: Wrong month"


def test_without_a_reason_the_history_names_the_import(editor):
    batch = committed(editor, 2)
    imports.rollback_import(batch=batch, user=editor)
    reasons = set(ActivityRecord.history.filter(history_type="-").values_list(
        "history_change_reason", flat=True
    ))  # fmt: skip
    assert reasons == {"Import records.csv rolled back"}


def test_rollups_equal_a_rebuild_after_the_rollback_and_other_imports_stay(editor):
    kept = committed(editor, 7, start=100)
    batch = committed(editor, 12)
    imports.rollback_import(batch=batch, user=editor)
    assert rollups.mismatches() == []
    assert ActivityRecord.objects.filter(import_batch=kept).count() == 7


def test_the_query_count_does_not_grow_with_the_rows(editor):
    def rollback_queries(count: int, start: int) -> int:
        batch = committed(editor, count, start)
        with CaptureQueriesContext(connection) as queries:
            assert imports.rollback_import(batch=batch, user=editor) == count
        return len(queries)

    small = rollback_queries(2, 0)
    large = rollback_queries(40, 200)
    assert small == large
    assert large <= 12


def test_evidence_of_a_rolled_back_record_goes_with_its_own_history(editor):
    batch = committed(editor, 2)
    record = ActivityRecord.objects.filter(import_batch=batch).first()
    evidence_services.attach_evidence(
        record=record,
        upload=SimpleUploadedFile("bill.pdf", PDF, content_type="application/pdf"),
        description="",
        user=editor,
    )
    imports.rollback_import(batch=batch, user=editor)
    assert not EvidenceFile.objects.exists()
    assert EvidenceFile.history.filter(history_type="-").count() == 1


def test_an_editor_cannot_roll_back_approved_records(editor, approver):
    batch = committed(editor, 3)
    approve_one(batch, approver)
    with pytest.raises(imports.ImportRefused, match="only an approver or an administrator"):
        imports.rollback_import(batch=batch, user=editor, reason="Mine")
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 3
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED


def test_an_approver_must_say_why_approved_records_go(editor, approver):
    batch = committed(editor, 3)
    approve_one(batch, approver)
    with pytest.raises(imports.ImportRefused, match="say why you roll it back"):
        imports.rollback_import(batch=batch, user=approver, reason="   ")
    assert ActivityRecord.objects.filter(import_batch=batch).count() == 3


def test_an_approver_with_a_reason_rolls_back_approved_records(editor, approver):
    batch = committed(editor, 3)
    record = approve_one(batch, approver)
    assert imports.rollback_import(batch=batch, user=approver, reason="Duplicate of March") == 3
    deleted = ActivityRecord.history.get(id=record.pk, history_type="-")
    assert deleted.history_change_reason == "Duplicate of March"
    assert deleted.history_user == approver
    assert deleted.status == ReviewStatus.APPROVED  # what was deleted: an approved record
    batch.refresh_from_db()
    assert "Reason: Duplicate of March" in batch.message


def test_the_approve_permission_alone_is_what_counts(editor, django_user_model):
    # An administrator holds every permission; a user given only the permission is the same.
    batch = committed(editor, 2)
    checker = user_in_roles(django_user_model, "checker", APPROVER)
    approve_one(batch, checker)
    editor.user_permissions.add(Permission.objects.get(codename="approve_activityrecord"))
    editor = django_user_model.objects.get(pk=editor.pk)  # the permission cache
    assert imports.rollback_import(batch=batch, user=editor, reason="Checked") == 2
