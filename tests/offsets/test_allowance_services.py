import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.offsets import selectors, services
from emissions.offsets.models import AllowanceTransaction, AllowanceTransactionKind

pytestmark = pytest.mark.django_db

Kind = AllowanceTransactionKind
WORKSHOP = "XT-02 Xingtai casting workshop"


def record(facility, kind, tonnes, *, year=2024, on=dt.date(2025, 6, 1), **kwargs):
    return services.record_allowance_transaction(
        facility=facility,
        compliance_year=year,
        kind=kind,
        quantity_t=Decimal(tonnes),
        transacted_on=on,
        **kwargs,
    )


@pytest.fixture
def allocated_2024(casting_workshop):
    """2,100 t allocated for 2024 and 150 t bought: 2,250 t held."""
    record(casting_workshop, Kind.ALLOCATION, 2100, on=dt.date(2024, 12, 18))
    record(casting_workshop, Kind.PURCHASE, 150, price_per_t=Decimal("92.40"))


def test_allowances_held_can_be_surrendered(casting_workshop, allocated_2024):
    surrender = record(casting_workshop, Kind.SURRENDER, 2250, reference="MEE-2024-XT02")

    stored = AllowanceTransaction.objects.get(kind=Kind.SURRENDER)
    assert stored == surrender
    assert (stored.quantity_t, stored.reference) == (Decimal("2250.000"), "MEE-2024-XT02")
    assert stored.history.count() == 1
    assert selectors.allowances_held_t(facility_id=casting_workshop.pk, year=2024) == 0


def test_surrendering_more_allowances_than_held_is_rejected(
    casting_workshop, allocated_2024, nothing_written
):
    record(casting_workshop, Kind.SALE, 50)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        record(casting_workshop, Kind.SURRENDER, 2201)

    assert caught.value.message_dict == {
        "quantity_t": [
            f"{WORKSHOP} holds only 2200 tCO2 of allowances for 2024; cannot surrender 2201."
        ]
    }


def test_selling_more_allowances_than_held_is_rejected(
    casting_workshop, allocated_2024, nothing_written
):
    record(casting_workshop, Kind.SURRENDER, 2000)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        record(casting_workshop, Kind.SALE, Decimal("250.5"))

    assert caught.value.messages == [
        f"{WORKSHOP} holds only 250 tCO2 of allowances for 2024; cannot sell 250.5."
    ]


def test_another_years_or_another_facilitys_allowances_cannot_be_surrendered(
    casting_workshop, hebei_plant, nothing_written
):
    record(casting_workshop, Kind.ALLOCATION, 2000, year=2023)
    record(hebei_plant, Kind.ALLOCATION, 2000, year=2024)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        record(casting_workshop, Kind.SURRENDER, 1, year=2024)

    assert caught.value.messages == [
        f"{WORKSHOP} holds only 0 tCO2 of allowances for 2024; cannot surrender 1."
    ]


def test_allocations_and_purchases_need_no_allowances_already_held(casting_workshop):
    record(casting_workshop, Kind.PURCHASE, 10)

    assert selectors.allowances_held_t(facility_id=casting_workshop.pk, year=2024) == 10


@pytest.mark.parametrize("kind", [Kind.ALLOCATION, Kind.SURRENDER])
def test_a_transaction_of_no_allowances_is_rejected(casting_workshop, nothing_written, kind):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        record(casting_workshop, kind, 0)

    assert caught.value.messages == ["The quantity must be more than 0 tCO2."]
