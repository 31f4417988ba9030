"""Files jobs write for download (ExportFile): how long they are kept, and purging them."""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from .models import ExportFile

logger = logging.getLogger(__name__)


def expiry_from(now: dt.datetime) -> dt.datetime:
    """When a file written at `now` stops being offered (settings.EXPORT_KEEP_HOURS later)."""
    return now + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def delete_stored_file(export: ExportFile) -> None:
    """Remove the file from storage, keeping the row (a request for it then gets 410 Gone)."""
    if export.file:
        # A file already gone (purged before, or lost) is not an error: deleting is the goal.
        export.file.storage.delete(export.file.name)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the expired exports' files and rows; return how many."""
    now = now or timezone.now()
    # Indexed on expires_at: cheap enough to run whenever an export job starts.
    expired = list(ExportFile.objects.filter(expires_at__lte=now).only("pk", "file"))
    for export in expired:
        delete_stored_file(export)
    ExportFile.objects.filter(pk__in=[export.pk for export in expired]).delete()
    if expired:
        logger.info("Purged %s expired export file(s)", len(expired))
    return len(expired)
