import datetime as dt
from decimal import Decimal

import pytest

from emissions.suppliers.models import Supplier, SupplierProduct

# A real, valid unified social credit code shape (checksum computed by GB 32100).
STEEL_CODE = "91130500MA0CXXXXX1"


@pytest.fixture
def steel_supplier(db):
    return Supplier.objects.create(
        name="Hebei Example Steel Co.",
        name_zh="河北示例钢铁有限公司",
        credit_code=STEEL_CODE,
        category="raw_materials",
        contact_name="王经理",
        email="carbon@steel.example.cn",
        language="zh-hans",
    )


@pytest.fixture
def coil(steel_supplier):
    return SupplierProduct.objects.create(
        supplier=steel_supplier,
        code="hbsteel-hrc",
        name="Hot-rolled coil",
        name_zh="热轧卷板",
        declared_unit="t",
        spend_sector="331110",
    )


PURCHASE_2023 = {
    "start": dt.date(2023, 5, 1),
    "end": dt.date(2023, 5, 31),
    "data_quality": "invoice",
}
TONNES = Decimal("100")
SPEND_CNY = Decimal("420000")
