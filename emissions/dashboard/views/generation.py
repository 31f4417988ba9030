"""Green-power contracts' generation profiles: upload the generator's 15-minute or hourly kWh."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from emissions.activities import intervals
from emissions.offsets.services import generation
from emissions.uploads import form_refusing_the_file, limit_upload_size

from .. import permissions as perms

# One message for a file over the limit, in both uploads.
from .intervals import IntervalUploadForm, _too_large_message


class GenerationUploadForm(IntervalUploadForm):
    # The interval upload's file checks; only what the tick replaces differs.
    replace = forms.BooleanField(
        label=gettext_lazy("Replace days already stored"),
        required=False,
        help_text=gettext_lazy(
            "Without it, a contract's day that is already stored is refused. With it, the "
            "file's values replace the stored ones, which stay in the history."
        ),
    )


def _page(request: HttpRequest, form, result=None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "result": result,
        "limit": intervals.MAX_UPLOAD_LABEL,
        "headers": [
            (column, zh)
            for column in generation.COLUMNS
            for zh, name in generation.CHINESE_HEADERS.items()
            if name == column
        ],
    }
    return render(request, "dashboard/generation.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(perms.ADD_RECORDS, raise_exception=True)
@limit_upload_size(lambda: intervals.MAX_UPLOAD_BYTES)
def generation_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, GenerationUploadForm())
    if request.upload_limit_exceeded():
        form = form_refusing_the_file(GenerationUploadForm, request, _too_large_message())
        return _page(request, form, status=400)
    form = GenerationUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload = form.cleaned_data["file"]
    result = generation.import_generation(
        user=request.user,
        upload=upload,
        file_name=upload.name,
        replace=form.cleaned_data["replace"],
    )
    if not result.ok:
        # Nothing was stored: the problems, row by row, above the form to upload it again.
        return _page(request, GenerationUploadForm(), result=result, status=400)
    messages.success(
        request,
        ngettext(
            "Stored %(count)s contract-day of generation (%(replaced)s replaced).",
            "Stored %(count)s contract-days of generation (%(replaced)s replaced).",
            result.created_count + result.replaced_count,
        )
        % {
            "count": result.created_count + result.replaced_count,
            "replaced": result.replaced_count,
        },
    )
    return redirect("dashboard:generation_import")


urlpatterns = [
    path("generation/", generation_import, name="generation_import"),
]
