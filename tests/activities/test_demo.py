"""The demo's monthly activity records: complete, idempotent, plausible, and loaded by load_demo."""

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from emissions.activities.demo import build_demo_records, load_demo_activity
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.demo import load_demo_organisation
from emissions.facilities.models import Facility
from emissions.factors.models import EmissionFactor

pytestmark = pytest.mark.django_db

YEARS = set(range(2019, 2026))
OFFICE_TYPES = {
    "grid_electricity",
    "flight_domestic",
    "rail_travel",
    "hotel_nights",
    "refrigerant_r410a",
}
EXPECTED_TYPES = {
    "XT-01": {
        "grid_electricity",
        "onsite_solar_consumed",
        "natural_gas_stationary",
        "diesel_vehicles",
        "diesel_stationary",
        "refrigerant_r134a",
        "waste_landfill",
        "waste_metal_recycling",
    },
    "XT-02": {
        "grid_electricity",
        "natural_gas_stationary",
        "bituminous_coal_stationary",
        "waste_landfill",
        "waste_metal_recycling",
    },
    "XT-WH": {"grid_electricity", "diesel_vehicles", "freight_road"},
    "SJZ-OF": OFFICE_TYPES,
    "SH-OF": OFFICE_TYPES,
}


@pytest.fixture
def demo():
    load_demo_organisation()
    created, kept = load_demo_activity()
    assert kept == 0
    return created


def tonnes_by_year(**filters) -> dict[int, Decimal]:
    rows = ActivityRecord.objects.filter(**filters).values("year").annotate(kg=Sum("co2e_kg"))
    return {row["year"]: row["kg"] / 1000 for row in rows}


def quantity(code, facility, year, month=None) -> Decimal:
    records = ActivityRecord.objects.filter(
        activity_type__code=code, facility__code=facility, year=year
    )
    if month is not None:
        records = records.filter(month=month)
    return records.aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def test_every_year_and_every_listed_activity_is_present(demo):
    assert demo == ActivityRecord.objects.count() > 1000
    assert set(ActivityRecord.objects.values_list("year", flat=True)) == YEARS
    found = defaultdict(set)
    for facility, code in ActivityRecord.objects.values_list(
        "facility__code", "activity_type__code"
    ):
        found[facility].add(code)
    assert found == EXPECTED_TYPES


def test_each_record_covers_one_calendar_month_and_is_calculated(demo):
    for record in ActivityRecord.objects.all():
        start, end = record.period_start, record.period_end
        assert start.day == 1
        assert end == start.replace(day=calendar.monthrange(start.year, start.month)[1])
        assert (record.year, record.month) == (start.year, start.month)
        assert record.calculated_at is not None
        assert record.co2e_kg >= 0
        assert record.quantity > 0
        assert record.source_reference.startswith("Demo ")
        assert record.source_reference.endswith(f"{start.year}-{start.month:02d}")


def test_every_open_month_has_one_electricity_record_per_facility(demo):
    counts = defaultdict(int)
    for facility in ActivityRecord.objects.filter(
        activity_type__code="grid_electricity"
    ).values_list("facility__code", flat=True):
        counts[facility] += 1
    # SH-OF: April 2019 – June 2024 = 9 + 4 × 12 + 6 months.
    assert counts == {"XT-01": 84, "XT-02": 84, "XT-WH": 84, "SJZ-OF": 84, "SH-OF": 63}


def test_shanghai_office_records_lie_within_its_open_period(demo):
    shanghai = Facility.objects.get(code="SH-OF")
    records = ActivityRecord.objects.filter(facility=shanghai)
    assert records.exists()
    assert not records.filter(period_start__lt=shanghai.opened_on).exists()
    assert not records.filter(period_end__gt=shanghai.closed_on).exists()
    assert records.filter(period_start=dt.date(2019, 4, 1)).exists()
    assert records.filter(period_end=dt.date(2024, 6, 30)).exists()


def test_each_record_has_its_created_history_row(demo):
    history = ActivityRecord.history.all()
    assert history.count() == demo
    assert set(history.values_list("history_type", "history_change_reason")) == {
        ("+", "Demo data loaded")
    }
    assert set(history.values_list("id", flat=True)) == set(
        ActivityRecord.objects.values_list("id", flat=True)
    )


def test_data_quality_follows_how_each_activity_is_known(demo):
    quality = dict(
        ActivityRecord.objects.values_list("activity_type__code", "data_quality").distinct()
    )
    assert quality["grid_electricity"] == quality["natural_gas_stationary"] == "metered"
    assert quality["bituminous_coal_stationary"] == quality["refrigerant_r134a"] == "invoice"
    assert quality["flight_domestic"] == quality["waste_landfill"] == "estimated"


