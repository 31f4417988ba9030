"""Every purchase's page says whose data its factor is and why the better kinds were passed by."""

from decimal import Decimal

import pytest
from django.urls import reverse

from emissions.factors.units import convert, display_unit

from .conftest import PURCHASE_2023, SPEND_CNY, TONNES
from .test_precedence import _footprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, django_user_model):
    from tests.factories import user_in_roles

    client.force_login(user_in_roles(django_user_model, "reader", "Viewer"))
    return client


def test_a_footprint_purchase_names_the_supplier_and_the_rule(
    reader, make_record, hebei_plant, coil
):
    _footprint(coil)
    record = make_record(hebei_plant, "purchased_steel", TONNES, "t", purchased_product=coil,
                         **PURCHASE_2023)  # fmt: skip
    html = reader.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert "Bought from" in html and "热轧卷板" in html and "hbsteel-hrc" in html
    assert "Whose data" in html
    assert "<strong>Supplier-specific product footprint</strong>" in html
    assert 'class="used">Supplier-specific product footprint: Used:' in html


def test_a_spend_purchase_shows_its_conversion(reader, make_record, hebei_plant, coil):
    _footprint(coil)
    record = make_record(hebei_plant, "purchased_steel", SPEND_CNY, "元", purchased_product=coil,
                         **PURCHASE_2023)  # fmt: skip
    html = reader.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert "<strong>Spend-based factor</strong>" in html
    assert "is per t; the purchase is in CNY" in html
    assert "420,000 CNY ÷ 7.0467 CNY/USD (2023)" in html


def test_a_record_outside_the_rule_shows_no_whose_data_row(reader, make_record, hebei_plant):
    record = make_record(hebei_plant, "hotel_nights", Decimal("2"), "night", **PURCHASE_2023)
    html = reader.get(reverse("dashboard:record_detail", args=[record.pk])).content.decode()
    assert "Whose data" not in html


@pytest.mark.parametrize("spelling", ["piece", "pcs", "PCS", "件", "个", "台"])
def test_pieces_are_pieces_never_parsecs(spelling):
    assert convert(Decimal(3), spelling, "piece") == 3
    assert display_unit(spelling) == "piece"
