"""The overview: where the organisation stands on the road to neutrality."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from emissions.neutrality.inventory import latest_complete_year, year_coverage

from .. import permissions as perms
from ..filters import page_filter
from ..pages.overview import OVERVIEW, build_overview
from ..spreadsheet import responder
from .common import filename_stem, page_template


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    # The overview opens on the latest complete year; a partial one only when the URL asks.
    coverage = year_coverage()
    selected = page_filter(request, default_year=latest_complete_year(coverage=coverage))
    built = build_overview(year=selected.year, facility=selected.facility, coverage=coverage)
    context = {"filter": selected, "overview": built}
    template = page_template(request, "dashboard/overview.html")
    return render(request, template, context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def overview_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the overview's tables as CSV or XLSX, for the page's own filter."""
    respond, spec = responder(fmt), OVERVIEW.get(table)
    if spec is None:
        raise Http404("Unknown table")
    coverage = year_coverage()
    selected = page_filter(request, default_year=latest_complete_year(coverage=coverage))
    if table == "facilities" and selected.facility is not None:
        raise Http404("The page shows no table by facility for one facility")
    built = build_overview(year=selected.year, facility=selected.facility, coverage=coverage)
    stem = filename_stem(
        "kehui-overview",
        table,
        selected.year if spec.per_year else None,
        selected.facility.code if selected.facility else None,
    )
    return respond(spec.build(built), filename_stem=stem)


# The page itself is the site's home, routed in urls.py.
urlpatterns = [
    path("overview/export/<slug:table>.<str:fmt>", overview_export, name="overview_export"),
]