def test_loading_twice_creates_nothing_the_second_time(demo):
    count = ActivityRecord.objects.count()
    assert load_demo_activity() == (0, count)
    assert ActivityRecord.objects.count() == count


def test_nothing_is_added_beside_records_entered_by_hand():
    load_demo_organisation()
    record = ActivityRecord(
        facility=Facility.objects.get(code="XT-WH"),
        activity_type=ActivityType.objects.get(code="grid_electricity"),
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 1, 31),
        quantity=Decimal("1000"),
        unit="kWh",
        data_quality="metered",
    )
    record.save()
    assert load_demo_activity() == (0, 1)
    assert ActivityRecord.objects.count() == 1


def test_the_same_seed_gives_the_same_records_and_another_seed_does_not():
    load_demo_organisation()
    facilities = Facility.objects.in_bulk(field_name="code")

    def quantities(seed):
        return [
            (r.facility.code, r.activity_type.code, r.period_start, r.quantity)
            for r in build_demo_records(facilities, seed=seed)
        ]

    first = quantities(7)
    assert quantities(7) == first
    assert quantities(8) != first


def test_emissions_fall_from_2019_to_2025_within_a_plausible_band(demo):
    totals = tonnes_by_year()
    assert 8_000 < totals[2019] < 13_000
    assert all(6_000 < totals[year] < 13_000 for year in YEARS)
    assert totals[2025] < totals[2019] * Decimal("0.8")
    assert 0 < totals[2025] < totals[2024] * Decimal("1.05")


def test_the_boiler_switch_replaces_coal_with_gas_at_the_casting_workshop(demo):
    coal = ActivityRecord.objects.filter(activity_type__code="bituminous_coal_stationary")
    assert coal.filter(period_start__lte=dt.date(2023, 6, 1)).count() == 54
    assert not coal.filter(period_start__gt=dt.date(2023, 6, 1)).exists()
    assert quantity("natural_gas_stationary", "XT-02", 2024) > 5 * quantity(
        "natural_gas_stationary", "XT-02", 2022
    )
    scope_1 = tonnes_by_year(scope=1)
    assert scope_1[2024] < scope_1[2022] * Decimal("0.8")


def test_rooftop_solar_from_mid_2022_cuts_the_main_plants_grid_electricity(demo):
    solar = ActivityRecord.objects.filter(activity_type__code="onsite_solar_consumed")
    assert set(solar.values_list("facility__code", flat=True)) == {"XT-01"}
    assert solar.order_by("period_start").first().period_start == dt.date(2022, 7, 1)
    assert all(record.co2e_kg == 0 for record in solar)
    assert quantity("grid_electricity", "XT-01", 2023) < quantity(
        "grid_electricity", "XT-01", 2021
    ) * Decimal("0.8")


def test_fleet_electrification_cuts_diesel_from_2024(demo):
    for facility in ("XT-01", "XT-WH"):
        assert quantity("diesel_vehicles", facility, 2025) < quantity(
            "diesel_vehicles", facility, 2023
        ) * Decimal("0.8")


def test_heating_and_cooling_seasons_show(demo):
    for year in (2019, 2020, 2021, 2022):
        assert quantity("bituminous_coal_stationary", "XT-02", year, 1) > 2 * quantity(
            "bituminous_coal_stationary", "XT-02", year, 7
        )
    for year in YEARS:
        assert quantity("natural_gas_stationary", "XT-01", year, 12) > quantity(
            "natural_gas_stationary", "XT-01", year, 6
        )
        assert quantity("grid_electricity", "XT-02", year, 8) > quantity(
            "grid_electricity", "XT-02", year, 4
        )


def test_load_demo_prints_the_record_counts(capsys):
    call_command("load_demo")
    count = ActivityRecord.objects.count()
    assert count > 1000
    assert f"Demo activity records: {count} created, 0 already present." in capsys.readouterr().out
    call_command("load_demo")
    assert f"Demo activity records: 0 created, {count} already present." in (
        capsys.readouterr().out
    )
    assert ActivityRecord.objects.count() == count


def test_load_demo_asks_for_the_activity_types_when_they_are_missing(capsys):
    ActivityType.objects.all().delete()
    message = "Run 'python manage.py load_factors' and 'load_activity_types' first."
    with pytest.raises(CommandError) as raised:
        call_command("load_demo")
    assert str(raised.value) == message
    assert "Demo facilities: 5 created" in capsys.readouterr().out
    assert not ActivityRecord.objects.exists()


def test_load_demo_asks_for_the_factors_when_they_are_missing():
    EmissionFactor.objects.filter(group="freight_road").delete()
    with pytest.raises(CommandError, match=r"load_factors.*No emission factor for Road freight"):
        call_command("load_demo")
    assert not ActivityRecord.objects.exists()
