"""The hourly Scope 2 page: market-based Scope 2 by annual and by hourly matching, side by side."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import permissions as perms
from ..filters import page_filter
from ..pages.scope2_hourly import SCOPE2_HOURLY, Scope2HourlyPage, build_scope2_hourly_page
from ..tables import build_tables
from .common import page_template, table_download


def _page(request: HttpRequest) -> Scope2HourlyPage:
    # The shared year/facility filter: bad values are ignored, each with a message.
    selected = page_filter(request)
    return build_scope2_hourly_page(year=selected.year, facility=selected.facility)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def scope2_hourly(request: HttpRequest) -> HttpResponse:
    selected = page_filter(request)
    page = build_scope2_hourly_page(year=selected.year, facility=selected.facility)
    context = {"filter": selected, "page": page, "tables": build_tables(SCOPE2_HOURLY, page)}
    return render(request, page_template(request, "dashboard/scope2_hourly.html"), context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def scope2_hourly_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX, for the page's own filter."""
    spec = SCOPE2_HOURLY.get(table)

    def stem(page: Scope2HourlyPage):
        return (
            "kehui-scope2-hourly",
            table,
            page.year,
            page.facility.code if page.facility else None,
        )

    return table_download(fmt, spec, lambda: _page(request), stem)


urlpatterns = [
    path("scope2/hourly/", scope2_hourly, name="scope2_hourly"),
    path(
        "scope2/hourly/export/<slug:table>.<str:fmt>",
        scope2_hourly_export,
        name="scope2_hourly_export",
    ),
]
