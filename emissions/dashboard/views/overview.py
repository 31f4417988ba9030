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
from ..tables import build_tables
from .common import page_template, table_download


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    # The overview opens on the latest complete year; a partial one only when the URL asks.
    coverage = year_coverage()
    selected = page_filter(request, default_year=latest_complete_year(coverage=coverage))
    built = build_overview(year=selected.year, facility=selected.facility, coverage=coverage)
    # The tables under the charts are the Tables the downloads write.
    context = {"filter": selected, "overview": built, "tables": build_tables(OVERVIEW, built)}
    template = page_template(request, "dashboard/overview.html")
    return render(request, template, context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def overview_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the overview's tables as CSV or XLSX, for the page's own filter."""
    spec = OVERVIEW.get(table)

    def build_page():
        coverage = year_coverage()
        selected = page_filter(request, default_year=latest_complete_year(coverage=coverage))
        if table == "facilities" and selected.facility is not None:
            raise Http404("The page shows no table by facility for one facility")
        return build_overview(year=selected.year, facility=selected.facility, coverage=coverage)

    def stem(built):
        year = built.year if spec.per_year else None
        return "kehui-overview", table, year, built.facility.code if built.facility else None

    return table_download(fmt, spec, build_page, stem)


# The page itself is the site's home, routed in urls.py.
urlpatterns = [
    path("overview/export/<slug:table>.<str:fmt>", overview_export, name="overview_export"),
]
