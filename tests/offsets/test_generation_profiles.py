"""Green-power contracts' generation profiles: uploaded all or nothing, stored per contract and
day, and the shape hourly matching spreads a month's settled kWh by."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from emissions.activities.models import HOURS
from emissions.facilities import periods
from emissions.neutrality.hourly_scope2 import calculate_hourly_scope2
from emissions.offsets import services
from emissions.offsets.models import ContractGenerationDay, ContractSettlement, Technology
from emissions.offsets.services.generation import import_generation
from emissions.offsets.supply import supply_blocks
from tests.factories import GEC_PROJECT

pytestmark = pytest.mark.django_db

HEADER = "contract,start,kwh\n"
REFERENCE = "BJPX-2025-GP-0007"


@pytest.fixture
def importer(django_user_model):
    return django_user_model.objects.create_user("importer", password="importer-pass-123")


def add_contract(facility, *, reference=REFERENCE, year=2025, technology=Technology.SOLAR):
    return services.add_green_power_contract(
        reference=reference,
        seller="Xingtai solar park",
        trading_centre="Beijing Power Exchange Center",
        technology=technology,
        facility=facility,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        gec_project_code=GEC_PROJECT,
    )


@pytest.fixture
def contract(hebei_plant):
    return add_contract(hebei_plant)


def upload(user, text: str, *, replace=False, encoding="utf-8"):
    return import_generation(
        user=user, upload=io.BytesIO(text.encode(encoding)), file_name="gen.csv", replace=replace
    )


def hourly(day: str, values, reference=REFERENCE) -> str:
    """Rows of the 24 hours of `day`, from 00:00."""
    return "".join(
        f"{reference},{day} {hour:02d}:00,{value}\n" for hour, value in enumerate(values)
    )


def quarter_hours(day: str, values, reference=REFERENCE) -> str:
    start = dt.datetime.fromisoformat(day)
    return "".join(
        f"{reference},{start + dt.timedelta(minutes=15 * i):%Y-%m-%d %H:%M},{value}\n"
        for i, value in enumerate(values)
    )


def messages(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in result.errors]


def hours_of(day: ContractGenerationDay) -> list:
    return [getattr(day, hour) for hour in HOURS]


# --- Upload ---------------------------------------------------------------------------------


def test_hourly_generation_is_stored_per_contract_and_day_with_its_history(importer, contract):
    values = [f"{hour}.5" for hour in range(24)]
    result = upload(
        importer, HEADER + hourly("2025-06-01", values) + hourly("2025-06-02", ["1"] * 24)
    )

    assert result.ok
    assert (result.row_count, result.created_count, result.replaced_count) == (48, 2, 0)
    first, second = ContractGenerationDay.objects.order_by("day")
    assert (first.contract, first.day) == (contract, dt.date(2025, 6, 1))
    assert hours_of(first) == [Decimal(hour) + Decimal("0.5") for hour in range(24)]
    assert first.hourly_kwh == tuple(hours_of(first))
    assert hours_of(second) == [Decimal(1)] * 24
    history = ContractGenerationDay.history.values_list("history_type", "history_user")
    assert sorted(history) == [("+", importer.pk), ("+", importer.pk)]


def test_15_minute_generation_is_summed_into_its_hours_exactly(importer, contract):
    # Hour h: 0.001 + 0.002 + 0.003 + h = h + 0.006 kWh.
    values = [v for hour in range(24) for v in ("0.001", "0.002", "0.003", str(hour))]
    result = upload(importer, HEADER + quarter_hours("2025-06-01", values))

    assert result.ok
    day = ContractGenerationDay.objects.get()
    assert hours_of(day) == [Decimal(hour) + Decimal("0.006") for hour in range(24)]


def test_chinese_headers_and_gb18030_are_read(importer, contract):
    text = "合同编号,开始时间,电量\n" + hourly("2025-06-01", ["2"] * 24)
    assert upload(importer, text, encoding="gb18030").ok
    assert hours_of(ContractGenerationDay.objects.get()) == [Decimal(2)] * 24


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            "BJPX-UNKNOWN,2025-06-02 00:00,1",
            "contract",
            "No green-power contract has the reference 'BJPX-UNKNOWN'.",
        ),
        (",2025-06-02 00:00,1", "contract", "The contract is blank: give the contract reference."),
        (
            f"{REFERENCE},2026-01-01 00:00,1",
            "start",
            "2026-01-01 is outside the delivery period of contract 'BJPX-2025-GP-0007' "
            "(2025-01-01 to 2025-12-31).",
        ),
        (
            f"{REFERENCE},02/06/2025 00:00,1",
            "start",
            "'02/06/2025 00:00' is not a start time: write it as 2025-01-01 00:15 or "
            "2025-01-01T00:15:00 (China Standard Time).",
        ),
        (
            f"{REFERENCE},2025-06-02 00:10,1",
            "start",
            "'2025-06-02 00:10' is not on the quarter-hour grid: intervals start at :00, :15, "
            ":30 or :45 (15-minute meters) or at :00 (hourly meters).",
        ),
        (f"{REFERENCE},2025-06-02 00:00,-1", "kwh", "The kWh cannot be negative."),
        (
            f"{REFERENCE},2025-06-02 00:00,",
            "kwh",
            "The kWh is blank: give the interval's reading (0 if nothing was used).",
        ),
        (
            f"{REFERENCE},2025-06-02 00:00,1.2345",
            "kwh",
            "'1.2345' has more than 3 decimal places: kWh are stored to the Wh.",
        ),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_stored(
    importer, contract, row, column, message
):
    good = hourly("2025-06-01", ["1"] * 24)
    result = upload(importer, HEADER + good + row + "\n")

    assert not result.ok
    assert messages(result) == [(26, column, message)]
    assert not ContractGenerationDay.objects.exists()


def test_a_duplicate_interval_is_refused(importer, contract):
    text = HEADER + hourly("2025-06-01", ["1"] * 24) + f"{REFERENCE},2025-06-01 05:00,3\n"
    result = upload(importer, text)

    assert messages(result) == [
        (
            26,
            "start",
            "Contract 'BJPX-2025-GP-0007' has another reading starting at '2025-06-01 05:00' "
            "(this day's readings begin at row 2): each interval once.",
        )
    ]
    assert not ContractGenerationDay.objects.exists()


def test_an_incomplete_day_is_refused(importer, contract):
    # 23 hours of 1 June (no 23:00), a whole 2 June.
    text = HEADER + hourly("2025-06-01", ["1"] * 23) + hourly("2025-06-02", ["1"] * 24)
    result = upload(importer, text)

    assert messages(result) == [
        (
            2,
            "start",
            "Contract 'BJPX-2025-GP-0007' has 23 of the 24 60-minute readings of 2025-06-01: "
            "a generation day must be complete.",
        )
    ]
    assert not ContractGenerationDay.objects.exists()


def test_hourly_days_beside_15_minute_ones_are_incomplete_15_minute_days(importer, contract):
    text = HEADER + quarter_hours("2025-06-01", ["1"] * 96) + hourly("2025-06-02", ["4"] * 24)
    result = upload(importer, text)

    assert messages(result) == [
        (
            98,
            "start",
            "Contract 'BJPX-2025-GP-0007' has 24 of the 96 15-minute readings of 2025-06-02: "
            "a generation day must be complete.",
        )
    ]
    assert not ContractGenerationDay.objects.exists()


def test_a_day_in_a_locked_year_is_refused(importer, hebei_plant, django_user_model):
    add_contract(hebei_plant, year=2024)
    approver = django_user_model.objects.create_user("approver", password="approver-pass-123")
    periods.lock_year(year=2024, user=approver, note="verified")
    result = upload(importer, HEADER + hourly("2024-06-01", ["1"] * 24))

    assert result.error_count == 24
    row, column, message = messages(result)[0]
    assert (row, column) == (2, "start")
    assert message.startswith("Reporting year 2024 is locked since ")
    assert message.endswith(
        "by approver (verified); an administrator must unlock it before it can change."
    )
    assert not ContractGenerationDay.objects.exists()


def test_a_day_already_stored_is_refused_unless_replace_is_asked(importer, contract):
    assert upload(importer, HEADER + hourly("2025-06-01", ["1"] * 24)).ok
    again = HEADER + hourly("2025-06-01", ["2"] * 24) + hourly("2025-06-02", ["3"] * 24)

    refused = upload(importer, again)
    assert messages(refused) == [
        (
            2,
            "start",
            "Contract 'BJPX-2025-GP-0007' already has generation stored for 2025-06-01. Tick "
            "“Replace days already stored” to replace it (the stored values are kept in the "
            "history).",
        )
    ]
    assert ContractGenerationDay.objects.count() == 1
    assert hours_of(ContractGenerationDay.objects.get()) == [Decimal(1)] * 24

    replaced = upload(importer, again, replace=True)
    assert (replaced.ok, replaced.created_count, replaced.replaced_count) == (True, 1, 1)
    assert hours_of(ContractGenerationDay.objects.get(day=dt.date(2025, 6, 1))) == [2] * 24
    # The history keeps the first values and their replacement.
    history = ContractGenerationDay.history.filter(day=dt.date(2025, 6, 1))
    assert list(history.order_by("history_id").values_list("history_type", "h00")) == [
        ("+", Decimal(1)),
        ("~", Decimal(2)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "contract,start,kwh,meter\n",
            "Unknown columns: 'meter'. The columns are contract, start and kwh.",
        ),
        ("contract,kwh\n", "Missing columns: start."),
        ("contract,start,kwh,开始时间\n", "The column start appears twice."),
        ("", "The file is empty: it needs a header row and at least one reading."),
        (HEADER, "The file has no readings: give at least one day's."),
    ],
)
def test_a_file_without_its_columns_or_readings_is_refused(importer, contract, text, message):
    result = upload(importer, text)
    assert messages(result) == [(1, "", message)]
    assert not ContractGenerationDay.objects.exists()


def test_the_database_refuses_a_negative_hour_and_a_second_row_for_a_day(contract):
    day = {"contract": contract, "day": dt.date(2025, 6, 1), **dict.fromkeys(HOURS, Decimal(1))}
    ContractGenerationDay.objects.create(**day)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractGenerationDay.objects.create(**day)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractGenerationDay.objects.create(**(day | {"day": dt.date(2025, 6, 2), "h05": -1}))


# --- The profile in supply_blocks ----------------------------------------------------------


def store_month(contract, year, month, day_values, *, skip_day=None):
    """Every day of the month (but `skip_day`) with the same 24 hourly values."""
    first = dt.date(year, month, 1)
    days = []
    day = first
    while day.month == month:
        if day.day != skip_day:
            days.append(
                ContractGenerationDay(
                    contract=contract, day=day, **dict(zip(HOURS, day_values, strict=True))
                )
            )
        day += dt.timedelta(days=1)
    ContractGenerationDay.objects.bulk_create(days)


def settle(contract, year, month, kwh):
    # Directly: record_settlement's rule about the facility's grid electricity is not what
    # these tests are about (the worked example below goes through the service).
    ContractSettlement.objects.create(contract=contract, year=year, month=month, kwh=Decimal(kwh))


def test_a_full_month_of_generation_shapes_the_settled_kwh_exactly(contract):
    # February 2025: 28 days × 24 = 672 hours. Each day: 2 kWh in hours 0–11, 1 kWh in 12–23:
    # 36 kWh a day, 1,008 kWh in the month. Settled: 1,000 kWh.
    store_month(contract, 2025, 2, [Decimal(2)] * 12 + [Decimal(1)] * 12)
    settle(contract, 2025, 2, "1000")

    (block,) = supply_blocks(2025)

    hours = block.hourly_kwh
    assert len(hours) == 672
    # The running total, rounded down to the millionth: hour 0 gets ⌊10⁹ × 2 / 1008⌋ =
    # 1,984,126 millionths; hour 1 ⌊10⁹ × 4 / 1008⌋ − 1,984,126 = 3,968,253 − 1,984,126 =
    # 1,984,127; hour 12 (weight 1) ⌊10⁹ × 25 / 1008⌋ − ⌊10⁹ × 24 / 1008⌋ = 24,801,587 −
    # 23,809,523 = 992,064. The last hour closes the month at exactly 1,000 kWh.
    assert hours[:2] == (Decimal("1.984126"), Decimal("1.984127"))
    assert hours[12] == Decimal("0.992064")
    assert sum(hours) == Decimal("1000.000000") == block.kwh
    # Day 2 repeats the shape: its first hour is 2/1008 of 1,000 within a millionth.
    assert abs(hours[24] - Decimal(2000) / Decimal(1008)) < Decimal("0.000001")


def test_a_month_without_every_day_stored_uses_the_standard_profile(contract):
    # March 2025: 30 of its 31 days stored; April: all 30 days, but no generation at all.
    store_month(contract, 2025, 3, [Decimal(1)] * 24, skip_day=17)
    store_month(contract, 2025, 4, [Decimal(0)] * 24)
    settle(contract, 2025, 3, "500")
    settle(contract, 2025, 4, "500")
    settle(contract, 2025, 5, "500")  # no generation stored in May

    assert [block.hourly_kwh for block in supply_blocks(2025)] == [None, None, None]


def test_generation_of_a_month_with_a_profile_is_read_in_three_queries(
    contract, django_assert_num_queries
):
    store_month(contract, 2025, 2, [Decimal(1)] * 24)
    settle(contract, 2025, 2, "672")
    # Certificates, settlements with their contracts, the contracts' generation days.
    with django_assert_num_queries(3):
        (block,) = supply_blocks(2025)
    assert block.hourly_kwh == (Decimal("1.000000"),) * 672


# --- Worked example: a night-heavy real profile against the standard solar shape -----------


def test_a_night_heavy_profile_matches_more_of_a_flat_load_than_the_standard_solar_shape(
    organisation, hebei_plant, make_record, importer
):
    """docs/methodology.md, "Hourly matching": the same settled volume, two shapes.

    Load: 438,000 kWh in 2023 on the flat profile, 50 kWh every hour. A solar contract settles
    28,028 kWh in February 2023 (28 days: 1,001 kWh a day).

    Standard solar shape (February: weights 21, 63, 98, 125, 141, 145, 138, 118, 89, 52, 11
    in hours 7–17, 1,001 a day): hour h gets exactly its weight in kWh. Matched a day:
    21 + 11 (under 50) + 9 × 50 = 482 kWh; × 28 = 13,496 kWh; 14,532 kWh unused.

    The real profile (uploaded): 27.5 kWh in hours 0–5 and 18–23, 15.5 in 6–11 and 13–17,
    0 at 12:00: 500.5 kWh a day, 14,014 in the month, so the 28,028 settled kWh are exactly
    twice it: 55 kWh at night, 31 by day. Matched a day: 12 × 50 + 11 × 31 = 941 kWh;
    × 28 = 26,348 kWh; 1,680 kWh unused (12 × 5 × 28).

    Residual factor 0.6096 kg/kWh (test_hourly_scope2.py): annual matching covers all
    28,028 kWh: 409,972 × 0.6096 = 249,918.9312 kg. Hourly, standard shape: 424,504 × 0.6096
    = 258,777.6384 kg; hourly, real profile: 411,652 × 0.6096 = 250,943.0592 kg, 7,834.5792 kg
    less than the standard shape says (12,852 kWh more matched × 0.6096).
    """
    make_record(
        hebei_plant,
        "grid_electricity",
        "438000",
        "kWh",
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 12, 31),
    )
    contract = add_contract(hebei_plant, reference="BJPX-2023-GP-0001", year=2023)
    services.record_settlement(contract=contract, year=2023, month=2, kwh=Decimal("28028"))

    (standard,) = calculate_hourly_scope2(2023).rows
    assert standard.annual.certificate_kwh == Decimal("28028.000000")
    assert standard.annual.market_kg == Decimal("249918.931200")
    assert standard.hourly.certificate_kwh == Decimal("13496.000000")
    assert standard.hourly.unused_certificate_kwh == Decimal("14532.000000")
    assert standard.hourly.market_kg == Decimal("258777.638400")

    day = ["27.5"] * 6 + ["15.5"] * 6 + ["0"] + ["15.5"] * 5 + ["27.5"] * 6
    rows = "".join(
        hourly(f"2023-02-{number:02d}", day, reference=contract.reference)
        for number in range(1, 29)
    )
    assert upload(importer, HEADER + rows).ok

    (real,) = calculate_hourly_scope2(2023).rows
    assert real.annual.market_kg == Decimal("249918.931200")
    assert real.hourly.certificate_kwh == Decimal("26348.000000")
    assert real.hourly.unused_certificate_kwh == Decimal("1680.000000")
    assert real.hourly.market_kg == Decimal("250943.059200")
    assert standard.hourly.market_kg - real.hourly.market_kg == Decimal("7834.579200")
