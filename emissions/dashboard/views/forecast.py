"""The forecast to the neutrality year under a scenario (the plan unless the URL names
another), the scenarios compared side by side, and their downloads."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from emissions.planning.models import Scenario

from .. import permissions as perms
from ..pages.forecast import (
    COMPARE,
    FORECAST,
    MOST_COMPARED,
    build_compare_page,
    build_forecast_page,
)
from ..tables import build_tables
from .common import page_template, table_download


def _scenarios() -> list[Scenario]:
    return list(Scenario.objects.all())  # the plan first (the model's ordering)


def _scenario_id(value: str, scenarios: list[Scenario], ignored: list[str]) -> Scenario | None:
    """The scenario a query value names, or None with a message saying what was ignored."""
    if not value.isdigit():
        ignored.append(_("Ignored scenario “%(value)s”: not a scenario number.") % {"value": value})
        return None
    found = next((s for s in scenarios if s.pk == int(value)), None)
    if found is None:
        ignored.append(
            _("Ignored scenario “%(value)s”: there is no such scenario.") % {"value": value}
        )
    return found


def _chosen(request: HttpRequest):
    """(the scenario the page shows, every scenario, messages): the one `?scenario=` names,
    else the plan, else none (the committed initiatives alone); `?scenario=` empty: none."""
    scenarios, ignored = _scenarios(), []
    value = request.GET.get("scenario")
    if value is None:
        chosen = next((s for s in scenarios if s.is_plan), None)
    elif value == "":
        chosen = None
    else:
        chosen = _scenario_id(value, scenarios, ignored)
        if chosen is None:
            chosen = next((s for s in scenarios if s.is_plan), None)
    return chosen, scenarios, ignored


def _forecast_page(request: HttpRequest):
    chosen, scenarios, ignored = _chosen(request)
    return build_forecast_page(chosen, scenarios, ignored)


@require_safe
@permission_required(perms.VIEW_SCENARIOS, raise_exception=True)
def forecast(request: HttpRequest) -> HttpResponse:
    page = _forecast_page(request)
    tables = build_tables(FORECAST, page) if page.forecast else {}
    context = {"page": page, "tables": tables, "query": request.GET.urlencode()}
    return render(request, page_template(request, "dashboard/forecast.html"), context)


@require_safe
@permission_required(perms.VIEW_SCENARIOS, raise_exception=True)
def forecast_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    def stem(page):
        scenario = f"scenario-{page.scenario.pk}" if page.scenario else "committed"
        return ("kehui-forecast", table, scenario)

    return table_download(
        fmt, FORECAST.get(table), lambda: _or_404(_forecast_page(request), "forecast"), stem
    )


def _compare_page(request: HttpRequest):
    scenarios, ignored = _scenarios(), []
    values = request.GET.getlist("scenario")
    if values:
        chosen = []
        for value in values:
            found = _scenario_id(value, scenarios, ignored)
            if found is not None and found not in chosen:
                chosen.append(found)
    else:
        chosen = list(scenarios)
    if len(chosen) > MOST_COMPARED:
        ignored.append(
            _("Only the first %(count)s scenarios are compared.") % {"count": MOST_COMPARED}
        )
        chosen = chosen[:MOST_COMPARED]
    return build_compare_page(chosen, scenarios, ignored)


@require_safe
@permission_required(perms.VIEW_SCENARIOS, raise_exception=True)
def compare(request: HttpRequest) -> HttpResponse:
    page = _compare_page(request)
    tables = build_tables(COMPARE, page) if page.outlooks else {}
    context = {"page": page, "tables": tables, "query": request.GET.urlencode()}
    return render(request, page_template(request, "dashboard/forecast_compare.html"), context)


@require_safe
@permission_required(perms.VIEW_SCENARIOS, raise_exception=True)
def compare_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    def stem(page):
        return ("kehui-scenarios", table, "-".join(str(pk) for pk in page.chosen) or None)

    return table_download(
        fmt, COMPARE.get(table), lambda: _or_404(_compare_page(request), "outlooks"), stem
    )


def _or_404(page, figures: str):
    """The page, or 404 when it has nothing to download (no complete year to start from)."""
    if not getattr(page, figures):
        raise Http404(_("No complete year to forecast from yet."))
    return page


urlpatterns = [
    path("forecast/", forecast, name="forecast"),
    path("forecast/export/<slug:table>.<str:fmt>", forecast_export, name="forecast_export"),
    path("forecast/compare/", compare, name="forecast_compare"),
    path(
        "forecast/compare/export/<slug:table>.<str:fmt>",
        compare_export,
        name="forecast_compare_export",
    ),
]
