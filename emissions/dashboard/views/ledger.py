"""The activity ledger: every record behind the totals, one record's calculation, exports.

Exports of more than settings.EXPORT_JOB_ROWS records are written by a job (export_jobs) and
fetched later from export_download.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from emissions.activities import scope3
from emissions.activities.models import ActivityRecord
from emissions.evidence import files as evidence_files
from emissions.evidence.forms import EvidenceUploadForm
from emissions.evidence.selectors import evidence_for
from emissions.facilities import periods
from emissions.jobs import export_files
from emissions.jobs.models import ExportFile

from .. import export_jobs, exports
from .. import permissions as perms
from ..pages.ledger import factor_flags, ledger_filter, ledger_page, plain_number, type_name
from .common import page_template
from .review import review_actions

logger = logging.getLogger(__name__)

HISTORY_SHOWN = 20


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def ledger(request: HttpRequest) -> HttpResponse:
    selected = ledger_filter(request.GET)
    context = {
        "filter": selected,
        "page": ledger_page(selected),
        "xlsx_limit": number_format(exports.XLSX_ROW_LIMIT, force_grouping=True),
        "export_job_rows": number_format(settings.EXPORT_JOB_ROWS, force_grouping=True),
        "export_keep_hours": settings.EXPORT_KEEP_HOURS,
    }
    response = render(request, page_template(request, "dashboard/ledger.html", "rows"), context)
    # The same URL answers with the page or its rows: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_record(request, pk)


def render_record(
    request: HttpRequest,
    pk: int,
    *,
    upload_form: EvidenceUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The record's page; with the evidence form as submitted when an upload was refused."""
    record = get_object_or_404(
        ActivityRecord.objects.select_related(
            "facility",
            "activity_type",
            "factor__dataset",
            "other_gas",
            "purchased_product__supplier",
            "submitted_by",
            "reviewed_by",
        ),
        pk=pk,
    )
    history = record.history.select_related("history_user", "factor").order_by(
        "-history_date", "-history_id"
    )[:HISTORY_SHOWN]
    can_upload = request.user.has_perm(perms.ADD_EVIDENCE)
    context = {
        "record": record,
        "type_name": type_name(record.activity_type),
        "quantity": plain_number(record.quantity),
        "factor_quantity": plain_number(record.factor_quantity),
        "flags": factor_flags(record),
        "purchase": scope3.explain(record),
        "other_gas_gwp": other_gas_gwp(record),
        "history": history,
        "can_change": request.user.has_perm(perms.CHANGE_RECORDS),
        "evidence_files": evidence_for(record),
        "can_delete_evidence": request.user.has_perm(perms.DELETE_EVIDENCE),
        "upload_form": (upload_form or EvidenceUploadForm()) if can_upload else None,
        "evidence_types": evidence_files.ALLOWED_LABEL,
        "evidence_limit": evidence_files.MAX_LABEL,
        # A locked year's record and evidence do not change: the page says so (one query).
        "year_lock": periods.lock_for(record.year),
        "review": review_actions(request.user, record),
    }
    return render(request, "dashboard/record_detail.html", context, status=status)


def other_gas_gwp(record: ActivityRecord) -> str | None:
    """The GWP a refrigerant (the record's other gas) was converted with, on the record's basis."""
    gwp = record.other_gas.gwp(record.gwp_basis) if record.other_gas else None
    return None if gwp is None else plain_number(gwp)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def ledger_export(request: HttpRequest, fmt: str) -> HttpResponse:
    exporter = exports.EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404("Unknown export format")
    # Invalid parameters are dropped, as on the page; a file has no room for the message.
    selected = ledger_filter(request.GET)
    if fmt == "xlsx" and exports.exceeds_xlsx_limit(selected.records):
        # Never a workbook cut short without a word: the ledger page says why, and the CSV
        # (streamed, no cap) takes the same filter.
        message = _(
            "The XLSX export holds at most %(limit)s records and this selection has more: "
            "download it as CSV, or narrow the filter."
        ) % {"limit": number_format(exports.XLSX_ROW_LIMIT, force_grouping=True)}
        messages.error(request, message)
        query = request.GET.urlencode()
        return redirect(reverse("dashboard:ledger") + (f"?{query}" if query else ""))
    if export_jobs.too_big_to_stream(selected):
        # Written by a job to a file kept for download; its page shows the progress, then
        # the link to the file.
        job = export_jobs.queue_ledger_export(fmt=fmt, selected=selected, requested_by=request.user)
        return redirect("dashboard:job", job_id=job.pk)
    return exporter(selected.records, filename_stem=selected.filename_stem)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A file an export job wrote: for its requester or an administrator, until it expires."""
    export = get_object_or_404(ExportFile.objects.select_related("job"), pk=pk)
    # Even staff who may read the ledger get 403: the file is one person's selection.
    if not (request.user.is_superuser or export.requested_by_id == request.user.pk):
        raise PermissionDenied
    if export.expires_at <= timezone.now():
        export_files.delete_stored_file(export)
        query = export.job.params.get("query", "")
        context = {
            "export": export,
            "filtered_ledger_url": reverse("dashboard:ledger") + (f"?{query}" if query else ""),
        }
        return render(request, "dashboard/export_expired.html", context, status=410)
    try:
        handle = export.file.storage.open(export.file.name, "rb")
    except FileNotFoundError:
        logger.error("Export file %s (%s) is missing from storage", export.pk, export.file.name)
        raise Http404("The stored file is missing") from None
    # Always an attachment; kehui.middleware marks it "private, no-store" like every download.
    return FileResponse(
        handle, as_attachment=True, filename=export.filename, content_type=export.content_type
    )


urlpatterns = [
    path("ledger/", ledger, name="ledger"),
    path("ledger/<int:pk>/", record_detail, name="record_detail"),
    path("ledger/export.<str:fmt>", ledger_export, name="ledger_export"),
    path("exports/<int:pk>/", export_download, name="export_download"),
]
