"""The annual GHG inventory report: one printable page per year, and its XLSX download."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from emissions.activities.selectors import years_with_records
from emissions.facilities import periods
from emissions.facilities.models import Organisation
from emissions.facilities.names import in_page_language
from emissions.neutrality.inventory import latest_year

from .. import permissions as perms
from ..pages.report import Report, build_report, has_records, missing_report, workbook_sheets
from ..spreadsheet import workbook_response


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def report_latest(request: HttpRequest) -> HttpResponse:
    year = latest_year()
    if year is not None:
        return redirect("dashboard:report_year", year=year)
    return render(request, "dashboard/report.html", {"report": None})


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def report_year(request: HttpRequest, year: int) -> HttpResponse:
    report = build_report(year)
    # Every year with records, for the links to the other years' reports.
    context = {"report": report, "years": years_with_records()}
    if report is None:
        # The site's own page saying what is missing: 200 while records wait for review, 404
        # when the year has no records at all.
        context["missing"] = missing_report(year)
        status = 200 if has_records(year) else 404
        return render(request, "dashboard/report.html", context, status=status)
    context["year_lock"] = periods.lock_for(year)  # "locked (verified)" when it is; one query
    context["tables"] = workbook_sheets(report)  # the sheets of the XLSX below, as tables
    return render(request, "dashboard/report.html", context)


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    report = _report_or_404(year)
    # One sheet per table of the page, in the page's order.
    tables = workbook_sheets(report).values()
    return workbook_response(tables, filename=f"ghg-inventory-{year}.xlsx")


@require_safe
@permission_required(perms.VIEW_RECORDS, raise_exception=True)
def report_print_css(request: HttpRequest, year: int) -> HttpResponse:
    """The printed report's footer text: the organisation and the year, on every page.

    CSS page-margin boxes show only text written in a stylesheet (the page number is a counter
    in print.css), and the Content-Security-Policy allows no inline style: so this stylesheet.
    """
    organisation = Organisation.current()
    title = _("GHG inventory %(year)s") % {"year": year}
    if organisation is not None:
        name = in_page_language(organisation.name_en, organisation.name_zh)
        title = f"{name} · {title}"
    css = f'@page {{ @bottom-left {{ content: "{css_string(title)}"; }} }}\n'
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string: quotes, backslashes and line ends escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\n", "\\A ").replace("\r", "").replace("<", "\\3C ")


def _report_or_404(year: int) -> Report:
    report = build_report(year)
    if report is None:
        raise Http404(_("No approved activity records for %(year)s.") % {"year": year})
    return report


urlpatterns = [
    path("report/", report_latest, name="report"),
    path("report/<int:year>/", report_year, name="report_year"),
    path("report/<int:year>.xlsx", report_xlsx, name="report_xlsx"),
    path("report/<int:year>/print.css", report_print_css, name="report_print_css"),
]
