"""Staff pages. Each view reads through the domain apps' selectors and renders one template."""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from emissions.facilities.selectors import facilities_for_listing


@require_safe
@login_not_required
def site_icon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The overview page arrives with the dashboard issue; until then the facilities are home.
    return redirect("dashboard:facility_list")


@require_safe
@permission_required("facilities.view_facility", raise_exception=True)
def facility_list(request: HttpRequest) -> HttpResponse:
    facilities = list(facilities_for_listing())
    return render(
        request,
        "dashboard/facility_list.html",
        {
            "facilities": facilities,
            "active_count": sum(1 for facility in facilities if facility.is_active),
        },
    )
