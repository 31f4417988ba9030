import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from emissions.offsets import selectors, services
from emissions.offsets.models import CreditBatch, Retirement, RetirementPurpose, RetirementReversal

pytestmark = pytest.mark.django_db

FOREST_BATCH = "CCER-14-001 v2023 #1–100"
CCER_REGISTRY = "CCER (China Certified Emission Reduction)"


def add_batch(project, **overrides):
    arguments = {
        "project": project,
        "vintage_year": 2023,
        "quantity_t": Decimal("100"),
        "serial_first": 1,
        "serial_last": 100,
        "purchased_on": dt.date(2024, 1, 15),
        **overrides,
    }
    return services.add_credit_batch(**arguments)


def messages_of(caught) -> list[str]:
    return caught.value.messages


# Adding a batch


def test_a_batch_is_stored_with_its_serial_range_price_and_history(ccer_forest):
    batch = add_batch(
        ccer_forest,
        quantity_t=Decimal("100"),
        serial_first=1001,
        serial_last=1100,
        price_per_t=Decimal("85.50"),
    )

    stored = CreditBatch.objects.get()
    assert stored == batch
    assert stored.quantity_t == Decimal("100.000")
    assert (stored.serial_first, stored.serial_last) == (1001, 1100)
    assert (stored.price_per_t, stored.currency) == (Decimal("85.50"), "CNY")
    assert stored.history.count() == 1


@pytest.mark.parametrize(
    ("first", "last"),
    [(51, 150), (200, 249), (120, 130), (101, 200), (1, 300)],
    ids=["overlaps-its-start", "touches-its-last-serial", "inside", "same-range", "encloses"],
)
def test_a_batch_whose_serials_overlap_a_batch_of_the_same_registry_is_rejected_naming_it(
    ccer_forest, ccer_wind, nothing_written, first, last
):
    add_batch(ccer_forest, serial_first=101, serial_last=200)

    # Another project, but the same registry: CCER serials are unique across the registry.
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(
            ccer_wind, quantity_t=Decimal(last - first + 1), serial_first=first, serial_last=last
        )

    assert messages_of(caught) == [
        f"Serial numbers {first}–{last} overlap batch CCER-14-001 v2023 #101–200 "
        f"on the same registry, {CCER_REGISTRY}."
    ]


def test_the_first_overlapping_batch_is_the_one_named(ccer_forest, nothing_written):
    add_batch(ccer_forest, quantity_t=Decimal("10"), serial_first=31, serial_last=40)
    add_batch(ccer_forest, quantity_t=Decimal("10"), serial_first=11, serial_last=20)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, quantity_t=Decimal("50"), serial_first=1, serial_last=50)

    assert messages_of(caught) == [
        "Serial numbers 1–50 overlap batch CCER-14-001 v2023 #11–20 "
        f"on the same registry, {CCER_REGISTRY}."
    ]


def test_ranges_that_meet_without_sharing_a_serial_are_both_accepted(ccer_forest):
    add_batch(ccer_forest, serial_first=101, serial_last=200)
    add_batch(ccer_forest, serial_first=1, serial_last=100)
    add_batch(ccer_forest, serial_first=201, serial_last=300)

    assert CreditBatch.objects.count() == 3


def test_the_same_serials_in_another_registry_are_accepted(ccer_forest, vcs_wind):
    add_batch(ccer_forest)
    add_batch(vcs_wind)

    assert sorted(CreditBatch.objects.values_list("project__standard", flat=True)) == [
        "ccer",
        "vcs",
    ]


def test_a_serial_range_that_does_not_count_the_quantity_is_rejected(ccer_forest, nothing_written):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, quantity_t=Decimal("100"), serial_first=1, serial_last=99)

    assert messages_of(caught) == [
        "Serial numbers 1–99 are 99 credits, not 100: one serial number is one tCO2e."
    ]
    assert list(caught.value.message_dict) == ["quantity_t"]


def test_a_fractional_batch_quantity_is_rejected(ccer_forest, nothing_written):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, quantity_t=Decimal("99.5"), serial_first=1, serial_last=100)

    assert messages_of(caught) == [
        "Credits come in whole tonnes (one serial number is one tCO2e); "
        "99.5 tCO2e is not a whole number."
    ]


