"""The targets and initiatives page: pathways against actuals and the abatement cost curve."""

import re

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import permissions as perms
from ..filters import page_filter
from ..pages.targets import TARGETS, TargetRow, TargetsPage, build_targets_page, pathway_table
from ..tables import TableSpec, build_tables
from .common import page_template, table_download

# One target's pathway table: "pathway-<the target's id>" (TargetRow.table_name).
PATHWAY_TABLE = re.compile(r"pathway-[0-9]+")


@require_safe
@permission_required(perms.VIEW_TARGETS, raise_exception=True)
def targets(request: HttpRequest) -> HttpResponse:
    # Only the year applies: targets and initiatives belong to the whole organisation.
    selected = page_filter(request)
    page = build_targets_page(year=selected.year)
    # Every table the page shows, by its download's name: each target card holds its pathway's.
    tables = build_tables(TARGETS, page) | page.pathway_tables
    context = {"filter": selected, "page": page, "tables": tables}
    template = page_template(request, "dashboard/targets.html")
    return render(request, template, context)


@require_safe
@permission_required(perms.VIEW_TARGETS, raise_exception=True)
def targets_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX, for the page's own year."""
    spec = TARGETS.get(table)
    if spec is None and PATHWAY_TABLE.fullmatch(table):
        return table_download(
            fmt,
            TableSpec(lambda page: pathway_table(_target_row(page, table))),
            lambda: build_targets_page(year=page_filter(request).year),
            lambda page: ("kehui-target", _target_row(page, table).target.pk, "pathway"),
        )
    return table_download(
        fmt,
        spec,
        lambda: build_targets_page(year=page_filter(request).year),
        lambda page: ("kehui-targets", table, page.year if spec.per_year else None),
    )


def _target_row(page: TargetsPage, table: str) -> TargetRow:
    row = next((row for row in page.targets if row.table_name == table), None)
    if row is None:
        raise Http404("Unknown target")
    return row


urlpatterns = [
    path("targets/", targets, name="targets"),
    path("targets/export/<slug:table>.<str:fmt>", targets_export, name="targets_export"),
]
