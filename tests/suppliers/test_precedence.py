"""The Scope 3 precedence rule on one purchase: 100 t of hot-rolled coil bought in May 2023
for 420,000 CNY (docs/methodology.md, "Scope 3 purchases: whose data"), under each of the
four kinds of factor, to the exact Decimal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.activities.models import ActivityRecord
from emissions.activities.scope3 import PurchaseRule
from emissions.factors.models import EmissionFactor, FactorBasis
from emissions.suppliers.models import LineKind, SubmissionLine, company_group
from emissions.suppliers.services import _dataset

from .conftest import PURCHASE_2023, SPEND_CNY, TONNES

pytestmark = pytest.mark.django_db


def _footprint(product, value="1850", year=2023):
    return EmissionFactor.objects.create(
        key=f"test-footprint-{product.pk}-{year}",
        name="Hot-rolled coil, supplier footprint",
        dataset=_dataset(FactorBasis.SUPPLIER_PRODUCT),
        group=product.footprint_group,
        category="s3_01",
        unit="t",
        region="CN",
        year=year,
        co2e_kg=Decimal(value),
        co2e_gwp_basis="AR5",
        source_reference="test",
    )


def _intensity(supplier, year=2023):
    # 12,000,000 kWh and 5,000 t of coal for 10,000 t of output (see the methodology).
    return EmissionFactor.objects.create(
        key=f"test-intensity-{supplier.pk}-{year}",
        name="Supplier intensity",
        dataset=_dataset(FactorBasis.SUPPLIER_COMPANY),
        group=company_group(supplier.pk),
        category="s3_01",
        unit="t",
        region="CN",
        year=year,
        co2_kg=Decimal("1857.06"),
        ch4_kg=Decimal("0.129"),
        n2o_kg=Decimal("0.01935"),
        source_reference="test",
    )


def _purchase(
    make_record, plant, coil, quantity=TONNES, unit="t", type_code="purchased_steel", save=True
):
    return make_record(
        plant, type_code, quantity, unit, purchased_product=coil, save=save, **PURCHASE_2023
    )


def test_a_product_footprint_comes_first(make_record, hebei_plant, coil):
    _footprint(coil)
    _intensity(coil.supplier)
    record = _purchase(make_record, hebei_plant, coil)
    assert record.factor.dataset.basis == FactorBasis.SUPPLIER_PRODUCT
    assert record.factor_region_match == "supplier"
    assert record.co2e_kg == Decimal("185000.000000")


def test_then_the_suppliers_intensity(make_record, hebei_plant, coil):
    _intensity(coil.supplier)
    record = _purchase(make_record, hebei_plant, coil)
    assert record.factor.dataset.basis == FactorBasis.SUPPLIER_COMPANY
    # 100 × (1,857.06 CO2 + 0.129 CH4 × 28 + 0.01935 N2O × 265), AR5.
    assert record.co2_kg == Decimal("185706.000000")
    assert record.co2e_kg == Decimal("186579.975000")


def test_then_the_library_average(make_record, hebei_plant, coil):
    record = _purchase(make_record, hebei_plant, coil)
    assert record.factor.key == "steel_crude_worldsteel_2022"
    assert record.factor.dataset.basis == FactorBasis.AVERAGE
    # worldsteel's 1.91 t CO2 per tonne of crude steel cast (2022 data), lagged to 2023.
    assert record.factor_year_match == "lagged"
    assert record.co2e_kg == Decimal("191000.000000")


def test_then_spend_for_the_same_purchase_recorded_in_money(make_record, hebei_plant, coil):
    _footprint(coil)  # per tonne: cannot price a purchase recorded in CNY
    record = _purchase(make_record, hebei_plant, coil, quantity=SPEND_CNY, unit="CNY")
    assert record.factor.key == "epa-sc-v1-2-331110"
    assert record.factor.dataset.basis == FactorBasis.SPEND
    # 420,000 CNY ÷ 7.0467 CNY/USD (2023) × CPI-U 270.970 / 304.702 = 53,004.09… USD of 2021.
    dollars = (SPEND_CNY / Decimal("7.0467") * Decimal("270.970") / Decimal("304.702")).quantize(
        Decimal("0.000000000001")
    )
    assert record.factor_quantity == dollars
    assert record.co2e_kg == (dollars * Decimal("0.979")).quantize(Decimal("0.000001"))
    assert record.co2e_kg == Decimal("51891.007877")


def test_every_level_tried_says_why(make_record, hebei_plant, coil):
    _footprint(coil)
    record = _purchase(make_record, hebei_plant, coil, quantity=SPEND_CNY, unit="元", save=False)
    record.year, record.scope = 2023, 3
    steps = PurchaseRule(lambda r: None).choose(record).steps
    assert [(step.basis, step.used) for step in steps] == [
        (FactorBasis.SUPPLIER_PRODUCT, False),
        (FactorBasis.SUPPLIER_COMPANY, False),
        (FactorBasis.AVERAGE, False),
        (FactorBasis.SPEND, True),
    ]
    assert "per t; the purchase is in CNY" in steps[0].reason
    assert "No accepted supplier intensity" in steps[1].reason


def test_the_nearest_year_of_a_footprint_is_used_and_flagged(make_record, hebei_plant, coil):
    _footprint(coil, value="1900", year=2021)
    record = _purchase(make_record, hebei_plant, coil)
    assert record.factor_year_match == "lagged"
    assert record.co2e_kg == Decimal("190000.000000")


def test_a_purchase_without_any_usable_factor_is_refused_with_the_reasons(
    make_record, hebei_plant, coil
):
    coil.spend_sector = ""
    coil.save()
    record = _purchase(
        make_record, hebei_plant, coil, quantity=SPEND_CNY, unit="CNY",
        type_code="purchased_goods_spend", save=False,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    message = " ".join(refused.value.message_dict["unit"])
    assert "No factor fits this purchase" in message
    assert "names a NAICS sector" in message
    assert not ActivityRecord.objects.exists()


def test_a_spend_year_without_an_exchange_rate_is_refused_naming_it(make_record, hebei_plant, coil):
    record = _purchase(make_record, hebei_plant, coil, quantity=SPEND_CNY, unit="CNY", save=False)
    record.period_start = record.period_start.replace(year=2031)
    record.period_end = record.period_end.replace(year=2031)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert "2031" in " ".join(refused.value.message_dict["unit"])


def test_records_without_a_product_in_physical_units_keep_the_plain_rule(make_record, hebei_plant):
    record = make_record(hebei_plant, "purchased_steel", TONNES, "t", **PURCHASE_2023)
    assert record.factor.key == "steel_crude_worldsteel_2022"


def test_energy_data_become_the_intensity_above(organisation, steel_supplier, coil):
    from emissions.suppliers.intensity import energy_intensity

    line = SubmissionLine(
        product=coil,
        kind=LineKind.ENERGY,
        electricity_kwh=Decimal("12000000"),
        natural_gas_m3=Decimal("0"),
        coal_t=Decimal("5000"),
        output_quantity=Decimal("10000"),
    )
    intensity = energy_intensity(line, 2023, organisation)
    # 12,000,000 kWh × 0.5306 (MEE–NBS 2023, CN) + 5,000 t × 2,440.68 (IPCC, per tonne).
    assert intensity.co2_kg == Decimal("1857.060000000000")
    assert intensity.ch4_kg == Decimal("0.129000000000")
    assert intensity.n2o_kg == Decimal("0.019350000000")
