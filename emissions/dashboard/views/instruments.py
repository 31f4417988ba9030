"""The offsets and certificates page: credits, own planting, certificates, ETS allowances."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from ..filters import page_filter
from ..instruments_page import build_instruments_page
from .common import page_template


@require_safe
@permission_required("offsets.view_creditbatch", raise_exception=True)
def instruments(request: HttpRequest) -> HttpResponse:
    # Only the year applies: instruments belong to the whole organisation.
    selected = page_filter(request)
    context = {"filter": selected, "page": build_instruments_page(year=selected.year)}
    template = page_template(request, "dashboard/instruments.html")
    return render(request, template, context)


urlpatterns = [
    path("offsets/", instruments, name="offsets"),
]
