"""The CBAM page: each exported good's specific embedded emissions beside the EU default value,
per installation (facility) and year, from products/cbam.py (no sums of its own)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from emissions.products.cbam import CbamYear, cbam_goods

from ..spreadsheet import Table
from ..tables import TableSpec


@dataclass
class CbamPage:
    year: int | None
    cbam: CbamYear | None

    @property
    def goods(self):
        return self.cbam.goods if self.cbam else []

    @property
    def installations(self) -> list[str]:
        return sorted({good.facility_code for good in self.goods})


def build_cbam_page(*, year: int | None) -> CbamPage:
    return CbamPage(year=year, cbam=cbam_goods(year) if year is not None else None)


def goods_table(page: CbamPage) -> Table:
    rows = [
        [
            good.facility_code,
            good.product_code,
            good.cn_code,
            good.sector,
            good.tonnes,
            good.see_direct,
            good.see_indirect,
            good.see_total,
            good.default.total if good.default else None,
            good.markup_pct,
            good.default_with_markup,
            good.default_share_pct,
            good.carbon_price_effective,
            _("estimated: precursors at default values") if good.is_estimated else _("actual data"),
        ]
        for good in page.goods
    ]
    return Table(
        title=_("CBAM goods %(year)s") % {"year": page.year},
        header=[
            _("Installation"),
            _("Product"),
            _("CN code"),
            _("Sector"),
            _("Tonnes made"),
            _("SEE direct (tCO2e/t)"),
            _("SEE indirect (tCO2e/t)"),
            _("SEE total (tCO2e/t)"),
            _("EU default, total (tCO2e/t)"),
            _("Mark-up (%)"),
            _("EU default with mark-up (tCO2e/t)"),
            _("Share from default values (%)"),
            _("Carbon price paid in China (CNY/t)"),
            _("Data"),
        ],
        rows=rows,
        formats=[
            "code",
            "code",
            "code",
            "text",
            "n3",
            "n3",
            "n3",
            "n3",
            "n3",
            "n0",
            "n3",
            "pct",
            "n2",
            "text",
        ],
    )


CBAM = {"goods": TableSpec(goods_table, per_year=True)}
