"""The EU CBAM figures of each exported good: specific embedded emissions beside the default.

Per installation (facility), good (a product whose CN code is a CBAM good) and year, from the
product attribution (products/attribution.py, approved data only):

- SEE (direct), t CO2e per t: the facility's direct emissions attributed to the good, plus the
  embedded emissions of the precursors used for it there, ÷ the tonnes made there. A precursor's
  embedded emissions are kept as one figure (a supplier footprint or a default), so all of it is
  counted as direct: for iron, steel and aluminium only direct emissions count anyway.
- SEE (indirect): the electricity and heat attributed to the good ÷ its tonnes, at the grid's
  average factor. In the definitive period indirect emissions count towards CBAM for cement and
  fertilisers only; SEE (total) adds them for those sectors and not for the others.
- The default value for the good's CN code (the longest published code that begins it;
  data/cbam_default_values_cn.csv) and the year's mark-up on its total, for comparison.
- The share of the direct emissions that comes from default values (precursors at a default).
- The carbon price paid under China's national ETS: the installation's allowances surrendered for
  the year (and, of them, those covered by free allocation) shared over its goods by their
  direct emissions, per tonne, at the average price of the allowances it bought with a price.
"""

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from emissions.factors.calculation import ZERO
from emissions.offsets.selectors import allowance_balance_by_facility_year

from .attribution import Attribution, attribute

DATA = Path(__file__).resolve().parent / "data" / "cbam_default_values_cn.csv"
SEE_PLACES = Decimal("0.000001")
KG_PER_T = Decimal(1000)
HUNDRED = Decimal(100)
DEFINITIVE_FROM = 2026
# Annex I of IR 2025/2621 as replaced by IR 2026/1740: on the total default value.
MARKUP_PERCENT = {2026: Decimal(10), 2027: Decimal(20), 2028: Decimal(30)}
FERTILISER_MARKUP_PERCENT = Decimal(1)
# Sectors whose indirect emissions count in the definitive period (Regulation 2023/956, Annex II
# lists the goods for which only direct emissions count: iron and steel, aluminium, hydrogen).
INDIRECT_COUNTS = {"Cement", "Fertilisers"}


@dataclass(frozen=True)
class DefaultValue:
    cn_code: str
    description: str
    sector: str
    country: str
    direct: Decimal | None
    indirect: Decimal | None
    total: Decimal | None
    route: str


@lru_cache(maxsize=1)
def default_values() -> dict[str, list[DefaultValue]]:
    """Every published row by CN code (a code may have a China row and a fallback row)."""
    table: dict[str, list[DefaultValue]] = {}
    with DATA.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            value = DefaultValue(
                cn_code=row["cn_code"],
                description=row["description"],
                sector=row["sector"],
                country=row["country"],
                direct=_decimal(row["direct_t_per_t"]),
                indirect=_decimal(row["indirect_t_per_t"]),
                total=_decimal(row["total_t_per_t"]),
                route=row["production_route"],
            )
            table.setdefault(value.cn_code, []).append(value)
    return table


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def cbam_sector(cn_code: str) -> str | None:
    """The CBAM sector of a CN code, or None when the good is not covered.

    A code is covered when a published code begins it, or when it begins published codes (the
    cement rows are 10-digit TARIC codes: an 8-digit 2523 10 00 is clinker, a CBAM good whose
    default needs the TARIC code)."""
    rows = _rows_for(cn_code)
    if rows:
        return rows[0].sector
    longer = [v for code, values in default_values().items() if code.startswith(cn_code or "-")
              for v in values]  # fmt: skip
    return longer[0].sector if longer else None


def default_for(cn_code: str) -> DefaultValue | None:
    """The default value of the longest published code beginning `cn_code` that has one; China's
    before the "other countries" fallback."""
    for value in _rows_for(cn_code):
        if value.total is not None:
            return value
    return None


def _rows_for(cn_code: str) -> list[DefaultValue]:
    if not cn_code:
        return []
    table = default_values()
    for length in range(len(cn_code), 3, -1):
        rows = table.get(cn_code[:length])
        if rows:
            with_values = [r for r in rows if r.total is not None]
            china_first = sorted(with_values, key=lambda r: r.country != "China")
            if china_first:
                return china_first
            # A heading without a value of its own: covered, but look for a shorter code's value.
            shorter = _rows_for(cn_code[: length - 1]) if length > 4 else []
            return shorter or rows
    return []


def markup_percent(year: int, sector: str) -> Decimal | None:
    """The year's mark-up on the total default value; None before the definitive period."""
    if year < DEFINITIVE_FROM:
        return None
    if sector == "Fertilisers":
        return FERTILISER_MARKUP_PERCENT
    return MARKUP_PERCENT[min(year, max(MARKUP_PERCENT))]


