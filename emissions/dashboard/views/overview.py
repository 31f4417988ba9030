"""The overview: where the organisation stands on the road to neutrality."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..filters import page_filter
from ..overview import build_overview
from .common import page_template


@require_safe
@permission_required("activities.view_activityrecord", raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    selected = page_filter(request)
    context = {
        "filter": selected,
        "overview": build_overview(year=selected.year, facility=selected.facility),
    }
    template = page_template(request, "dashboard/overview.html")
    return render(request, template, context)
