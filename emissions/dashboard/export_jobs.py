"""Ledger exports too big for a request: written to a file by a job, downloaded later.

Above settings.EXPORT_JOB_ROWS records a streamed export could outlast the server's timeout,
so the ledger queues this job instead. It writes the very bytes the stream would (the same
exports.csv_lines and exports.write_xlsx) to private storage (MEDIA_ROOT/exports/, like
evidence files), where its requester or an administrator may fetch it for
settings.EXPORT_KEEP_HOURS (dashboard:export_download).
"""

import tempfile
import uuid
from collections.abc import Iterable, Iterator
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.files import File
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emissions.jobs import progress, services
from emissions.jobs.export_files import expiry_from, purge_expired
from emissions.jobs.models import UNFINISHED, ExportFile, Job, JobKind, JobStatus
from emissions.jobs.registry import job_function

from . import exports
from .pages.ledger import LedgerFilter, in_chinese, ledger_filter
from .spreadsheet import XLSX_TYPE

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_TYPE}
# Rows between two progress reports (progress.report also limits its own writes to one a second).
PROGRESS_EVERY = 5000


def too_big_to_stream(selected: LedgerFilter) -> bool:
    """Whether the selection has more records than a request writes (one bounded query)."""
    return exports.has_more_than(selected.records, settings.EXPORT_JOB_ROWS)


def queue_ledger_export(*, fmt: str, selected: LedgerFilter, requested_by) -> Job:
    """Queue the export, or return the same person's unfinished job for the same file."""
    query = selected.query()
    language = translation.get_language() or settings.LANGUAGE_CODE
    # A second click (or a reload) while the file is being written follows the first job.
    unfinished = (
        Job.objects.filter(kind=JobKind.EXPORT, status__in=UNFINISHED, requested_by=requested_by)
        .filter(params__fmt=fmt, params__query=query, params__language=language)
        .order_by("pk")
        .first()
    )
    if unfinished is not None:
        return unfinished
    description = _("Ledger export (%(format)s), %(count)s+ records, filter %(filter)s") % {
        "format": fmt.upper(),
        "count": number_format(settings.EXPORT_JOB_ROWS, force_grouping=True),
        "filter": unquote_plus(query) if query else _("(none)"),
    }
    return services.start(
        export_ledger,
        description=description,
        kind=JobKind.EXPORT,
        requested_by=requested_by,
        fmt=fmt,
        query=query,
        # A job has no request: the file is written in the language of the page that asked.
        language=language,
        # How the job finds its own row (a job function is given only its parameters); a
        # restarted job keeps it, and only one job with it is running without a file yet.
        token=uuid.uuid4().hex,
    )


@job_function
def export_ledger(*, fmt: str, query: str, language: str, token: str) -> int:
    """Write the ledger's records selected by `query` to an ExportFile; return how many."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}.")
    purge_expired()
    job = (
        Job.objects.filter(status=JobStatus.RUNNING, params__token=token, export_file=None)
        .order_by("pk")
        .first()
    )
    if job is None:
        raise LookupError(f"No running export job has the token {token}.")
    with translation.override(language), tempfile.TemporaryFile() as temporary:
        selected = ledger_filter(QueryDict(query))
        # Counting is fine here, in the background: it gives the progress bar its length.
        total = selected.records.count()
        counter = {"rows": 0}
        values = _reporting(exports.rows(selected.records, chinese=in_chinese()), total, counter)
        if fmt == "csv":
            for line in exports.csv_lines(exports.header(), values):
                temporary.write(line.encode("utf-8"))
        else:
            exports.write_xlsx(values, temporary)
        size = temporary.tell()
        temporary.seek(0)
        filename = f"{selected.filename_stem}.{fmt}"
        export = ExportFile(
            job=job,
            # Whoever started this run (a restart by an administrator makes it theirs); a user
            # deleted meanwhile is NULL here too, leaving the file to administrators.
            requested_by_id=job.requested_by_id,
            filename=filename,
            content_type=CONTENT_TYPES[fmt],
            size=size,
            expires_at=expiry_from(timezone.now()),
        )
        export.file.save(filename, File(temporary, name=filename), save=False)
    try:
        export.save()
        # Known only now that the file has its row; committed with it, at the job's end.
        Job.objects.filter(pk=job.pk).update(
            result_url=reverse("dashboard:export_download", args=[export.pk])
        )
    except Exception:
        export.file.delete(save=False)  # no row, no file left behind
        raise
    return counter["rows"]


def _reporting(values: Iterable[list], total: int, counter: dict) -> Iterator[list]:
    progress.report(0, total)
    for row in values:
        yield row
        counter["rows"] += 1
        if counter["rows"] % PROGRESS_EVERY == 0:
            progress.report(counter["rows"], total)
    progress.report(counter["rows"], total)