def test_a_batch_of_a_future_vintage_is_rejected(ccer_forest, nothing_written):
    this_year = timezone.localdate().year

    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, vintage_year=this_year + 1)

    assert messages_of(caught) == [
        f"Vintage {this_year + 1} lies in the future (the current year is {this_year})."
    ]


def test_a_batch_of_this_years_vintage_is_accepted(ccer_forest):
    batch = add_batch(ccer_forest, vintage_year=timezone.localdate().year)

    assert batch.pk is not None


@pytest.mark.parametrize("quantity", ["0", "-5"])
def test_a_batch_of_no_credits_is_rejected(ccer_forest, nothing_written, quantity):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, quantity_t=Decimal(quantity))

    assert messages_of(caught) == ["The quantity must be more than 0 tCO2e."]


def test_a_serial_range_that_ends_before_it_starts_is_rejected(ccer_forest, nothing_written):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        add_batch(ccer_forest, serial_first=100, serial_last=1)

    assert messages_of(caught) == ["The last serial number cannot precede the first."]


# Retiring credits


def test_retiring_credits_records_the_retirement_and_leaves_the_rest_in_the_batch(
    ccer_forest, make_batch
):
    batch = make_batch(ccer_forest, 100)

    retirement = services.retire_credits(
        batch=batch,
        quantity_t=Decimal("60"),
        retired_on=dt.date(2025, 3, 20),
        claimed_year=2024,
        registry_reference="CCER-RET-2025-0320",
        beneficiary_statement="Retired on behalf of Xingtai Kehui for 2024.",
    )

    stored = Retirement.objects.get()
    assert stored == retirement
    assert stored.batch == batch
    assert stored.quantity_t == Decimal("60.000")
    assert (stored.claimed_year, stored.purpose) == (2024, RetirementPurpose.NEUTRALITY)
    assert stored.registry_reference == "CCER-RET-2025-0320"
    assert stored.history.count() == 1
    assert selectors.batch_remaining_t(batch.pk) == Decimal("40")


def test_retiring_more_than_a_batch_still_holds_is_rejected(
    ccer_forest, make_batch, retire, nothing_written
):
    batch = make_batch(ccer_forest, 100)
    retire(batch, 60)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, 60)

    assert messages_of(caught) == [f"Batch {FOREST_BATCH} holds only 40 tCO2e; cannot retire 60."]
    assert list(caught.value.message_dict) == ["quantity_t"]


def test_a_whole_batch_can_be_retired_but_not_one_kilogram_more(
    ccer_forest, make_batch, retire, nothing_written
):
    batch = make_batch(ccer_forest, 100)
    retire(batch, 70)
    retire(batch, 30)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, Decimal("0.001"))

    assert messages_of(caught) == [f"Batch {FOREST_BATCH} holds only 0 tCO2e; cannot retire 0.001."]


def test_credits_surrendered_for_ets_compliance_also_leave_the_batch(
    ccer_forest, make_batch, retire, nothing_written
):
    batch = make_batch(ccer_forest, 100)
    retire(batch, 90, purpose=RetirementPurpose.ETS_COMPLIANCE)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, 20)

    assert messages_of(caught) == [f"Batch {FOREST_BATCH} holds only 10 tCO2e; cannot retire 20."]


def test_reversed_credits_are_back_in_the_batch_and_can_be_retired_again(
    ccer_forest, make_batch, retire
):
    batch = make_batch(ccer_forest, 100)
    first = retire(batch, 100)
    services.reverse_retirement(
        retirement=first,
        quantity_t=Decimal("20"),
        reversed_on=dt.date(2025, 4, 1),
        reason="Registry cancelled part of the retirement.",
    )

    retire(batch, 20)

    assert selectors.batch_remaining_t(batch.pk) == Decimal("0")


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_retiring_no_credits_is_rejected(
    ccer_forest, make_batch, retire, nothing_written, quantity
):
    batch = make_batch(ccer_forest, 100)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, Decimal(quantity))

    assert messages_of(caught) == ["The quantity must be more than 0 tCO2e."]


