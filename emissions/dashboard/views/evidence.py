"""Evidence files on a record's page: upload, download, delete."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from emissions.activities.models import ActivityRecord
from emissions.evidence import files, services
from emissions.evidence.forms import EvidenceUploadForm
from emissions.evidence.models import EvidenceFile
from emissions.uploads import form_refusing_the_file, limit_upload_size

from .. import permissions as perms
from .ledger import render_record

logger = logging.getLogger(__name__)


def _record_url(record_pk: int) -> str:
    return reverse("dashboard:record_detail", args=[record_pk]) + "#evidence"


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.ADD_EVIDENCE], raise_exception=True)
@limit_upload_size(lambda: files.MAX_BYTES)
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ActivityRecord, pk=pk)
    if request.upload_limit_exceeded():
        # Cut off at the limit by the upload handler: nothing of the file was kept.
        message = _("The file is larger than %(limit)s.") % {"limit": files.MAX_LABEL}
        form = form_refusing_the_file(EvidenceUploadForm, request, message)
        return render_record(request, record.pk, upload_form=form, status=400)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_record(request, record.pk, upload_form=form, status=400)
    try:
        evidence = services.attach_evidence(
            record=record,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            user=request.user,
        )
    except ValidationError as refusal:  # the record's reporting year is locked
        messages.error(request, " ".join(refusal.messages))
        return redirect(_record_url(record.pk))
    messages.success(request, _("Attached “%(name)s”.") % {"name": evidence.original_name})
    return redirect(_record_url(record.pk))


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    return private_download(evidence, evidence.original_name, evidence.content_type)


def private_download(stored, name: str, content_type: str) -> FileResponse:
    """A stored upload (anything with a `file`) as a private attachment; 404 when missing."""
    try:
        handle = stored.file.storage.open(stored.file.name, "rb")
    except FileNotFoundError:
        logger.error("Uploaded file %s (%s) is missing from storage", stored.pk, stored.file.name)
        raise Http404("The stored file is missing") from None
    # Always a download, never shown inline: a PDF or image from a user would otherwise be
    # rendered in this site's origin. The name offered is the cleaned original one.
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Only the browser of a permitted user may keep it, never a shared cache.
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_POST
@permission_required([perms.VIEW_RECORDS, perms.DELETE_EVIDENCE], raise_exception=True)
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    try:
        services.delete_evidence(evidence=evidence)
    except ValidationError as refusal:  # the record's reporting year is locked
        messages.error(request, " ".join(refusal.messages))
        return redirect(_record_url(evidence.record_id))
    messages.success(request, _("Deleted “%(name)s”.") % {"name": evidence.original_name})
    return redirect(_record_url(evidence.record_id))


urlpatterns = [
    path("ledger/<int:pk>/evidence/", evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", evidence_delete, name="evidence_delete"),
]
