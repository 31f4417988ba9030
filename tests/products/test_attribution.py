"""Product footprints from the inventory: the worked example of docs/methodology.md, by hand.

Xingtai main plant (XT-01, Hebei) in 2025, approved records only:
- direct: 2 × 25,000 m³ natural gas × 2.1622 kg CO2/m³ = 108,110 kg
- indirect: 2 × 500,000 kWh × 0.6516 kg/kWh (Hebei 2023, the latest published) = 651,600 kg
  (a submitted record of 100,000 kWh is still in review: it does not count)
- one rolling process, allocated by mass: hot-rolled coil 600 t, plate 400 t → 60 % and 40 %
- the coil is rolled from 630 t of billets at a default 1,850 kg CO2e/t = 1,165,500 kg
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emissions.factors.calculation import ZERO
from emissions.neutrality.inventory import facility_years
from emissions.products.attribution import attribute
from emissions.products.models import (
    AllocationBasis,
    Process,
    Product,
    Production,
)
from tests.factories import make_record
from tests.products.conftest import YEAR, _month


def test_the_worked_example_gives_each_product_its_footprint_per_tonne(coil_and_plate):
    _process, coil, plate = coil_and_plate

    result = attribute(YEAR)

    assert result.problems == []
    (facility,) = result.facilities
    assert facility.direct_kg == Decimal("108110.000000")
    assert facility.indirect_kg == Decimal("651600.000000")
    assert [(s.product.code, s.key) for s in facility.shares] == [
        ("hrc", Decimal("600000.000000")),
        ("plate", Decimal("400000.000000")),
    ]
    hrc, heavy_plate = result.products
    assert (hrc.product, hrc.quantity) == (coil, Decimal("600.000000"))
    assert hrc.direct_kg == Decimal("64866.000000")
    assert hrc.indirect_kg == Decimal("390960.000000")
    assert hrc.precursor_kg == Decimal("1165500.000000")
    assert hrc.total_kg == Decimal("1621326.000000")
    assert hrc.kg_per_unit == Decimal("2702.210000")
    assert hrc.uses_defaults
    assert heavy_plate.product == plate
    assert heavy_plate.direct_kg == Decimal("43244.000000")
    assert heavy_plate.indirect_kg == Decimal("260640.000000")
    assert heavy_plate.kg_per_unit == Decimal("759.710000")


def test_machine_hours_split_the_same_emissions_by_hours(coil_and_plate):
    process, _coil, _plate = coil_and_plate
    process.allocation_basis = AllocationBasis.MACHINE_HOURS
    process.save()

    hrc, plate = attribute(YEAR).products

    # 800 h and 1,200 h: 40 % and 60 %.
    assert (hrc.direct_kg, plate.direct_kg) == (Decimal("43244.000000"), Decimal("64866.000000"))
    assert hrc.indirect_kg + plate.indirect_kg == Decimal("651600.000000")


def test_a_key_summing_to_zero_leaves_the_facility_out_with_a_message(coil_and_plate):
    process, _coil, _plate = coil_and_plate
    Production.objects.update(machine_hours=None)
    process.allocation_basis = AllocationBasis.MACHINE_HOURS
    process.save()

    result = attribute(YEAR)

    assert result.facilities == []
    assert result.problems == [
        "XT-01 · Hot rolling: the allocation key (Physical: machine hours) adds up to zero in "
        "this year, so its emissions cannot be split over its products; enter it in the "
        "production."
    ]
    # The precursor still belongs to the coil; nothing is attributed from the plant.
    (hrc,) = result.products
    assert (hrc.direct_kg, hrc.precursor_kg) == (ZERO, Decimal("1165500.000000"))


def test_a_piece_without_a_mass_cannot_be_allocated_by_mass(coil_and_plate):
    _process, coil, _plate = coil_and_plate
    Product.objects.filter(pk=coil.pk).update(declared_unit="piece")

    result = attribute(YEAR)

    assert result.facilities == []
    assert "hrc is declared per piece without a mass per piece" in result.problems[0]


def test_records_in_review_do_not_count_until_approved(coil_and_plate):
    before = attribute(YEAR).facilities[0].indirect_kg

    from emissions.activities.models import ActivityRecord

    ActivityRecord.objects.filter(status="submitted").update(status="approved")

    assert attribute(YEAR).facilities[0].indirect_kg == before + Decimal("65160.000000")


def _plant(code):
    from emissions.facilities.models import Facility

    return Facility.objects.create(
        code=code, name_en=code, kind="factory", province="CN-HE", grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )  # fmt: skip


lines = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # product
        st.integers(min_value=1, max_value=12),  # month
        st.decimals(min_value="0.001", max_value="99999.999", places=3),  # quantity
        st.decimals(min_value="0", max_value="9999.99", places=2),  # machine hours
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda line: (line[0], line[1]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    basis=st.sampled_from(list(AllocationBasis)),
    lines=lines,
    gas_m3=st.integers(min_value=0, max_value=10**7),
    kwh=st.integers(min_value=0, max_value=10**8),
)
def test_a_facility_s_attributed_emissions_add_up_to_its_inventory(
    organisation, basis, lines, gas_m3, kwh
):
    with transaction.atomic():
        plant = _plant("GEN-1")
        if gas_m3:
            make_record(plant, "natural_gas_stationary", Decimal(gas_m3), "m3", **_month(5))
        if kwh:
            make_record(plant, "grid_electricity", Decimal(kwh), "kWh", **_month(6))
        process = Process.objects.create(
            facility=plant, name="Line", allocation_basis=basis, justification="generated"
        )
        products = [
            Product.objects.create(code=f"p{i}", name_en=f"P{i}", declared_unit=unit)
            for i, unit in enumerate(("t", "kg", "t"))
        ]
        for product, month, quantity, hours in lines:
            Production.objects.create(
                process=process, product=products[product], year=YEAR, month=month,
                quantity=quantity, machine_hours=hours, value_cny=quantity * 3,
            )  # fmt: skip

        result = attribute(YEAR)

        own = facility_years(years=[YEAR], facility_ids=[plant.pk], approved_only=True)
        direct = own[0].scope1_kg if own else ZERO
        indirect = own[0].scope2_location_kg if own else ZERO
        if result.problems:
            # Only machine hours can all be zero here; then nothing is attributed.
            assert basis == AllocationBasis.MACHINE_HOURS
            assert sum(hours for *_rest, hours in lines) == 0
            assert result.facilities == []
        else:
            assert sum((p.direct_kg for p in result.products), ZERO) == direct
            assert sum((p.indirect_kg for p in result.products), ZERO) == indirect
            assert sum((p.quantity for p in result.products), ZERO) == sum(
                (quantity for _p, _m, quantity, _h in lines), ZERO
            )
        transaction.set_rollback(True)
