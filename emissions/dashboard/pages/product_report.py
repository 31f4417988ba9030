"""One product's footprint report for a year (GB/T 24067-2024 / ISO 14067 style, cradle to gate):
the figure per declared unit, boundary, data sources, allocation, data quality and exclusions,
shaped from products/attribution.py and the inventory's count of records in review (no sums of
its own). The same tables are its XLSX download."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from emissions.neutrality.inventory import kg_to_t, pending_records
from emissions.products.attribution import FacilityAttribution, ProductYear, Share, attribute
from emissions.products.models import Product

from ..spreadsheet import Table
from .products import (
    ALLOCATION_FORMATS,
    PRECURSOR_FORMATS,
    allocation_cells,
    allocation_header,
    precursor_cells,
    precursor_header,
)


@dataclass
class ProductReport:
    product: Product
    year: int
    footprint: ProductYear
    # (facility's attribution, this product's share of it)
    facilities: list[tuple[FacilityAttribution, Share]] = field(default_factory=list)
    records_in_review: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def primary_data_share_pct(self) -> Decimal | None:
        return self.footprint.primary_data_share_pct


def build_product_report(code: str, year: int) -> ProductReport:
    product = Product.objects.filter(code=code).first()
    if product is None:
        raise Http404("No such product")
    attribution = attribute(year)
    footprint = next((p for p in attribution.products if p.product.pk == product.pk), None)
    if footprint is None:
        raise Http404("No footprint of this product in this year")
    facilities = [
        (facility, share)
        for facility in attribution.facilities
        for share in facility.shares
        if share.product.pk == product.pk
    ]
    facility_ids = [facility.process.facility_id for facility, _share in facilities]
    in_review = (
        pending_records(years=[year], facility_ids=facility_ids).get(year, 0) if facility_ids else 0
    )
    return ProductReport(
        product=product,
        year=year,
        footprint=footprint,
        facilities=facilities,
        records_in_review=in_review,
        problems=attribution.problems,
    )


def summary_table(report: ProductReport) -> Table:
    p = report.footprint
    rows = [
        [_("Direct (Scope 1)"), kg_to_t(p.direct_kg), p.per_unit(p.direct_kg)],
        [_("Indirect (electricity, heat)"), kg_to_t(p.indirect_kg), p.per_unit(p.indirect_kg)],
        [_("Precursors"), kg_to_t(p.precursor_kg), p.per_unit(p.precursor_kg)],
    ]
    return Table(
        title=_("Footprint of %(product)s, %(year)s")
        % {"product": report.product.code, "year": report.year},
        header=[_("Part"), _("tCO2e"), _("kg CO2e per declared unit")],
        rows=rows,
        formats=["text", "t", "n3"],
        footer=[_("Total"), kg_to_t(p.total_kg), p.kg_per_unit],
    )


def allocation_table(report: ProductReport) -> Table:
    rows = [
        [
            facility.process.facility.code,
            facility.process.name,
            facility.process.get_allocation_basis_display(),
            facility.process.justification,
            share.quantity,
            *allocation_cells(facility, share, report.year),
        ]
        for facility, share in report.facilities
    ]
    return Table(
        title=_("Allocation %(year)s") % {"year": report.year},
        header=[
            _("Facility"),
            _("Process"),
            _("Allocation basis"),
            _("Why this basis"),
            _("Quantity made"),
            *allocation_header(),
        ],  # fmt: skip
        rows=rows,
        formats=["code", "text", "text", "text", "n3", *ALLOCATION_FORMATS],
    )


def precursor_table(report: ProductReport) -> Table:
    return Table(
        title=_("Precursors %(year)s") % {"year": report.year},
        header=precursor_header(),
        rows=[precursor_cells(use) for use in report.footprint.precursors],
        formats=PRECURSOR_FORMATS,
    )


def report_tables(report: ProductReport) -> list[Table]:
    return [summary_table(report), allocation_table(report), precursor_table(report)]
