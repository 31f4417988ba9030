"""The Products page (product footprints per declared unit) and the CBAM page (each exported
good beside the EU default value, and each installation's communication for importers)."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from emissions.facilities.models import Facility, Organisation
from emissions.products.cbam import cbam_goods
from emissions.products.cbam_pack import communication_workbook
from emissions.products.pact import PactError, product_footprint

from .. import permissions as perms
from ..filters import page_filter
from ..pages.cbam import CBAM, CbamPage, build_cbam_page
from ..pages.product_report import build_product_report, report_tables
from ..pages.products import PRODUCTS, ProductsPage, build_products_page
from ..spreadsheet import XLSX_TYPE, workbook_response
from ..tables import build_tables
from .common import page_template, table_download


def _products_page(request: HttpRequest):
    # The shared filter, year only: a bad year is ignored with a message, never a 500.
    selected = page_filter(request)
    return selected, build_products_page(year=selected.year)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def products(request: HttpRequest) -> HttpResponse:
    selected, page = _products_page(request)
    context = {"filter": selected, "page": page, "tables": build_tables(PRODUCTS, page)}
    return render(request, page_template(request, "dashboard/products.html"), context)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def products_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """One of the page's tables as CSV or XLSX, for the page's year."""
    spec = PRODUCTS.get(table)

    def stem(page: ProductsPage):
        return "kehui-products", table, page.year if spec.per_year else None, None

    return table_download(fmt, spec, lambda: _products_page(request)[1], stem)


urlpatterns = [
    path("products/", products, name="products"),
    path("products/export/<slug:table>.<str:fmt>", products_export, name="products_export"),
]


def _cbam_page(request: HttpRequest):
    selected = page_filter(request)
    return selected, build_cbam_page(year=selected.year)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def cbam(request: HttpRequest) -> HttpResponse:
    selected, page = _cbam_page(request)
    context = {"filter": selected, "page": page, "tables": build_tables(CBAM, page)}
    return render(request, page_template(request, "dashboard/cbam.html"), context)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def cbam_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    spec = CBAM.get(table)

    def stem(page: CbamPage):
        return "kehui-cbam", table, page.year if spec.per_year else None, None

    return table_download(fmt, spec, lambda: _cbam_page(request)[1], stem)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def cbam_pack(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One installation's communication to EU importers for a year (XLSX)."""
    facility = get_object_or_404(Facility, code=code)
    goods = cbam_goods(year).of_facility(facility.code)
    if not goods:
        raise Http404("No CBAM goods of this installation in this year")
    return HttpResponse(
        communication_workbook(facility, year, goods),
        content_type=XLSX_TYPE,
        headers={
            "Content-Disposition": (
                f'attachment; filename="kehui-cbam-communication-{facility.code}-{year}.xlsx"'
            )
        },
    )


urlpatterns += [
    path("products/cbam/", cbam, name="cbam"),
    path("products/cbam/export/<slug:table>.<str:fmt>", cbam_export, name="cbam_export"),
    path("products/cbam/<str:code>/<int:year>.xlsx", cbam_pack, name="cbam_pack"),
]


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def product_report(request: HttpRequest, product: str, year: int) -> HttpResponse:
    """One product's footprint report for a year: printable, bilingual by the page's language."""
    report = build_product_report(product, year)
    tables = dict(zip(("summary", "allocation", "precursors"), report_tables(report), strict=True))
    context = {"report": report, "tables": tables}
    return render(request, "dashboard/product_report.html", context)


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def product_report_xlsx(request: HttpRequest, product: str, year: int) -> HttpResponse:
    report = build_product_report(product, year)
    filename = f"kehui-footprint-{report.product.code}-{year}.xlsx"
    return workbook_response(report_tables(report), filename=filename)


urlpatterns += [
    path("products/<slug:product>/<int:year>/", product_report, name="product_report"),
    path(
        "products/<slug:product>/<int:year>.xlsx", product_report_xlsx, name="product_report_xlsx"
    ),
]


@require_safe
@permission_required(perms.VIEW_PRODUCTS, raise_exception=True)
def product_pact(request: HttpRequest, product: str, year: int) -> HttpResponse:
    """The footprint as a PACT ProductFootprint (JSON), or a 400 naming what to fix."""
    report = build_product_report(product, year)
    try:
        data = product_footprint(
            report.footprint,
            organisation=Organisation.current(),
            created=timezone.now(),
        )
    except PactError as error:
        return JsonResponse({"code": "not_exportable", "message": str(error)}, status=400)
    filename = f"kehui-pact-{report.product.code}-{year}.json"
    return JsonResponse(
        data,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


urlpatterns += [
    path("products/<slug:product>/<int:year>/pact.json", product_pact, name="product_pact"),
]
