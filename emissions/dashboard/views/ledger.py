"""The activity ledger: every record behind the totals, one record's calculation, exports."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from emissions.activities.models import ActivityRecord
from emissions.evidence import files as evidence_files
from emissions.evidence.forms import EvidenceUploadForm
from emissions.evidence.selectors import evidence_for
from emissions.facilities import periods

from .. import exports
from .. import permissions as perms
from ..pages.ledger import factor_flags, ledger_filter, ledger_page, plain_number, type_name
from .common import page_template
from .review import review_actions

HISTORY_SHOWN = 20


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def ledger(request: HttpRequest) -> HttpResponse:
    selected = ledger_filter(request.GET)
    context = {
        "filter": selected,
        "page": ledger_page(selected),
        "xlsx_limit": number_format(exports.XLSX_ROW_LIMIT, force_grouping=True),
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
    return exporter(selected.records, filename_stem=selected.filename_stem)


urlpatterns = [
    path("ledger/", ledger, name="ledger"),
    path("ledger/<int:pk>/", record_detail, name="record_detail"),
    path("ledger/export.<str:fmt>", ledger_export, name="ledger_export"),
]
