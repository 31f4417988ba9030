"""Reads of evidence files."""

from django.db.models import QuerySet

from emissions.activities.models import ActivityRecord

from .models import EvidenceFile


def evidence_for(record: ActivityRecord) -> QuerySet[EvidenceFile]:
    """The record's files, newest first, with their uploaders (one query)."""
    evidence = EvidenceFile.objects.filter(record=record)
    return evidence.select_related("uploaded_by")
