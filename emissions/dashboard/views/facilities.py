"""The facilities pages."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_safe

from emissions.facilities.models import Facility

from .. import permissions as perms
from ..filters import page_filter
from ..pages.facilities import FACILITY_DETAIL, FACILITY_LIST, facility_listing, facility_page
from ..tables import build_tables
from .common import page_template, table_download


@require_safe
@permission_required(perms.VIEW_FACILITIES, raise_exception=True)
def facility_list(request: HttpRequest) -> HttpResponse:
    # Emissions are activity data: shown only to those who may read the records.
    listing = facility_listing(with_emissions=request.user.has_perm(perms.VIEW_RECORDS))
    context = {"listing": listing, "tables": build_tables(FACILITY_LIST, listing)}
    return render(request, "dashboard/facility_list.html", context)


@require_safe
@permission_required(perms.VIEW_FACILITIES, raise_exception=True)
def facility_list_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """The facilities table as CSV or XLSX, with emissions for those who may read records."""
    # No filter on this page: the emissions are of the latest year with records.
    return table_download(
        fmt,
        FACILITY_LIST.get(table),
        lambda: facility_listing(with_emissions=request.user.has_perm(perms.VIEW_RECORDS)),
        lambda listing: ("kehui-facilities", listing.year),
    )


def _facility_page(request: HttpRequest, facility: Facility):
    # The shared year/facility filter; this page uses its year only.
    selected = page_filter(request)
    # Only a year the query asked for; without one the page picks the facility's latest year.
    return selected, facility_page(facility, year=selected.asked_year)


@require_safe
@permission_required([perms.VIEW_FACILITIES, perms.VIEW_RECORDS], raise_exception=True)
def facility_detail(request: HttpRequest, code: str) -> HttpResponse:
    facility = get_object_or_404(Facility, code=code)
    selected, page = _facility_page(request, facility)
    if not selected.form.is_bound:
        selected.form.initial["year"] = page.year
    context = {
        "filter": selected,
        "page": page,
        "facility": facility,
        "tables": build_tables(FACILITY_DETAIL, page),
    }
    template = page_template(request, "dashboard/facility_detail.html")
    return render(request, template, context)


@require_safe
@permission_required([perms.VIEW_FACILITIES, perms.VIEW_RECORDS], raise_exception=True)
def facility_detail_export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    """One of the facility page's tables as CSV or XLSX, for the page's own year."""
    spec = FACILITY_DETAIL.get(table)

    def build_page():
        facility = get_object_or_404(Facility, code=code)
        return _facility_page(request, facility)[1]

    return table_download(
        fmt,
        spec,
        build_page,
        lambda page: ("kehui-facility", code, table, page.year if spec.per_year else None),
    )


urlpatterns = [
    path("facilities/", facility_list, name="facility_list"),
    path(
        "facilities/export/<slug:table>.<str:fmt>",
        facility_list_export,
        name="facility_list_export",
    ),
    path("facilities/<str:code>/", facility_detail, name="facility_detail"),
    path(
        "facilities/<str:code>/export/<slug:table>.<str:fmt>",
        facility_detail_export,
        name="facility_detail_export",
    ),
]
