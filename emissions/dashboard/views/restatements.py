"""Restatements: load a new factor dataset, see what it would change, apply or discard it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emissions.factors.dataset_file import DatasetFileError, load_dataset_file
from emissions.jobs.messages import job_outcome_message
from emissions.neutrality import restatements
from emissions.neutrality.models import Restatement, RestatementStatus
from emissions.uploads import form_refusing_the_file, limit_upload_size

from .. import permissions as perms
from ..pages.restatements import applied_rows, preview_tables

MAX_FILE_BYTES = 5 * 1024 * 1024
PER_PAGE = 30


class DatasetFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Factor dataset (CSV in the shipped format)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
    )
    publisher = forms.CharField(
        label=gettext_lazy("Publisher"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Who published the factors, for a dataset new to the library."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_too_large())
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload


def _too_large() -> str:
    return _("The file is larger than 5 MB.")


def _detail_url(restatement: Restatement) -> str:
    return reverse("dashboard:restatement", args=[restatement.pk])


@require_safe
@permission_required(perms.VIEW_RESTATEMENTS, raise_exception=True)
def restatement_list(request: HttpRequest) -> HttpResponse:
    rows = Restatement.objects.select_related("dataset", "created_by", "decided_by").defer(
        "preview"
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "may_load": request.user.has_perms(perms.LOAD_FACTORS)}
    return render(request, "dashboard/restatements.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(perms.LOAD_FACTORS, raise_exception=True)
@limit_upload_size(lambda: MAX_FILE_BYTES)
def restatement_load(request: HttpRequest) -> HttpResponse:
    problems: list[str] = []
    if request.method != "POST":
        form = DatasetFileForm()
    elif request.upload_limit_exceeded():
        form = form_refusing_the_file(DatasetFileForm, request, _too_large())
    else:
        form = DatasetFileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                load = load_dataset_file(
                    upload.name, upload.read(), publisher=form.cleaned_data["publisher"]
                )
            except DatasetFileError as refused:
                problems = refused.problems
            else:
                restatement = restatements.start_preview(
                    load.datasets[0], load.factor_ids, user=request.user
                )
                _link_result(restatement)
                messages.success(
                    request,
                    _(
                        "%(count)d factors were added to the library. No record has changed: "
                        "the preview shows what applying them would change."
                    )
                    % {"count": len(load.created)},
                )
                return redirect(_detail_url(restatement))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dashboard/restatement_load.html",
        {"form": form, "problems": problems},
        status=status,
    )


def _link_result(restatement: Restatement) -> None:
    # The job's page links back here once the preview is ready.
    if restatement.preview_job_id:
        type(restatement.preview_job).objects.filter(pk=restatement.preview_job_id).update(
            result_url=_detail_url(restatement)
        )


@require_safe
@permission_required(perms.VIEW_RESTATEMENTS, raise_exception=True)
def restatement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    restatement = get_object_or_404(
        Restatement.objects.select_related(
            "dataset", "created_by", "decided_by", "preview_job", "apply_job"
        ),
        pk=pk,
    )
    restatement = restatements.settle_failed(restatement)
    decidable = restatement.status in (RestatementStatus.PREVIEW, RestatementStatus.FAILED) or (
        restatement.status == RestatementStatus.PREVIEWING
        and restatement.preview_job is not None
        and restatement.preview_job.status == "failed"
    )
    context = {
        "restatement": restatement,
        "tables": preview_tables(restatement),
        "applied": applied_rows(restatement),
        "may_decide": decidable and restatements.may_decide(request.user),
        "may_apply": restatement.status in (RestatementStatus.PREVIEW, RestatementStatus.FAILED),
        "job": _running_job(restatement),
    }
    return render(request, "dashboard/restatement_detail.html", context)


def _running_job(restatement: Restatement):
    if restatement.status == RestatementStatus.PREVIEWING:
        return restatement.preview_job
    if restatement.status == RestatementStatus.APPLYING:
        return restatement.apply_job
    return None


@require_POST
@permission_required(perms.APPLY_RESTATEMENTS, raise_exception=True)
def restatement_apply(request: HttpRequest, pk: int) -> HttpResponse:
    restatement = get_object_or_404(Restatement, pk=pk)
    try:
        restatement = restatements.start_apply(
            restatement, user=request.user, result_url=_detail_url(restatement)
        )
    except restatements.RestatementRefused as refusal:
        messages.error(request, str(refusal))
    else:
        level, text = job_outcome_message(restatement.apply_job)
        messages.add_message(request, level, text)
    return redirect(_detail_url(restatement))


@require_POST
@permission_required(perms.APPLY_RESTATEMENTS, raise_exception=True)
def restatement_discard(request: HttpRequest, pk: int) -> HttpResponse:
    restatement = get_object_or_404(Restatement, pk=pk)
    try:
        removed = restatements.discard(restatement, user=request.user)
    except restatements.RestatementRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _(
                "The restatement was discarded: no record changed, and %(count)d of its "
                "factors that no record uses were removed from the library."
            )
            % {"count": removed},
        )
    return redirect(_detail_url(restatement))


urlpatterns = [
    path("restatements/", restatement_list, name="restatements"),
    path("restatements/load/", restatement_load, name="restatement_load"),
    path("restatements/<int:pk>/", restatement_detail, name="restatement"),
    path("restatements/<int:pk>/apply/", restatement_apply, name="restatement_apply"),
    path("restatements/<int:pk>/discard/", restatement_discard, name="restatement_discard"),
]
