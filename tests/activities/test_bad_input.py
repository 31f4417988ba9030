"""Bad activity input is rejected with a message naming the problem, and nothing is written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db


def _rejected(make_record, *args, **kwargs) -> dict[str, list[str]]:
    """Try to record the activity both ways (full_clean + save, plain save); return the errors."""
    before = ActivityRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_record(*args, **kwargs)
    record = make_record(*args, save=False, **kwargs)
    with pytest.raises(ValidationError):
        record.save()
    assert ActivityRecord.objects.count() == before
    return caught.value.message_dict


def _messages(errors: dict[str, list[str]]) -> list[str]:
    return [message for messages in errors.values() for message in messages]


@pytest.fixture
def closing_plant(db):
    return Facility.objects.create(
        code="XT-02",
        name_en="Xingtai old plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
        closed_on=dt.date(2023, 3, 15),
    )


@pytest.fixture
def new_plant(db):
    return Facility.objects.create(
        code="XT-03",
        name_en="Xingtai new plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2023, 3, 15),
    )


@pytest.fixture
def japan_office(db):
    return Facility.objects.create(
        code="JP-01", name_en="Osaka office", kind="office", country="JP",
        opened_on=dt.date(2015, 1, 1),
    )  # fmt: skip


def test_it_rejects_a_negative_quantity(hebei_plant, make_record):
    errors = _rejected(make_record, hebei_plant, "grid_electricity", Decimal("-1"), "kWh")
    # The field's own validator and the calculation both say so.
    assert errors == {
        "quantity": [
            "Ensure this value is greater than or equal to 0.",
            "Quantity cannot be negative.",
        ]
    }


def test_it_rejects_an_unknown_unit_and_names_it(hebei_plant, make_record):
    errors = _rejected(make_record, hebei_plant, "grid_electricity", Decimal("10"), "blah")
    (message,) = errors["unit"]
    # Named, with examples in the spellings people write.
    assert message.startswith("Unknown unit 'blah'. Write it as e.g. kWh, 度, 万千瓦时, MWh, m³")


def test_it_rejects_a_unit_that_does_not_match_the_factor(hebei_plant, make_record):
    errors = _rejected(make_record, hebei_plant, "grid_electricity", Decimal("10"), "kg")
    assert errors == {
        "unit": [
            "The record's unit 'kg' does not convert to the unit of any factor for "
            "Grid electricity (kWh)."
        ]
    }


def test_it_rejects_a_refrigerant_leak_not_measured_by_mass(hebei_plant, make_record):
    errors = _rejected(make_record, hebei_plant, "refrigerant_r410a", Decimal("5"), "L")
    assert errors == {
        "unit": ["The record's unit 'L' does not match Refrigerant leak: R-410A, measured in 'kg'."]
    }


def test_it_rejects_a_period_that_ends_before_it_starts(hebei_plant, make_record):
    errors = _rejected(
        make_record, hebei_plant, "grid_electricity", Decimal("10"), "kWh",
        start=dt.date(2023, 3, 31), end=dt.date(2023, 3, 1),
    )  # fmt: skip
    assert errors == {"period_end": ["The period cannot end before it starts."]}


def test_it_rejects_a_period_across_a_year_boundary_and_suggests_splitting_it(
    hebei_plant, make_record
):
    errors = _rejected(
        make_record, hebei_plant, "grid_electricity", Decimal("10"), "kWh",
        start=dt.date(2023, 12, 1), end=dt.date(2024, 1, 31),
    )  # fmt: skip
    assert errors == {
        "period_end": [
            "The period 2023-12-01 – 2024-01-31 crosses a year boundary; split it into "
            "one record per calendar year."
        ]
    }


def test_it_rejects_a_period_ending_after_the_facility_closed(closing_plant, make_record):
    errors = _rejected(make_record, closing_plant, "grid_electricity", Decimal("10"), "kWh")
    assert errors == {"period_end": ["XT-02 closed on 2023-03-15, before this period ends."]}


def test_it_rejects_a_period_starting_before_the_facility_opened(new_plant, make_record):
    errors = _rejected(make_record, new_plant, "grid_electricity", Decimal("10"), "kWh")
    assert errors == {"period_start": ["XT-03 opened on 2023-03-15, after this period starts."]}


def test_it_rejects_an_activity_with_no_factor_for_the_region_or_year(japan_office, make_record):
    errors = _rejected(make_record, japan_office, "grid_electricity", Decimal("10"), "kWh")
    assert _messages(errors) == [
        "No emission factor for Grid electricity (factor group grid_electricity) in "
        "JP → GLOBAL for 2023 or any other year, within the series mee_nbs, with_rf. "
        "Add one in the admin or run load_factors."
    ]


def _valid_unsaved_record(facility, make_record) -> ActivityRecord:
    record = make_record(facility, "grid_electricity", Decimal("10"), "kWh", save=False)
    record.calculate()
    return record


def test_the_database_rejects_a_negative_quantity_that_bypasses_validation(
    hebei_plant, make_record
):
    record = _valid_unsaved_record(hebei_plant, make_record)
    record.quantity = Decimal("-1")
    before = ActivityRecord.objects.count()
    with pytest.raises(IntegrityError, match="record_quantity_not_negative"), transaction.atomic():
        ActivityRecord.objects.bulk_create([record])
    assert ActivityRecord.objects.count() == before


def test_the_database_rejects_a_period_across_a_year_boundary_that_bypasses_validation(
    hebei_plant, make_record
):
    record = _valid_unsaved_record(hebei_plant, make_record)
    record.period_start, record.period_end = dt.date(2023, 12, 1), dt.date(2024, 1, 31)
    before = ActivityRecord.objects.count()
    with pytest.raises(IntegrityError, match="record_period_within_one_year"), transaction.atomic():
        ActivityRecord.objects.bulk_create([record])
    assert ActivityRecord.objects.count() == before


def test_the_database_rejects_a_period_ending_before_it_starts_that_bypasses_validation(
    hebei_plant, make_record
):
    record = _valid_unsaved_record(hebei_plant, make_record)
    record.period_start, record.period_end = dt.date(2023, 3, 31), dt.date(2023, 3, 1)
    violation = pytest.raises(IntegrityError, match="record_period_end_not_before_start")
    with violation, transaction.atomic():
        ActivityRecord.objects.bulk_create([record])


def test_a_valid_record_bypassing_validation_is_accepted_by_the_database(hebei_plant, make_record):
    # The control for the three tests above: bulk_create itself works.
    record = _valid_unsaved_record(hebei_plant, make_record)
    ActivityRecord.objects.bulk_create([record])
    assert ActivityRecord.objects.get().co2e_kg == Decimal("6.516000")
