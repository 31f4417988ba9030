"""Interval meter data: upload a CSV of 15-minute or hourly kWh, see what it stored."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from emissions.activities import intervals
from emissions.activities.models import IntervalUpload
from emissions.uploads import form_refusing_the_file, limit_upload_size

from .. import permissions as perms

RECENT_SHOWN = 10


class IntervalUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace days already stored"),
        required=False,
        help_text=gettext_lazy(
            "Without it, a meter's day that is already stored is refused. With it, the file's "
            "readings replace the stored ones, which stay in the history."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > intervals.MAX_UPLOAD_BYTES:  # when the upload handler was bypassed
            raise forms.ValidationError(_too_large_message())
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload a .csv file."))
        return upload


def _too_large_message() -> str:
    return _("The file is larger than %(limit)s. Split it into smaller files.") % {
        "limit": intervals.MAX_UPLOAD_LABEL
    }


def _page(request: HttpRequest, form, result=None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "result": result,
        "limit": intervals.MAX_UPLOAD_LABEL,
        "headers": [
            (column, zh)
            for column in intervals.COLUMNS
            for zh, name in intervals.CHINESE_HEADERS.items()
            if name == column
        ],
        "recent": IntervalUpload.objects.select_related("user")[:RECENT_SHOWN],
    }
    return render(request, "dashboard/intervals.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(perms.ADD_RECORDS, raise_exception=True)
@limit_upload_size(lambda: intervals.MAX_UPLOAD_BYTES)
def interval_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, IntervalUploadForm())
    if request.upload_limit_exceeded():
        # The upload was stopped at the limit: nothing of it was kept.
        form = form_refusing_the_file(IntervalUploadForm, request, _too_large_message())
        return _page(request, form, status=400)
    form = IntervalUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    result = intervals.import_intervals(
        user=request.user,
        upload=upload,
        file_name=upload.name,
        replace=form.cleaned_data["replace"],
    )
    if not result.ok:
        # Nothing was stored: the problems, row by row, above the form to upload it again.
        return _page(request, IntervalUploadForm(), result=result, status=400)
    return redirect("dashboard:interval_upload", pk=result.upload.pk)


@require_safe
@permission_required(perms.ADD_RECORDS, raise_exception=True)
def interval_upload(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(IntervalUpload.objects.select_related("user"), pk=pk)
    return render(request, "dashboard/interval_upload.html", {"upload": upload})


urlpatterns = [
    path("intervals/", interval_import, name="interval_import"),
    path("intervals/<int:pk>/", interval_upload, name="interval_upload"),
]
