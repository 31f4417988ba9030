"""Each product's cradle-to-gate emissions in a year, attributed from the audited inventory.

For every facility with a production process, its direct (Scope 1) and indirect (Scope 2,
location-based: the grid's average factor, as CBAM's indirect emissions and GB/T 24067 use)
emissions of the year, **approved records only**, are read from the inventory read model
(neutrality/inventory.facility_years) and split over the products the process made, by the
process's allocation basis: mass of output, machine hours or value of output. The split is
exact to the milligram: each product but the last (by code) gets its share rounded half-up,
the last the rest, so a facility's attributed emissions add up to its inventory's.

Purchased precursors are not allocated: each names the product it went into, and its embedded
emissions (the supplier's accepted footprint, else a sourced default) are added to it.

Nothing here writes; a problem (an allocation key summing to zero, a piece without a mass, a
precursor whose footprint is missing) leaves that facility or precursor out of the year with a
message that names it, and the page shows the message beside the figures it affects.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from emissions.facilities.models import Organisation
from emissions.factors.calculation import (
    KG_PLACES,
    ZERO,
    GwpSet,
    amounts_from_factor,
    co2e_kg,
    round_kg,
    round_quantity,
)
from emissions.factors.choice import RegionMatch, pick_year, unit_converts
from emissions.factors.models import EmissionFactor
from emissions.factors.selectors import gwp_values
from emissions.factors.units import to_factor_unit
from emissions.neutrality.inventory import facility_years

from .models import AllocationBasis, Precursor, Process, Product, Production

# A product's footprint per declared unit is shown to the gram (kg with 3 places) on pages and
# kept to the milligram in downloads.
PER_UNIT_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Share:
    """One product's part of one facility's year."""

    product: Product
    quantity: Decimal  # in the product's declared unit
    key: Decimal  # its allocation key: kg of output, machine hours or CNY
    direct_kg: Decimal
    indirect_kg: Decimal


@dataclass
class FacilityAttribution:
    """One facility's year: what the inventory says it emitted and how it was split."""

    process: Process
    direct_kg: Decimal
    indirect_kg: Decimal
    shares: list[Share] = field(default_factory=list)

    @property
    def key_unit(self) -> str:
        return {
            AllocationBasis.MASS: "kg",
            AllocationBasis.MACHINE_HOURS: "h",
            AllocationBasis.ECONOMIC: "CNY",
        }[self.process.allocation_basis]

    @property
    def key_total(self) -> Decimal:
        return sum((share.key for share in self.shares), ZERO)


@dataclass(frozen=True)
class PrecursorUse:
    precursor: Precursor
    kg_per_t: Decimal
    embedded_kg: Decimal
    source: str  # the supplier footprint's name and year, or the default's source
    is_default: bool


@dataclass
class ProductYear:
    """A product's cradle-to-gate emissions in a year, over every facility that made it."""

    product: Product
    year: int
    quantity: Decimal = ZERO
    direct_kg: Decimal = ZERO
    indirect_kg: Decimal = ZERO
    precursors: list[PrecursorUse] = field(default_factory=list)

    @property
    def precursor_kg(self) -> Decimal:
        return sum((use.embedded_kg for use in self.precursors), ZERO)

    @property
    def total_kg(self) -> Decimal:
        return self.direct_kg + self.indirect_kg + self.precursor_kg

    def per_unit(self, kg: Decimal) -> Decimal | None:
        if not self.quantity:
            return None
        return (kg / self.quantity).quantize(PER_UNIT_PLACES, rounding=ROUND_HALF_UP)

    @property
    def kg_per_unit(self) -> Decimal | None:
        return self.per_unit(self.total_kg)

    @property
    def uses_defaults(self) -> bool:
        return any(use.is_default for use in self.precursors)

    @property
    def default_precursor_kg(self) -> Decimal:
        """The part of the footprint from precursors at a default value."""
        return sum((use.embedded_kg for use in self.precursors if use.is_default), ZERO)

    @property
    def primary_data_share_pct(self) -> Decimal | None:
        """The share of the footprint not from default values, %, to one decimal."""
        if not self.total_kg:
            return None
        share = (self.total_kg - self.default_precursor_kg) * 100 / self.total_kg
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Attribution:
    year: int
    facilities: list[FacilityAttribution]
    products: list[ProductYear]
    problems: list[str]


def attribute(year: int) -> Attribution:
    """The year's attribution for every product made (approved inventory data only)."""
    processes = {p.facility_id: p for p in Process.objects.select_related("facility")}
    made = _production(year)
    problems: list[str] = []
    facility_ids = sorted({facility_id for facility_id, _product in made})
    emissions = {
        f.facility_id: f
        for f in facility_years(years=[year], facility_ids=facility_ids, approved_only=True)
    }
    products: dict[int, ProductYear] = {}
    facilities = []
    for facility_id in facility_ids:
        process = processes[facility_id]
        rows = sorted(
            ((product, sums) for (f, product), sums in made.items() if f == facility_id),
            key=lambda row: row[0].code,
        )
        inventory = emissions.get(facility_id)
        direct = inventory.scope1_kg if inventory else ZERO
        indirect = inventory.scope2_location_kg if inventory else ZERO
        keys, problem = _keys(process, rows)
        if problem:
            problems.append(problem)
            continue
        attributed = FacilityAttribution(process, direct, indirect)
        direct_split, indirect_split = _split(direct, keys), _split(indirect, keys)
        splits = zip(rows, keys, direct_split, indirect_split, strict=True)
        for (product, sums), key, d, i in splits:
            attributed.shares.append(Share(product, sums["quantity"], key, d, i))
            product_year = products.setdefault(product.pk, ProductYear(product, year))
            product_year.quantity += sums["quantity"]
            product_year.direct_kg += d
            product_year.indirect_kg += i
        facilities.append(attributed)
    _add_precursors(year, products, problems)
    return Attribution(
        year=year,
        facilities=facilities,
        products=sorted(products.values(), key=lambda p: p.product.code),
        problems=problems,
    )


