"""The energy page: consumption in tonnes of standard coal equivalent, and its downloads."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import permissions as perms
from ..filters import page_filter
from ..pages.energy import ENERGY, EnergyPage, build_energy_page
from ..tables import build_tables
from .common import page_template, table_download


def _energy_page(request: HttpRequest) -> EnergyPage:
    # The shared year/facility filter: bad values are ignored, each with a message.
    selected = page_filter(request)
    return build_energy_page(year=selected.year, facility=selected.facility)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def energy(request: HttpRequest) -> HttpResponse:
    selected = page_filter(request)
    page = build_energy_page(year=selected.year, facility=selected.facility)
    context = {"filter": selected, "page": page, "tables": build_tables(ENERGY, page)}
    return render(request, page_template(request, "dashboard/energy.html"), context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def energy_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX, for the page's own filter."""
    spec = ENERGY.get(table)

    def stem(page: EnergyPage):
        year = page.year if spec.per_year else None
        facility = page.facility.code if page.facility and spec.per_year else None
        return "kehui-energy", table, year, facility

    return table_download(fmt, spec, lambda: _energy_page(request), stem)


urlpatterns = [
    path("energy/", energy, name="energy"),
    path("energy/export/<slug:table>.<str:fmt>", energy_export, name="energy_export"),
]
