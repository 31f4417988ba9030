"""The completeness grid, worked by hand (docs/methodology.md, "Data completeness").

Hebei plant, grid electricity expected monthly, due on the 10th of the next month, as of
20 July 2025. Electricity at the Hebei grid factor 0.6516 kg/kWh.

| 2025 | records | state |
|---|---|---|
| Jan | 1,000 kWh, loaded approved (no review dates) | received |
| Feb | submitted 5 March (due 10 March) | received |
| Mar | submitted 20 April (due 10 April) | late |
| Apr | data quality "estimated" | estimated |
| May | a draft, never submitted (due 10 June) | late |
| Jun | nothing (due 10 July) | missing: estimated from 2024's Apr–Jun invoice, 30 of its 91 days |
| Jul–Dec | nothing yet (a rejected record in July does not count) | not due |

Due so far: Jan–Jun = 6 periods; with data: 5 → 83.3 %. June's estimate: 9,100 kWh × 0.6516
= 5,929.56 kg over 91 days; June's 30 days: 5,929.56 × 30 ÷ 91 = 1,954.8 kg.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from emissions.activities.models import ActivityType
from emissions.planning.completeness import State, completeness
from emissions.planning.models import ExpectedStream, Frequency

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 7, 20)


def at(year, month, day):
    return timezone.make_aware(dt.datetime(year, month, day, 9, 0))


def month(year, number):
    start = dt.date(year, number, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"start": start, "end": end}


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("meter-reader", first_name="Li", last_name="Na")


@pytest.fixture
def stream(hebei_plant, owner):
    return ExpectedStream.objects.create(
        facility=hebei_plant,
        activity_type=ActivityType.objects.get(code="grid_electricity"),
        frequency=Frequency.MONTHLY,
        owner=owner,
        due_day=10,
        starts_on=dt.date(2024, 1, 1),
    )


@pytest.fixture
def worked_example(organisation, hebei_plant, make_record, stream):
    grid = ("grid_electricity", "1000", "kWh")
    make_record(hebei_plant, "grid_electricity", "9100", "kWh", start=dt.date(2024, 4, 1),
                end=dt.date(2024, 6, 30), status="approved")  # fmt: skip
    make_record(hebei_plant, *grid, **month(2025, 1), status="approved")
    make_record(hebei_plant, *grid, **month(2025, 2), status="submitted",
                submitted_at=at(2025, 3, 5))  # fmt: skip
    make_record(hebei_plant, *grid, **month(2025, 3), status="submitted",
                submitted_at=at(2025, 4, 20))  # fmt: skip
    make_record(hebei_plant, *grid, **month(2025, 4), status="submitted",
                submitted_at=at(2025, 5, 2), data_quality="estimated")  # fmt: skip
    make_record(hebei_plant, *grid, **month(2025, 5), status="draft")
    make_record(hebei_plant, *grid, **month(2025, 7), status="rejected",
                rejection_reason="Wrong meter")  # fmt: skip
    return stream


def test_the_worked_example_month_by_month(worked_example):
    result = completeness(2025, today=TODAY)

    (row,) = result.rows
    assert [cell.state for cell in row.cells] == [
        State.RECEIVED, State.RECEIVED, State.LATE, State.ESTIMATED, State.LATE, State.MISSING,
        *[State.NOT_DUE] * 6,
    ]  # fmt: skip
    assert [cell.due_on for cell in row.cells[:2]] == [dt.date(2025, 2, 10), dt.date(2025, 3, 10)]
    assert row.cells[11].due_on == dt.date(2026, 1, 10)
    assert row.cells[0].kg == Decimal("651.600000")
    assert row.cells[5].estimate_kg == Decimal("1954.800000")
    assert [cell.estimate_kg for cell in row.cells if cell.state != State.MISSING] == [None] * 11
    assert (result.due, result.with_data, result.share_pct) == (6, 5, Decimal("83.3"))
    assert (result.missing, result.late, result.estimated) == (1, 2, 1)
    assert result.estimate_kg == Decimal("1954.800000")


def test_the_grid_reads_in_two_queries(worked_example, django_assert_num_queries):
    with django_assert_num_queries(2):  # the streams, the records grouped by period
        completeness(2025, today=TODAY)


def test_a_quarterly_invoice_covers_its_three_months(worked_example, hebei_plant):
    (row,) = completeness(2024, today=TODAY).rows

    assert [cell.state for cell in row.cells[3:6]] == [State.RECEIVED] * 3
    # Each month its share of the invoice's days: April 30, May 31, June 30 of 91.
    assert [cell.kg for cell in row.cells[3:6]] == [
        Decimal("1954.800000"), Decimal("2019.960000"), Decimal("1954.800000"),
    ]  # fmt: skip
    assert sum(cell.kg for cell in row.cells[3:6]) == Decimal("5929.560000")
    # Before the invoice: no 2023 data to estimate from.
    assert row.cells[0].state == State.MISSING and row.cells[0].estimate_kg is None


def test_a_yearly_stream_is_one_period_due_the_next_january(hebei_plant, owner, make_record):
    ExpectedStream.objects.create(
        facility=hebei_plant,
        activity_type=ActivityType.objects.get(code="waste_landfill"),
        frequency=Frequency.YEARLY,
        owner=owner,
        due_day=20,
        starts_on=dt.date(2024, 1, 1),
    )
    (row,) = completeness(2025, today=TODAY).rows
    (cell,) = row.cells
    assert (cell.state, cell.due_on) == (State.NOT_DUE, dt.date(2026, 1, 20))
    (row,) = completeness(2024, today=TODAY).rows
    assert row.cells[0].state == State.MISSING


def test_periods_outside_the_streams_dates_are_not_expected(stream):
    stream.starts_on = dt.date(2025, 3, 15)
    stream.ends_on = dt.date(2025, 5, 1)
    stream.save()
    (row,) = completeness(2025, today=TODAY).rows

    states = [cell.state for cell in row.cells]
    assert states[:2] == [State.NOT_EXPECTED] * 2
    assert states[2:5] == [State.MISSING] * 3
    assert states[5:] == [State.NOT_EXPECTED] * 7
    assert completeness(2025, today=TODAY).due == 3


def test_one_owner_sees_only_their_streams(worked_example, hebei_plant, django_user_model):
    other = django_user_model.objects.create_user("gas-clerk")
    ExpectedStream.objects.create(
        facility=hebei_plant,
        activity_type=ActivityType.objects.get(code="natural_gas_stationary"),
        owner=other,
        starts_on=dt.date(2025, 1, 1),
    )
    assert len(completeness(2025, today=TODAY).rows) == 2
    (row,) = completeness(2025, owner=other, today=TODAY).rows
    assert row.stream.owner == other


def test_no_streams_no_grid_and_no_share(organisation):
    result = completeness(2025, today=TODAY)
    assert (result.rows, result.due, result.share_pct) == ([], 0, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_day", 0, "Ensure this value is greater than or equal to 1."),
        ("due_day", 29, "Ensure this value is less than or equal to 28."),
        ("ends_on", dt.date(2023, 12, 31), "A stream cannot end before it starts."),
    ],
)
def test_bad_values_are_refused_with_their_message(stream, field, value, message):
    setattr(stream, field, value)
    with pytest.raises(ValidationError) as refused:
        stream.full_clean()
    assert message in str(refused.value)


def test_the_database_refuses_a_due_day_past_the_28th(stream):
    with pytest.raises(IntegrityError):
        ExpectedStream.objects.filter(pk=stream.pk).update(due_day=31)


def test_one_stream_per_facility_and_type(stream):
    duplicate = ExpectedStream(
        facility=stream.facility,
        activity_type=stream.activity_type,
        owner=stream.owner,
        starts_on=dt.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert "already has an expected stream for this activity type" in str(refused.value)
