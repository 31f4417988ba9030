"""Demo suppliers and their products (made-up companies; their credit codes pass GB 32100).

No purchases: Kehui's demo inventory (2019–2025) keeps its published figures. Record
purchases that name these products' codes (import or admin) to see the Scope 3 precedence
rule and the suppliers page at work.
"""

from django.db import transaction

from .credit_code import check_character
from .models import Supplier, SupplierProduct


def _code(first_17: str) -> str:
    return first_17 + check_character(first_17)


SUPPLIERS = [
    {
        "name": "Hebei Demo Steel Co., Ltd.",
        "name_zh": "河北示范钢铁有限公司",
        "credit_code": _code("91130500MA0DEM001"),
        "category": "raw_materials",
        "contact_name": "王经理",
        "email": "carbon@steel.demo.example",
        "language": "zh-hans",
        "products": [
            ("demo-hrc", "Hot-rolled coil", "热轧卷板", "t", "331110"),
            ("demo-billet", "Steel billet", "钢坯", "t", "331110"),
        ],
    },
    {
        "name": "Xingtai Demo Packaging Co., Ltd.",
        "name_zh": "邢台示范包装有限公司",
        "credit_code": _code("91130500MA0DEM002"),
        "category": "packaging",
        "contact_name": "李女士",
        "email": "esg@pack.demo.example",
        "language": "zh-hans",
        "products": [("demo-carton", "Corrugated cartons", "瓦楞纸箱", "piece", "322211")],
    },
    {
        "name": "Demo Logistics (Tianjin) Ltd.",
        "name_zh": "示范物流（天津）有限公司",
        "credit_code": _code("91120000MA0DEM003"),
        "category": "logistics",
        "contact_name": "Zhang Wei",
        "email": "ops@logistics.demo.example",
        "language": "en",
        "products": [("demo-trucking", "Road freight", "公路货运", "CNY", "484121")],
    },
]


@transaction.atomic
def load_demo_suppliers() -> int:
    """Create the demo suppliers missing (by credit code) with their products; return how many."""
    created = 0
    for spec in SUPPLIERS:
        values = {k: v for k, v in spec.items() if k != "products"}
        if Supplier.objects.filter(credit_code=values["credit_code"]).exists():
            continue
        supplier = Supplier(**values)
        supplier.full_clean()
        supplier.save()
        for code, name, name_zh, unit, sector in spec["products"]:
            product = SupplierProduct(
                supplier=supplier, code=code, name=name, name_zh=name_zh, declared_unit=unit,
                spend_sector=sector,
            )  # fmt: skip
            product.full_clean()
            product.save()
        created += 1
    return created