@dataclass(frozen=True)
class CbamGood:
    """One good made at one installation in one year, as the communication template reports it."""

    facility_code: str
    facility_name: str
    process: str
    product_code: str
    product_name: str
    cn_code: str
    sector: str
    tonnes: Decimal
    direct_kg: Decimal  # attributed direct + precursors
    indirect_kg: Decimal
    default_precursor_kg: Decimal  # the part of direct_kg from precursors at a default value
    default: DefaultValue | None
    markup_pct: Decimal | None
    # The national ETS at the installation in the year, attributed to this good by its share of
    # the installation's direct emissions, per tonne of the good (None: no ETS transactions).
    ets_covered_t_per_t: Decimal | None = None  # allowances surrendered
    ets_free_t_per_t: Decimal | None = None  # of them, covered by free allocation
    ets_price: Decimal | None = None  # CNY per allowance: the average price paid

    def _per_t(self, kg: Decimal) -> Decimal:
        return (kg / self.tonnes / KG_PER_T).quantize(SEE_PLACES, rounding=ROUND_HALF_UP)

    @property
    def see_direct(self) -> Decimal:
        return self._per_t(self.direct_kg)

    @property
    def see_indirect(self) -> Decimal:
        return self._per_t(self.indirect_kg)

    @property
    def indirect_counts(self) -> bool:
        return self.sector in INDIRECT_COUNTS

    @property
    def see_total(self) -> Decimal:
        return self.see_direct + (self.see_indirect if self.indirect_counts else ZERO)

    @property
    def default_share_pct(self) -> Decimal | None:
        """Share of the direct embedded emissions determined by default values."""
        if not self.direct_kg:
            return None
        return (self.default_precursor_kg * HUNDRED / self.direct_kg).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    @property
    def default_with_markup(self) -> Decimal | None:
        if self.default is None or self.default.total is None or self.markup_pct is None:
            return None
        return (self.default.total * (HUNDRED + self.markup_pct) / HUNDRED).quantize(
            SEE_PLACES, rounding=ROUND_HALF_UP
        )

    @property
    def is_estimated(self) -> bool:
        return bool(self.default_precursor_kg)

    @property
    def carbon_price_due(self) -> Decimal | None:
        """CNY per tonne of the good due under the ETS before free allocation (CP due)."""
        if self.ets_covered_t_per_t is None or self.ets_price is None:
            return None
        return (self.ets_covered_t_per_t * self.ets_price).quantize(Decimal("0.01"))

    @property
    def carbon_price_rebate(self) -> Decimal | None:
        """CNY per tonne of the good covered by free allocation (the rebate)."""
        if self.ets_free_t_per_t is None or self.ets_price is None:
            return None
        return (self.ets_free_t_per_t * self.ets_price).quantize(Decimal("0.01"))

    @property
    def carbon_price_effective(self) -> Decimal | None:
        """CNY per tonne effectively paid: due − rebate."""
        if self.carbon_price_due is None:
            return None
        return self.carbon_price_due - self.carbon_price_rebate


@dataclass
class CbamYear:
    year: int
    goods: list[CbamGood]
    problems: list[str]

    def of_facility(self, code: str) -> list[CbamGood]:
        return [good for good in self.goods if good.facility_code == code]


def cbam_goods(year: int, attribution: Attribution | None = None) -> CbamYear:
    """Every CBAM good made in `year`, per installation; problems say what kept one out."""
    attribution = attribution or attribute(year)
    problems = list(attribution.problems)
    precursors = {}  # (facility id, product id) -> (embedded kg, of which at a default)
    for product_year in attribution.products:
        for use in product_year.precursors:
            key = (use.precursor.facility_id, use.precursor.product_id)
            embedded, at_default = precursors.get(key, (ZERO, ZERO))
            precursors[key] = (
                embedded + use.embedded_kg,
                at_default + (use.embedded_kg if use.is_default else ZERO),
            )
    goods = []
    ets = allowance_balance_by_facility_year(
        facility_ids=[f.process.facility_id for f in attribution.facilities], years=[year]
    )
    for facility in attribution.facilities:
        plant = facility.process.facility
        balance = ets.get((plant.pk, year))
        for share in facility.shares:
            product = share.product
            sector = cbam_sector(product.cn_code)
            if sector is None:
                continue
            kg_per_unit = product.kg_per_unit
            if kg_per_unit is None:
                problems.append(
                    _("%(product)s is a CBAM good declared per piece without its mass per piece: "
                      "its tonnes are unknown.") % {"product": product.code}
                )  # fmt: skip
                continue
            embedded, at_default = precursors.get((plant.pk, product.pk), (ZERO, ZERO))
            tonnes = share.quantity * kg_per_unit / KG_PER_T
            goods.append(
                CbamGood(
                    facility_code=plant.code,
                    facility_name=plant.name_en,
                    process=facility.process.name,
                    product_code=product.code,
                    product_name=product.name_en,
                    cn_code=product.cn_code,
                    sector=sector,
                    tonnes=tonnes,
                    direct_kg=share.direct_kg + embedded,
                    indirect_kg=share.indirect_kg,
                    default_precursor_kg=at_default,
                    default=default_for(product.cn_code),
                    markup_pct=markup_percent(year, sector),
                    **_ets_share(balance, share.direct_kg, facility.direct_kg, tonnes),
                )
            )
    return CbamYear(year=year, goods=goods, problems=problems)


def _ets_share(balance, good_direct_kg: Decimal, facility_direct_kg: Decimal, tonnes: Decimal):
    """The good's part of the installation's ETS year, per tonne of the good: allowances
    surrendered and those covered by free allocation, in proportion to its direct emissions."""
    if balance is None or not facility_direct_kg or not tonnes:
        return {}
    share = good_direct_kg / facility_direct_kg
    free_t = min(balance.allocated_t, balance.surrendered_t)
    return {
        "ets_covered_t_per_t": (balance.surrendered_t * share / tonnes).quantize(SEE_PLACES),
        "ets_free_t_per_t": (free_t * share / tonnes).quantize(SEE_PLACES),
        "ets_price": balance.average_purchase_price,
    }
