"""The Products page: product footprints per declared unit, and its downloads."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from .. import permissions as perms
from ..filters import page_filter
from ..pages.products import PRODUCTS, ProductsPage, build_products_page
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
