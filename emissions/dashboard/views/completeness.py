"""The completeness page (every expected data stream of a year) and the owners' view (the
streams the signed-in user owes), with their downloads."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import permissions as perms
from ..filters import page_filter
from ..pages.completeness import COMPLETENESS, CompletenessPage, build_completeness_page
from ..tables import build_tables
from .common import page_template, table_download


def _page(request: HttpRequest, *, mine: bool):
    # The shared year/facility filter: bad values are ignored, each with a message.
    selected = page_filter(request)
    owner = request.user if mine else None
    page = build_completeness_page(year=selected.year, facility=selected.facility, owner=owner)
    return selected, page


def _render(request: HttpRequest, *, mine: bool) -> HttpResponse:
    selected, page = _page(request, mine=mine)
    context = {
        "filter": selected,
        "page": page,
        "tables": build_tables(COMPLETENESS, page),
        "mine": mine,
        "export_url": "dashboard:completeness_mine_export"
        if mine
        else "dashboard:completeness_export",
    }
    return render(request, page_template(request, "dashboard/completeness.html"), context)


@require_safe
@permission_required(perms.VIEW_STREAMS, raise_exception=True)
def completeness(request: HttpRequest) -> HttpResponse:
    return _render(request, mine=False)


@require_safe
@permission_required(perms.VIEW_STREAMS, raise_exception=True)
def completeness_mine(request: HttpRequest) -> HttpResponse:
    return _render(request, mine=True)


def _export(request: HttpRequest, table: str, fmt: str, *, mine: bool) -> HttpResponse:
    spec = COMPLETENESS.get(table)

    def stem(page: CompletenessPage):
        facility = page.facility.code if page.facility else None
        return (
            "kehui-completeness-mine" if mine else "kehui-completeness",
            table,
            page.year,
            facility,
        )

    return table_download(fmt, spec, lambda: _page(request, mine=mine)[1], stem)


@require_safe
@permission_required(perms.VIEW_STREAMS, raise_exception=True)
def completeness_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _export(request, table, fmt, mine=False)


@require_safe
@permission_required(perms.VIEW_STREAMS, raise_exception=True)
def completeness_mine_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _export(request, table, fmt, mine=True)


urlpatterns = [
    path("completeness/", completeness, name="completeness"),
    path("completeness/mine/", completeness_mine, name="completeness_mine"),
    path(
        "completeness/export/<slug:table>.<str:fmt>",
        completeness_export,
        name="completeness_export",
    ),
    path(
        "completeness/mine/export/<slug:table>.<str:fmt>",
        completeness_mine_export,
        name="completeness_mine_export",
    ),
]
