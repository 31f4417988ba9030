"""The hourly selectors: a facility's kWh per hour of the year, and how much of it is covered."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from emissions.activities.intervals import import_intervals
from emissions.activities.intervals.selectors import (
    hourly_consumption_kwh,
    interval_coverage,
    interval_year,
)
from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_plant(db):
    return Facility.objects.create(
        code="XT-02",
        name_en="Xingtai second plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2010, 1, 1),
    )


@pytest.fixture
def readings(django_user_model, hebei_plant, second_plant):
    """XT-01: meter M1 every 15 minutes on 2025-01-01 (0.25 kWh each, so 1 kWh an hour);
    meter M2 hourly, 2 kWh at 00:00 and 3 kWh at 01:00 on 2025-01-01 and 7 kWh at 05:00 on
    2025-02-01; one reading of 2024 (not in 2025). XT-02: nothing."""
    user = django_user_model.objects.create_user("importer", password="importer-pass-123")
    first = dt.datetime(2025, 1, 1)
    rows = ["facility,meter,start,kwh"]
    rows += [
        f"XT-01,M1,{first + dt.timedelta(minutes=15 * q):%Y-%m-%d %H:%M},0.25" for q in range(96)
    ]
    rows += [
        "XT-01,M2,2025-01-01 00:00,2",
        "XT-01,M2,2025-01-01 01:00,3",
        "XT-01,M2,2025-02-01 05:00,7",
        "XT-01,M2,2024-12-31 23:00,11",
    ]
    content = io.BytesIO(("\n".join(rows) + "\n").encode())
    result = import_intervals(user=user, upload=content, file_name="meters.csv")
    assert result.ok, result.errors
    return hebei_plant


def test_each_hour_is_the_sum_of_the_facility_s_meters(readings):
    hourly = hourly_consumption_kwh(2025)

    assert list(hourly) == [readings.pk]  # XT-02 has no interval data: absent, not zeros
    series = hourly[readings.pk]
    assert len(series) == 8760
    # Hour 0 = 1 January 00:00–01:00 CST: M1 1.000 + M2 2 = 3; hour 1: 1 + 3 = 4; hours 2–23: 1.
    assert series[:3] == [Decimal(3), Decimal(4), Decimal(1)]
    assert series[2:24] == [Decimal(1)] * 22
    # 1 February 05:00 is hour 31 × 24 + 5 = 749.
    assert series[749] == Decimal(7)
    assert sum(series) == Decimal(36)  # 24 + 2 + 3 + 7; the 2024 reading is not in 2025
    assert series[24:749] == [Decimal(0)] * (749 - 24)


def test_the_coverage_counts_hours_read_meters_and_incomplete_days(readings):
    coverage = interval_coverage(2025)[readings.pk]

    assert coverage.hours_in_year == 8760
    assert coverage.hours_with_data == 25  # 24 on 1 January, 1 on 1 February
    assert (coverage.meters, coverage.days, coverage.incomplete_meter_days) == (2, 2, 2)
    # January: 24 × 1 + 2 + 3 = 29 kWh; February: 7 kWh.
    assert coverage.monthly_kwh == [Decimal(29), Decimal(7)] + [Decimal(0)] * 10
    assert coverage.kwh == Decimal(36)
    assert not coverage.complete


def test_a_leap_year_has_8784_hours_and_the_facility_filter_holds(readings, second_plant):
    year = interval_year(2024)
    assert year.hourly_kwh[readings.pk][8783] == Decimal(11)  # 31 December 23:00
    assert len(year.hourly_kwh[readings.pk]) == 8784
    assert year.coverage[readings.pk].hours_in_year == 8784
    assert hourly_consumption_kwh(2025, facility_ids=[second_plant.pk]) == {}
    assert list(hourly_consumption_kwh(2025, facility_ids=[readings.pk])) == [readings.pk]


def test_a_year_is_read_in_two_queries(readings, django_assert_num_queries):
    with django_assert_num_queries(2):
        interval_year(2025)


def test_the_hours_no_meter_read_are_told_apart_from_hours_that_used_nothing(readings):
    year = interval_year(2025)
    series = year.hourly_kwh_or_none(readings.pk)

    assert series[:24] == [Decimal(3), Decimal(4)] + [Decimal(1)] * 22
    assert series[24:749] == [None] * (749 - 24)
    assert series[749:751] == [Decimal(7), None]
    assert sum(year.hours_read[readings.pk]) == 25