def _production(year: int) -> dict[tuple[int, Product], dict]:
    rows = (
        Production.objects.filter(year=year)
        .values("process__facility_id", "product_id")
        .annotate(
            quantity=Sum("quantity"),
            machine_hours=Sum("machine_hours"),
            value_cny=Sum("value_cny"),
        )
        .order_by()
    )
    rows = list(rows)
    products = Product.objects.in_bulk({row["product_id"] for row in rows})
    return {(row["process__facility_id"], products[row["product_id"]]): row for row in rows}


def _keys(process: Process, rows) -> tuple[list[Decimal], str | None]:
    """Each product's allocation key, or why the process's keys cannot split its emissions."""
    basis = process.allocation_basis
    keys = []
    for product, sums in rows:
        if basis == AllocationBasis.MASS:
            kg_per_unit = product.kg_per_unit
            if kg_per_unit is None:
                return [], _(
                    "%(process)s allocates by mass, but %(product)s is declared per piece "
                    "without a mass per piece: give it in the product."
                ) % {"process": process, "product": product.code}
            keys.append(sums["quantity"] * kg_per_unit)
        elif basis == AllocationBasis.MACHINE_HOURS:
            keys.append(sums["machine_hours"] or ZERO)
        else:
            keys.append(sums["value_cny"] or ZERO)
    if sum(keys, ZERO) <= 0:
        return [], _(
            "%(process)s: the allocation key (%(basis)s) adds up to zero in this year, so its "
            "emissions cannot be split over its products; enter it in the production."
        ) % {"process": process, "basis": process.get_allocation_basis_display()}
    return keys, None


def _split(kg: Decimal, keys: list[Decimal]) -> list[Decimal]:
    """`kg` split in proportion to `keys`, to the milligram, adding up to `kg` exactly."""
    total = sum(keys, ZERO)
    parts = [(kg * key / total).quantize(KG_PLACES, rounding=ROUND_HALF_UP) for key in keys[:-1]]
    return [*parts, kg - sum(parts, ZERO)]


def _add_precursors(year: int, products: dict[int, ProductYear], problems: list[str]) -> None:
    precursors = list(
        Precursor.objects.filter(year=year).select_related(
            "product", "facility", "supplier_product"
        )
    )
    if not precursors:
        return
    organisation = Organisation.current()
    gwp = gwp_values(organisation.gwp_basis if organisation else "AR5")
    gwp_set = GwpSet(ch4=gwp.get("CH4", ZERO), n2o=gwp.get("N2O", ZERO))
    groups = {p.supplier_product.footprint_group for p in precursors if p.supplier_product}
    footprints = defaultdict(list)
    for factor in EmissionFactor.objects.filter(group__in=groups).select_related("dataset"):
        footprints[factor.group].append(factor)
    for precursor in precursors:
        use = _precursor_use(precursor, year, footprints, gwp_set)
        if isinstance(use, str):
            problems.append(use)
            continue
        product_year = products.setdefault(
            precursor.product_id, ProductYear(precursor.product, year)
        )
        product_year.precursors.append(use)


def _precursor_use(precursor: Precursor, year: int, footprints, gwp_set) -> PrecursorUse | str:
    supplier_product = precursor.supplier_product
    if supplier_product is not None:
        usable = [f for f in footprints[supplier_product.footprint_group] if unit_converts("t", f)]
        if usable:
            factor = pick_year(usable, year, RegionMatch.SUPPLIER, "t").factor
            quantity = round_quantity(to_factor_unit(precursor.quantity_t, "t", factor.unit))
            embedded = co2e_kg(amounts_from_factor(quantity, factor), gwp_set)
            return PrecursorUse(
                precursor,
                kg_per_t=(embedded / precursor.quantity_t).quantize(KG_PLACES),
                embedded_kg=embedded,
                source=f"{factor.name} ({factor.year})",
                is_default=False,
            )
    if precursor.default_kg_per_t is None:
        return _(
            "Precursor “%(name)s” of %(product)s in %(year)s has no footprint: %(supplier)s "
            "has given none in tonnes. Enter a default value with its source."
        ) % {
            "name": precursor.name,
            "product": precursor.product.code,
            "year": year,
            "supplier": supplier_product,
        }
    return PrecursorUse(
        precursor,
        kg_per_t=precursor.default_kg_per_t,
        embedded_kg=round_kg(precursor.quantity_t * precursor.default_kg_per_t),
        source=precursor.default_source,
        is_default=True,
    )
