"""The offsets and certificates page: credits, own planting, certificates, ETS allowances."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from ..filters import page_filter
from ..instruments_page import build_instruments_page
from ..spreadsheet import responder
from ..tables import INSTRUMENTS
from .common import filename_stem, page_template


@require_safe
@permission_required("offsets.view_creditbatch", raise_exception=True)
def instruments(request: HttpRequest) -> HttpResponse:
    # Only the year applies: instruments belong to the whole organisation.
    selected = page_filter(request)
    context = {"filter": selected, "page": build_instruments_page(year=selected.year)}
    template = page_template(request, "dashboard/instruments.html")
    return render(request, template, context)


@require_safe
@permission_required("offsets.view_creditbatch", raise_exception=True)
def instruments_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX; like the page's, they show every year."""
    respond, spec = responder(fmt), INSTRUMENTS.get(table)
    if spec is None:
        raise Http404("Unknown table")
    selected = page_filter(request)
    page = build_instruments_page(year=selected.year)
    return respond(spec.build(page), filename_stem=filename_stem("kehui-offsets", table))


urlpatterns = [
    path("offsets/", instruments, name="offsets"),
    path("offsets/export/<slug:table>.<str:fmt>", instruments_export, name="offsets_export"),
]
