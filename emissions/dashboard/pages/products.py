"""The Products page: each product's cradle-to-gate footprint per declared unit, from the
inventory's approved records by products/attribution.py (no sums of its own).

Per product and year: direct, indirect and precursor emissions, per declared unit and in all;
how each facility's emissions were split (its process's allocation basis, each product's key
and share), and the precursors with the source of their embedded emissions.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from emissions.neutrality.inventory import kg_to_t
from emissions.products.attribution import (
    Attribution,
    FacilityAttribution,
    PrecursorUse,
    ProductYear,
    Share,
    attribute,
)
from emissions.products.models import Production

from ..charts import PALETTE, bar_chart, dataset
from ..spreadsheet import Link, Table
from ..tables import TableSpec, ledger_link

HUNDRED = Decimal(100)


@dataclass
class ProductsPage:
    year: int | None
    attribution: Attribution | None
    # (year, its products) for every year with production, oldest first: the trend.
    history: list[tuple[int, list[ProductYear]]] = field(default_factory=list)
    charts: dict = field(default_factory=dict)

    @property
    def products(self) -> list[ProductYear]:
        return self.attribution.products if self.attribution else []


def production_years() -> list[int]:
    # order_by("year"): the model's ordering would make DISTINCT run over its columns too.
    return list(Production.objects.order_by("year").values_list("year", flat=True).distinct())


def build_products_page(*, year: int | None) -> ProductsPage:
    years = production_years()
    if year is None:
        return ProductsPage(year=None, attribution=None)
    attribution = attribute(year)
    # Every year with production for the trend, the page's own year read once.
    history = [(y, attribution.products if y == year else attribute(y).products) for y in years]
    page = ProductsPage(year=year, attribution=attribution, history=history)
    page.charts = _charts(page)
    return page


def _label(product_year: ProductYear) -> str:
    return f"{product_year.product.code} · {product_year.product.label}"


def _charts(page: ProductsPage) -> dict:
    products = page.products
    labels = [_label(p) for p in products]
    parts = [
        (_("Direct (Scope 1)"), "#1f7a55", lambda p: p.direct_kg),
        (_("Indirect (electricity, heat)"), "#3a9ad9", lambda p: p.indirect_kg),
        (_("Precursors"), "#e0a030", lambda p: p.precursor_kg),
    ]
    breakdown = bar_chart(
        labels,
        [
            dataset(name, [_per_unit_float(p, part(p)) for p in products], colour)
            for name, colour, part in parts
        ],
        stacked=True,
        y_title=_("kg CO2e per declared unit"),
    )
    codes = sorted({p.product.code for _year, products in page.history for p in products})
    trend = bar_chart(
        [str(y) for y, _products in page.history],
        [
            dataset(
                code,
                [
                    next(
                        (
                            _per_unit_float(p, p.total_kg)
                            for p in products
                            if p.product.code == code
                        ),
                        None,
                    )
                    for _year, products in page.history
                ],
                PALETTE[i % len(PALETTE)],
            )
            for i, code in enumerate(codes)
        ],
        y_title=_("kg CO2e per declared unit"),
    )
    return {"breakdown": breakdown, "trend": trend}


def _per_unit_float(product_year: ProductYear, kg: Decimal) -> float | None:
    value = product_year.per_unit(kg)
    return None if value is None else round(float(value), 3)


def footprints_table(page: ProductsPage) -> Table:
    rows = [
        [
            Link(
                p.product.code,
                reverse("dashboard:product_report", args=[p.product.code, page.year]),
            ),
            p.product.label,
            p.product.cn_code,
            p.product.get_declared_unit_display(),
            p.quantity,
            kg_to_t(p.direct_kg),
            kg_to_t(p.indirect_kg),
            kg_to_t(p.precursor_kg),
            kg_to_t(p.total_kg),
            p.kg_per_unit,
            _("includes default values") if p.uses_defaults else _("actual data"),
        ]
        for p in page.products
    ]
    return Table(
        title=_("Product footprints %(year)s") % {"year": page.year},
        header=[
            _("Product"),
            _("Name"),
            _("CN code"),
            _("Declared unit"),
            _("Quantity made"),
            _("Direct (tCO2e)"),
            _("Indirect (tCO2e)"),
            _("Precursors (tCO2e)"),
            _("Total (tCO2e)"),
            _("kg CO2e per declared unit"),
            _("Data"),
        ],
        rows=rows,
        formats=["code", "text", "code", "text", "n3", "t", "t", "t", "t", "n3", "text"],
    )


def allocation_cells(facility: FacilityAttribution, share: Share, year: int) -> list:
    """A product's part of a facility's year: key, its unit, share, and the attributed tonnes
    linked to the facility's approved records behind them (also the footprint report's)."""
    code = facility.process.facility.code

    def linked(kg, scope):
        return ledger_link(kg_to_t(kg), year=year, facility=code, scope=scope, review="approved")

    return [
        share.key,
        facility.key_unit,
        share.key * HUNDRED / facility.key_total,
        linked(share.direct_kg, 1),
        linked(share.indirect_kg, 2),
    ]


def allocation_header() -> list[str]:
    return [_("Allocation key"), _("Key unit"), _("Share (%)"), _("Direct (tCO2e)"),
            _("Indirect (tCO2e)")]  # fmt: skip


ALLOCATION_FORMATS = ["n2", "text", "pct", "t", "t"]


def attribution_table(page: ProductsPage) -> Table:
    rows = [
        [
            facility.process.facility.code,
            facility.process.name,
            facility.process.get_allocation_basis_display(),
            share.product.code,
            *allocation_cells(facility, share, page.year),
        ]
        for facility in (page.attribution.facilities if page.attribution else [])
        for share in facility.shares
    ]
    return Table(
        title=_("Attribution to products %(year)s") % {"year": page.year},
        header=[
            _("Facility"),
            _("Process"),
            _("Allocation basis"),
            _("Product"),
            *allocation_header(),
        ],  # fmt: skip
        rows=rows,
        formats=["code", "text", "text", "code", *ALLOCATION_FORMATS],
    )


def precursor_cells(use: PrecursorUse) -> list:
    """One precursor as its tables show it (this page's and the footprint report's)."""
    return [
        use.precursor.name,
        use.precursor.facility.code,
        use.precursor.quantity_t,
        use.kg_per_t,
        kg_to_t(use.embedded_kg),
        use.source,
        _("default value") if use.is_default else _("supplier's footprint"),
    ]


def precursor_header() -> list[str]:
    return [_("Precursor"), _("Facility"), _("Quantity (t)"), _("kg CO2e per t"),
            _("Embedded (tCO2e)"), _("Source"), _("Basis")]  # fmt: skip


PRECURSOR_FORMATS = ["text", "code", "n3", "n3", "t", "source", "text"]


def precursors_table(page: ProductsPage) -> Table:
    return Table(
        title=_("Precursors %(year)s") % {"year": page.year},
        header=[_("Product"), *precursor_header()],
        rows=[
            [p.product.code, *precursor_cells(use)] for p in page.products for use in p.precursors
        ],
        formats=["code", *PRECURSOR_FORMATS],
    )


PRODUCTS = {
    "footprints": TableSpec(footprints_table, per_year=True),
    "attribution": TableSpec(attribution_table, per_year=True),
    "precursors": TableSpec(precursors_table, per_year=True),
}
