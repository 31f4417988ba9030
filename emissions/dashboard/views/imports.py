"""The import page: upload a CSV or XLSX file, preview it, commit it, roll it back."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emissions import xlsx_guard
from emissions.activities import imports
from emissions.activities.imports import jobs as import_jobs
from emissions.activities.models import ImportBatch, ImportStatus
from emissions.jobs import services as job_services
from emissions.jobs.messages import job_outcome_message
from emissions.jobs.models import JobStatus
from emissions.uploads import form_refusing_the_file, limit_upload_size

from .. import permissions as perms
from ..spreadsheet import Table, csv_response, workbook_response
from . import review

RECENT_SHOWN = 10


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:  # when the upload handler was bypassed
            raise forms.ValidationError(_too_large_message())
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class CommitForm(forms.Form):
    sha256 = forms.CharField(max_length=64, min_length=64)


class RollbackForm(forms.Form):
    # Required by the service when approved records would go (it says so); optional otherwise.
    reason = forms.CharField(
        label=gettext_lazy("Reason for rolling back"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _page(request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "limit": imports.MAX_UPLOAD_LABEL,
        "xlsx_rows": f"{xlsx_guard.MAX_ROWS:,}",
        "headers": [
            (column, zh)
            for column in imports.COLUMNS
            for zh, name in imports.CHINESE_HEADERS.items()
            if name == column
        ],
        "required": imports.REQUIRED,
        "recent": ImportBatch.objects.select_related("user").defer("content", "preview")[
            :RECENT_SHOWN
        ],
    }
    return render(request, "dashboard/import.html", context, status=status)


def _too_large_message() -> str:
    return _("The file is larger than %(limit)s. Split it into smaller files.") % {
        "limit": imports.MAX_UPLOAD_LABEL
    }


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(perms.ADD_RECORDS, raise_exception=True)
@limit_upload_size(lambda: imports.MAX_UPLOAD_BYTES)
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, UploadForm())
    if request.upload_limit_exceeded():
        # The upload was stopped at the limit: nothing of it was kept.
        form = form_refusing_the_file(UploadForm, request, _too_large_message())
        return _page(request, form, status=400)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    batch = imports.start_import(user=request.user, file_name=upload.name, content=upload.read())
    return redirect("dashboard:import_batch", pk=batch.pk)


def _imports_or_reviews(user) -> bool:
    # Importers see their previews; approvers review committed imports here.
    if user.has_perm(perms.ADD_RECORDS) or user.has_perm(perms.APPROVE_RECORDS):
        return True
    raise PermissionDenied


@require_safe
@user_passes_test(_imports_or_reviews)
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    # The file itself (up to the upload limit) is only read by the commit.
    batch = get_object_or_404(ImportBatch.objects.select_related("user").defer("content"), pk=pk)
    check = None
    if batch.status in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
        # What the upload's validation found (or a failed commit's): stored with the batch, so
        # a file of 100,000 rows is not read again on every view.
        check = imports.ImportCheck.from_json(batch.preview)
    # Its latest commit job (large imports): a progress bar while unfinished, then its outcome.
    commit_job = import_jobs.commit_jobs(batch).first()
    if commit_job is not None and commit_job.status == JobStatus.RUNNING:
        # A killed worker's job would show "running" for ever: say it failed.
        job_services.fail_dead_jobs()
        commit_job.refresh_from_db()
    context = {
        "batch": batch,
        "check": check,
        "commit_job": commit_job,
        "record_count": batch.records.count(),
        # Review of the import's records (maker-checker: not by the importer).
        "review_counts": review.import_review_counts(batch)
        if batch.status == ImportStatus.COMMITTED
        else None,
        "can_review": batch.user_id != request.user.pk
        and request.user.has_perm(perms.APPROVE_RECORDS),
        "reject_form": review.RejectForm(),
        "can_rollback": batch.status == ImportStatus.COMMITTED
        and request.user.has_perm(perms.DELETE_RECORDS),
        "rollback_form": RollbackForm(),
    }
    return render(request, "dashboard/_import_batch.html", context)


@require_POST
@permission_required(perms.ADD_RECORDS, raise_exception=True)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the uploader commits their own preview.
    batch = get_object_or_404(ImportBatch, pk=pk, user=request.user)
    form = CommitForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("The commit form is incomplete."), status=400)
    sha = form.cleaned_data["sha256"]
    try:
        if batch.row_count > settings.IMPORT_JOB_ROWS:
            # Too long for a request: a worker commits it; the batch page shows its progress.
            job = import_jobs.queue_commit(
                batch=batch,
                user=request.user,
                sha=sha,
                result_url=reverse("dashboard:import_batch", args=[batch.pk]),
            )
            messages.add_message(request, *job_outcome_message(job))
        else:
            imports.commit_import(batch=batch, user=request.user, sha=sha)
    except imports.ImportRefused as refusal:
        messages.error(request, str(refusal))
    # Otherwise the batch page shows the outcome: the batch keeps it as its message.
    return redirect("dashboard:import_batch", pk=batch.pk)


@require_POST
@permission_required([perms.ADD_RECORDS, perms.DELETE_RECORDS], raise_exception=True)
def import_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    form = RollbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("dashboard:import_batch", pk=batch.pk)
    try:
        imports.rollback_import(batch=batch, user=request.user, reason=form.cleaned_data["reason"])
    except imports.ImportRefused as refusal:
        messages.error(request, str(refusal))
    # Otherwise the batch page shows the outcome: the batch keeps it as its message.
    return redirect("dashboard:import_batch", pk=batch.pk)


@require_safe
@permission_required(perms.ADD_RECORDS, raise_exception=True)
def import_template(request: HttpRequest) -> HttpResponse:
    # The shared writer: a facility named "=HYPERLINK(…)" is written as text, never a formula.
    sheet = imports.ImportTemplate.load().csv_sheet()
    return csv_response(Table(*sheet), filename_stem="kehui-import-template")


@require_safe
@permission_required(perms.ADD_RECORDS, raise_exception=True)
def import_template_xlsx(request: HttpRequest) -> HttpResponse:
    sheets = imports.ImportTemplate.load().xlsx_sheets()
    return workbook_response(
        [Table(*sheet) for sheet in sheets], filename="kehui-import-template.xlsx"
    )


urlpatterns = [
    path("import/", import_page, name="import"),
    path("import/template.csv", import_template, name="import_template"),
    path("import/template.xlsx", import_template_xlsx, name="import_template_xlsx"),
    path("import/<int:pk>/", import_batch, name="import_batch"),
    path("import/<int:pk>/commit/", import_commit, name="import_commit"),
    path("import/<int:pk>/rollback/", import_rollback, name="import_rollback"),
]
