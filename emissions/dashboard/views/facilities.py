"""The facilities pages."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_safe

from emissions.facilities.models import Facility

from ..facilities_page import facility_listing, facility_page
from ..filters import page_filter
from .common import page_template


@require_safe
@permission_required("facilities.view_facility", raise_exception=True)
def facility_list(request: HttpRequest) -> HttpResponse:
    # Emissions are activity data: shown only to those who may read the records.
    listing = facility_listing(
        with_emissions=request.user.has_perm("activities.view_activityrecord")
    )
    return render(request, "dashboard/facility_list.html", {"listing": listing})


@require_safe
@permission_required(
    ["facilities.view_facility", "activities.view_activityrecord"], raise_exception=True
)
def facility_detail(request: HttpRequest, code: str) -> HttpResponse:
    facility = get_object_or_404(Facility, code=code)
    # The shared year/facility filter; this page uses its year only.
    selected = page_filter(request)
    chosen_year = getattr(selected.form, "cleaned_data", {}).get("year")
    page = facility_page(facility, year=chosen_year)
    if not selected.form.is_bound:
        selected.form.initial["year"] = page.year
    context = {"filter": selected, "page": page, "facility": facility}
    template = page_template(request, "dashboard/facility_detail.html")
    return render(request, template, context)


urlpatterns = [
    path("facilities/", facility_list, name="facility_list"),
    path("facilities/<str:code>/", facility_detail, name="facility_detail"),
]
