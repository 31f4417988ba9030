"""Attach evidence to a record and take it away again."""

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from emissions.activities.models import ActivityRecord
from emissions.facilities import periods

from . import files
from .models import EvidenceFile


def sha256_of(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def attach_evidence(
    *, record: ActivityRecord, upload: UploadedFile, description: str, user
) -> EvidenceFile:
    """Store the upload under a random name and record it; ValidationError if it may not be."""
    periods.assert_open(record.year)  # a locked reporting year's evidence stays as verified
    kind = files.check(upload)
    evidence = EvidenceFile(
        record=record,
        original_name=files.clean_name(upload.name),
        content_type=kind.content_type,
        size=upload.size,
        sha256=sha256_of(upload),
        uploaded_by=user,
        description=description,
    )
    evidence.full_clean(exclude=["file"])
    # A file field writes the file before its row; if the row is then not saved, the file is
    # removed again, so a failure leaves nothing behind. (A caller's outer transaction that
    # rolls back later would leave the file: callers save evidence outside one.)
    evidence.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            evidence.save()
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


def delete_evidence(*, evidence: EvidenceFile) -> None:
    """Delete the row now; the stored file goes once the transaction commits (signals.py).

    ValidationError when the record's reporting year is locked.
    """
    with transaction.atomic():
        periods.assert_open(
            among=ActivityRecord.objects.filter(pk=evidence.record_id).values("year")
        )
        evidence.delete()
