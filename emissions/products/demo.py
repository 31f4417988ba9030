"""Demo products of Xingtai Kehui (fictional figures, consistent with the facilities' outputs).

XT-02, the foundry, casts grey and ductile iron (allocated by mass); XT-01 machines steel parts
and assembles pump housings, sold per piece (allocated by machine hours: one line does both, and
a housing takes far more machine time per kg than a plain part). The parts are machined from
steel bar bought from the demo steel supplier, who has given no footprint yet: a default
(worldsteel's average) stands in, so their footprint is marked as including default values.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from emissions.facilities.demo import DEMO_PRODUCTION_T
from emissions.facilities.models import Facility
from emissions.suppliers.models import SupplierProduct

from .models import AllocationBasis, Precursor, Process, Product, Production

YEARS = (2023, 2024, 2025)
PUMP_KG = Decimal(85)

PRODUCTS = [
    # code, English, Chinese, CN code, declared unit, kg per piece
    ("kh-grey-castings", "Grey iron castings", "灰铸铁件", "73251000", "t", None),
    ("kh-ductile-castings", "Ductile iron castings", "球墨铸铁件", "73251000", "t", None),
    ("kh-machined-parts", "Machined steel parts", "机加工钢件", "73269098", "t", None),
    ("kh-pump-housings", "Pump housing assemblies", "泵壳总成", "84139100", "piece", PUMP_KG),
]

PROCESSES = {
    "XT-02": (
        "Iron casting",
        AllocationBasis.MASS,
        "Grey and ductile iron are melted, poured and finished on the same line; the energy "
        "follows the tonnes of metal poured.",
    ),
    "XT-01": (
        "Machining and assembly",
        AllocationBasis.MACHINE_HOURS,
        "Both products run on the same CNC machines, whose electricity is most of the plant's; "
        "the machines' logged hours split it better than mass (a housing takes many more "
        "hours per kg).",
    ),
}

STEEL_DEFAULT_KG_PER_T = Decimal(1910)
STEEL_DEFAULT_SOURCE = (
    "worldsteel Sustainability Indicators 2023: 1.91 t CO2 per t of crude steel cast (2022, "
    "world average)"
)


def _monthly(total: Decimal) -> Decimal:
    return (total / 12).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@transaction.atomic
def load_demo_products() -> int:
    """Create the demo products, processes, production and precursors that are missing."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in=PROCESSES)}
    if len(facilities) < len(PROCESSES):
        return 0
    created = 0
    products = {}
    for code, name_en, name_zh, cn_code, unit, kg in PRODUCTS:
        products[code], was_created = Product.objects.get_or_create(
            code=code,
            defaults={"name_en": name_en, "name_zh": name_zh, "cn_code": cn_code,
                      "declared_unit": unit, "mass_kg_per_unit": kg},
        )  # fmt: skip
        created += was_created
    processes = {}
    for code, (name, basis, why) in PROCESSES.items():
        processes[code], was_created = Process.objects.get_or_create(
            facility=facilities[code],
            defaults={"name": name, "allocation_basis": basis, "justification": why},
        )
        created += was_created
    for year in YEARS:
        for month in range(1, 13):
            for process_code, product_code, quantity, hours, value in _month_lines(year):
                _, was_created = Production.objects.get_or_create(
                    process=processes[process_code],
                    product=products[product_code],
                    year=year,
                    month=month,
                    defaults={"quantity": quantity, "machine_hours": hours, "value_cny": value},
                )
                created += was_created
        created += _steel_bar(facilities["XT-01"], products["kh-machined-parts"], year)
    return created


def _month_lines(year: int):
    foundry = Decimal(DEMO_PRODUCTION_T["XT-02"][year])
    plant = Decimal(DEMO_PRODUCTION_T["XT-01"][year])
    parts_t = _monthly(plant * Decimal("0.8"))
    housings = (plant * Decimal("0.2") * 1000 / PUMP_KG / 12).quantize(Decimal(1))
    return [
        ("XT-02", "kh-grey-castings", _monthly(foundry * Decimal("0.6")), None, None),
        ("XT-02", "kh-ductile-castings", _monthly(foundry * Decimal("0.4")), None, None),
        ("XT-01", "kh-machined-parts", parts_t, parts_t * 2, parts_t * 9000),
        ("XT-01", "kh-pump-housings", housings, housings * Decimal("1.5"), housings * 2400),
    ]


def _steel_bar(plant: Facility, parts: Product, year: int) -> int:
    bar = SupplierProduct.objects.filter(code="demo-billet").first()
    tonnes = Decimal(DEMO_PRODUCTION_T["XT-01"][year]) * Decimal("0.8") * Decimal("1.08")
    _, was_created = Precursor.objects.get_or_create(
        facility=plant,
        product=parts,
        year=year,
        name="Steel bar (machining stock)",
        defaults={
            "quantity_t": tonnes,
            "supplier_product": bar,
            "default_kg_per_t": STEEL_DEFAULT_KG_PER_T,
            "default_source": STEEL_DEFAULT_SOURCE,
        },
    )
    return int(was_created)
