"""Evidence files: the bills and invoices behind an activity record."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from emissions.activities.models import ActivityRecord

from . import files


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    """A random storage name: the uploaded name never reaches the file system."""
    # 122 random bits: the name can be neither guessed nor made to collide or escape the
    # folder; the extension comes from the checked content type, not from the upload.
    extension = files.kind_for_content_type(instance.content_type).extensions[0]
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class EvidenceFile(models.Model):
    """One stored file (an electricity bill, an invoice scan) that backs an activity record."""

    # CASCADE, not PROTECT: a file means nothing without its record, and PROTECT would stop
    # an import being rolled back or a wrong record being deleted. What is lost stays known:
    # the record's history keeps the record, this model's history keeps who attached which
    # file (name, size, SHA-256) and when it went.
    record = models.ForeignKey(
        ActivityRecord,
        on_delete=models.CASCADE,
        related_name="evidence_files",
        verbose_name=_("activity record"),
    )
    file = models.FileField(_("stored file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=files.NAME_LIMIT)
    content_type = models.CharField(
        _("content type"),
        max_length=40,
        choices=[(kind.content_type, kind.label) for kind in files.KINDS],
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # PROTECT: who attached a file stays answerable; a leaver is deactivated, not deleted.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    description = models.CharField(_("description"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # Not the upload limit: that is a policy for new files and may change.
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_size_positive"),
            models.CheckConstraint(
                condition=Q(content_type__in=files.CONTENT_TYPES),
                name="evidence_content_type_allowed",
            ),
            models.CheckConstraint(condition=~Q(file=""), name="evidence_has_a_stored_file"),
        ]

    def __str__(self):
        return self.original_name
