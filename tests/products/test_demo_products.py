"""The demo's products: every year's footprints build without a problem, and each plant's
attributed emissions add up to its approved inventory (the consistency rule, on the demo)."""

import io

import pytest
from django.core.management import call_command

from emissions.factors.calculation import ZERO
from emissions.neutrality.inventory import facility_years
from emissions.products.attribution import attribute
from emissions.products.demo import YEARS, load_demo_products

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(organisation):
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_footprints_add_up_to_each_plant_s_inventory(demo):
    for year in YEARS:
        result = attribute(year)

        assert result.problems == []
        assert [p.product.code for p in result.products] == [
            "kh-ductile-castings", "kh-grey-castings", "kh-machined-parts", "kh-pump-housings",
        ]  # fmt: skip
        inventory = {f.facility_id: f for f in facility_years(years=[year], approved_only=True)}
        for facility in result.facilities:
            own = inventory[facility.process.facility_id]
            shares = facility.shares
            assert sum((s.direct_kg for s in shares), ZERO) == own.scope1_kg
            assert sum((s.indirect_kg for s in shares), ZERO) == own.scope2_location_kg
        parts = result.products[2]
        assert parts.uses_defaults and parts.precursor_kg > 0


def test_loading_the_demo_products_again_creates_nothing(demo):
    assert load_demo_products() == 0
