"""A deleted evidence row takes its stored file with it, once the deletion is committed."""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import EvidenceFile

logger = logging.getLogger(__name__)


def _remove_stored_file(storage, name: str) -> None:
    # After the commit the row is gone for good; a file that cannot be removed is logged
    # rather than turned into an error page for a deletion that has succeeded.
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not remove the evidence file %s from storage", name)


@receiver(post_delete, sender=EvidenceFile, dispatch_uid="remove_deleted_evidence_file")
def remove_deleted_evidence_file(sender, instance, **kwargs):
    # Also for deletions through the admin and for records deleted with their evidence
    # (CASCADE). A rolled-back transaction keeps both the row and its file.
    if instance.file.name:
        transaction.on_commit(
            partial(_remove_stored_file, instance.file.storage, instance.file.name)
        )