def test_credits_cannot_be_retired_before_the_batch_was_bought(
    ccer_forest, make_batch, retire, nothing_written
):
    batch = make_batch(ccer_forest, 100, purchased_on=dt.date(2024, 1, 15))

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, 10, retired_on=dt.date(2024, 1, 14))

    assert messages_of(caught) == [
        f"Credits cannot be retired on 2024-01-14, before batch {FOREST_BATCH} was bought "
        "on 2024-01-15."
    ]


def test_credits_can_be_retired_on_the_day_they_were_bought(ccer_forest, make_batch, retire):
    batch = make_batch(ccer_forest, 100, purchased_on=dt.date(2024, 1, 15))

    retirement = retire(batch, 10, retired_on=dt.date(2024, 1, 15))

    assert retirement.pk is not None


def test_a_retirement_without_its_registry_reference_is_rejected(
    ccer_forest, make_batch, retire, nothing_written
):
    batch = make_batch(ccer_forest, 100)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        retire(batch, 10, registry_reference="")

    assert caught.value.message_dict == {"registry_reference": ["This field cannot be blank."]}


# Reversing a retirement


def reverse(retirement, tonnes, *, reversed_on=dt.date(2025, 4, 1), reason="Double count."):
    return services.reverse_retirement(
        retirement=retirement,
        quantity_t=Decimal(tonnes),
        reversed_on=reversed_on,
        reason=reason,
    )


def test_a_reversal_is_recorded_as_its_own_entry_and_the_retirement_is_unchanged(
    ccer_forest, make_batch, retire
):
    retirement = retire(make_batch(ccer_forest, 100), 80)

    reversal = reverse(retirement, 30, reason="Claimed for the wrong year.")

    stored = RetirementReversal.objects.get()
    assert stored == reversal
    assert (stored.retirement, stored.quantity_t) == (retirement, Decimal("30.000"))
    assert stored.reason == "Claimed for the wrong year."
    assert Retirement.objects.get().quantity_t == Decimal("80.000")
    assert retirement.history.count() == 1


def test_reversing_more_than_is_left_of_a_retirement_is_rejected(
    ccer_forest, make_batch, retire, nothing_written
):
    retirement = retire(make_batch(ccer_forest, 100), 80)
    reverse(retirement, 30)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        reverse(retirement, 60)

    assert messages_of(caught) == [
        f"Only 50 tCO2e of the retirement “80.000 t from {FOREST_BATCH} for 2024” can still be "
        "reversed (30 reversed already); cannot reverse 60."
    ]


def test_a_retirement_can_be_reversed_in_full_but_not_beyond(
    ccer_forest, make_batch, retire, nothing_written
):
    retirement = retire(make_batch(ccer_forest, 100), 80)
    reverse(retirement, 80)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        reverse(retirement, Decimal("0.001"))

    assert messages_of(caught) == [
        f"Only 0 tCO2e of the retirement “80.000 t from {FOREST_BATCH} for 2024” can still be "
        "reversed (80 reversed already); cannot reverse 0.001."
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reversal_without_a_reason_is_rejected(
    ccer_forest, make_batch, retire, nothing_written, reason
):
    retirement = retire(make_batch(ccer_forest, 100), 80)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        reverse(retirement, 10, reason=reason)

    assert caught.value.message_dict == {"reason": ["Say why the retirement is reversed."]}


def test_a_reversal_dated_before_its_retirement_is_rejected(
    ccer_forest, make_batch, retire, nothing_written
):
    retirement = retire(make_batch(ccer_forest, 100), 80, retired_on=dt.date(2025, 3, 20))

    with nothing_written(), pytest.raises(ValidationError) as caught:
        reverse(retirement, 10, reversed_on=dt.date(2025, 3, 19))

    assert messages_of(caught) == [
        "A reversal cannot predate its retirement: retired on 2025-03-20, "
        "reversal dated 2025-03-19."
    ]


def test_reversing_nothing_is_rejected(ccer_forest, make_batch, retire, nothing_written):
    retirement = retire(make_batch(ccer_forest, 100), 80)

    with nothing_written(), pytest.raises(ValidationError) as caught:
        reverse(retirement, 0)

    assert messages_of(caught) == ["The quantity must be more than 0 tCO2e."]
