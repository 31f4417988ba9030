"""The organisation's own CNY/USD rate for a year the shipped table lacks (2025), entered with
its source in the admin: spend-based purchases of that year are then priced, and a changed
rate recalculates them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.factors.models import ExchangeRate

from .conftest import SPEND_CNY

pytestmark = pytest.mark.django_db

MAY_2025 = {"start": dt.date(2025, 5, 1), "end": dt.date(2025, 5, 31), "data_quality": "invoice"}


def _spend_2025(make_record, plant, coil, save=True):
    return make_record(plant, "purchased_steel", SPEND_CNY, "CNY", purchased_product=coil,
                       save=save, **MAY_2025)  # fmt: skip


def test_without_a_rate_the_purchase_is_refused_saying_where_to_add_one(
    make_record, hebei_plant, coil
):
    record = _spend_2025(make_record, hebei_plant, coil, save=False)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    message = " ".join(refused.value.message_dict["unit"])
    assert "No CNY/USD exchange rate for 2025" in message
    assert "Exchange rates in the admin" in message


def test_an_own_rate_prices_it_and_a_changed_rate_recalculates_it(make_record, hebei_plant, coil):
    rate = ExchangeRate.objects.create(year=2025, cny_per_usd=Decimal("7.2"), source="Test rate")
    record = _spend_2025(make_record, hebei_plant, coil)
    # 420,000 ÷ 7.2 × 270.970 / 321.943 (CPI-U 2021 / 2025) = 49,096.21… USD of 2021.
    expected = (SPEND_CNY * Decimal("270.970") / (Decimal("7.2") * Decimal("321.943"))).quantize(
        Decimal("0.000000000001")
    )
    assert record.factor_quantity == expected
    rate.cny_per_usd = Decimal("7.0")
    rate.save()  # queues the year's spend-based purchases (the immediate backend runs it)
    record.refresh_from_db()
    # Read back from the database: SQLite keeps about 16 significant digits of a decimal.
    dollars = SPEND_CNY * Decimal("270.970") / (Decimal("7.0") * Decimal("321.943"))
    micro = Decimal("0.000001")
    assert record.factor_quantity.quantize(micro) == dollars.quantize(micro)
    assert record.co2e_kg == (
        dollars.quantize(Decimal("0.000000000001")) * Decimal("0.979")
    ).quantize(micro)


def test_a_rate_needs_a_source_and_a_positive_value(admin_client):
    response = admin_client.post(
        "/admin/factors/exchangerate/add/", {"year": 2025, "cny_per_usd": "0", "source": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html  # the source
    assert not ExchangeRate.objects.exists()
    response = admin_client.post(
        "/admin/factors/exchangerate/add/", {"year": 2025, "cny_per_usd": "0", "source": "NBS"}
    )
    assert "The rate must be above zero." in response.content.decode()
    assert not ExchangeRate.objects.exists()
