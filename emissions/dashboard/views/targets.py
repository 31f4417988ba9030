"""The targets and initiatives page: pathways against actuals and the abatement cost curve."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from ..filters import page_filter
from ..targets_page import build_targets_page
from .common import page_template


@require_safe
@permission_required("neutrality.view_target", raise_exception=True)
def targets(request: HttpRequest) -> HttpResponse:
    # Only the year applies: targets and initiatives belong to the whole organisation.
    selected = page_filter(request)
    context = {"filter": selected, "page": build_targets_page(year=selected.year)}
    template = page_template(request, "dashboard/targets.html")
    return render(request, template, context)


urlpatterns = [
    path("targets/", targets, name="targets"),
]
