"""Interval meter data: a CSV of 15-minute or hourly kWh becomes meter-days of 24 hours."""

import datetime as dt
import io
from decimal import Decimal

import pytest

from emissions.activities.intervals import import_intervals
from emissions.activities.models import HOURS, IntervalUpload, MeterDay
from emissions.facilities import periods

pytestmark = pytest.mark.django_db

HEADER = "facility,meter,start,kwh\n"


@pytest.fixture
def importer(django_user_model):
    return django_user_model.objects.create_user("importer", password="importer-pass-123")


def upload(user, text: str, *, replace=False, encoding="utf-8", name="meters.csv"):
    return import_intervals(
        user=user, upload=io.BytesIO(text.encode(encoding)), file_name=name, replace=replace
    )


def quarter_hours(day: str, values: list[str], meter="M1", facility="XT-01") -> str:
    """Rows of consecutive quarter hours from 00:00 of `day`."""
    start = dt.datetime.fromisoformat(day)
    return "".join(
        f"{facility},{meter},{start + dt.timedelta(minutes=15 * i):%Y-%m-%d %H:%M},{value}\n"
        for i, value in enumerate(values)
    )


def hours_of(day: MeterDay) -> list:
    return [getattr(day, hour) for hour in HOURS]


def messages(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in result.errors]


def test_a_15_minute_day_is_summed_into_its_hours_exactly(importer, hebei_plant):
    # 96 readings of 2025-01-01: hour h holds 1.001 + 2.002 + 3.003 + (h + 0.004) kWh
    # = 6.006 + h + 0.004 = h + 6.010 (hour 0: 6.010; hour 23: 29.010).
    values = []
    for hour in range(24):
        values += ["1.001", "2.002", "3.003", f"{hour}.004"]
    result = upload(importer, HEADER + quarter_hours("2025-01-01", values))

    assert result.ok, messages(result)
    day = MeterDay.objects.get()
    assert (day.day, day.meter, day.interval_minutes, day.reading_count) == (
        dt.date(2025, 1, 1),
        "M1",
        15,
        96,
    )
    assert hours_of(day) == [Decimal(hour) + Decimal("6.010") for hour in range(24)]
    assert day.is_complete
    # Summary: the sum of h + 6.010 over 24 hours = 276 + 24 × 6.010 = 276 + 144.24
    # = 420.240 kWh in January.
    assert result.upload.summary == {
        "facilities": [
            {
                "code": "XT-01",
                "name": "Xingtai main plant",
                "meters": 1,
                "days": 1,
                "incomplete_days": 0,
                "months": [{"month": "2025-01", "kwh": "420.240"}],
                "kwh": "420.240",
            }
        ]
    }
    assert (result.upload.row_count, result.upload.meter_count, result.upload.day_count) == (
        96,
        1,
        1,
    )


def test_hourly_readings_keep_their_interval(importer, hebei_plant):
    rows = "".join(f"XT-01,M2,2025-03-01T{hour:02d}:00:00,{hour}.5\n" for hour in range(24))
    result = upload(importer, HEADER + rows)

    assert result.ok, messages(result)
    day = MeterDay.objects.get()
    assert (day.interval_minutes, day.reading_count, day.is_complete) == (60, 24, True)
    assert hours_of(day) == [Decimal(f"{hour}.5") for hour in range(24)]


def test_a_day_with_missing_intervals_is_stored_flagged_incomplete(importer, hebei_plant):
    # 00:00 and 00:15 only: hour 0 holds 3 kWh, hours 1–23 have no reading (NULL, not 0).
    result = upload(importer, HEADER + quarter_hours("2025-01-01", ["1", "2"]))

    assert result.ok
    day = MeterDay.objects.get()
    assert hours_of(day) == [Decimal(3)] + [None] * 23
    assert (day.reading_count, day.is_complete) == (2, False)
    assert result.upload.incomplete_day_count == 1
    assert result.upload.summary["facilities"][0]["incomplete_days"] == 1


def test_timestamps_with_an_offset_are_converted_to_china_standard_time(importer, hebei_plant):
    rows = (
        "XT-01,M1,2024-12-31T16:00:00Z,1\n"  # 2025-01-01 00:00 CST
        "XT-01,M1,2025-01-01T01:00:00+08:00,2\n"
        "XT-01,M1,2025-01-01T03:00+09:00,4\n"  # 02:00 CST
        "XT-01,M1,2025/1/1 3:00,8\n"
    )
    result = upload(importer, HEADER + rows)

    assert result.ok, messages(result)
    day = MeterDay.objects.get()
    assert (day.day, day.interval_minutes) == (dt.date(2025, 1, 1), 60)
    assert hours_of(day)[:5] == [Decimal(1), Decimal(2), Decimal(4), Decimal(8), None]


def test_chinese_headers_and_gb18030_are_read(importer, hebei_plant):
    text = "设施,电表,开始时间,电量\nXT-01,一号表,2025-01-01 00:00,5\n"
    result = upload(importer, text, encoding="gb18030")

    assert result.ok, messages(result)
    assert MeterDay.objects.get().meter == "一号表"


def test_a_utf8_bom_and_blank_and_comment_lines_are_skipped(importer, hebei_plant):
    text = "\ufeff" + HEADER + "# a comment\n\n,,,\nXT-01,M1,2025-01-01 00:00,5\n"
    result = upload(importer, text)

    assert result.ok, messages(result)
    assert result.row_count == 1


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("XX-99,M1,2025-01-01 00:00,1", "facility", "No facility has the code 'XX-99'."),
        ("XT-01,,2025-01-01 00:00,1", "meter", "The meter is blank: name the meter."),
        (
            "XT-01," + "M" * 61 + ",2025-01-01 00:00,1",
            "meter",
            "The meter's name may have at most 60 characters.",
        ),
        (
            "XT-01,M1,01/01/2025 00:00,1",
            "start",
            "'01/01/2025 00:00' is not a start time: write it as 2025-01-01 00:15 or "
            "2025-01-01T00:15:00 (China Standard Time).",
        ),
        (
            "XT-01,M1,2025-02-30 00:00,1",
            "start",
            "'2025-02-30 00:00' is not a valid date and time.",
        ),
        (
            "XT-01,M1,2025-01-01 00:07,1",
            "start",
            "'2025-01-01 00:07' is not on the quarter-hour grid: intervals start at :00, :15, "
            ":30 or :45 (15-minute meters) or at :00 (hourly meters).",
        ),
        (
            "XT-01,M1,2025-01-01 00:15:30,1",
            "start",
            "'2025-01-01 00:15:30' is not on the quarter-hour grid: intervals start at :00, "
            ":15, :30 or :45 (15-minute meters) or at :00 (hourly meters).",
        ),
        (
            "XT-01,M1,2025-01-01 00:00,",
            "kwh",
            "The kWh is blank: give the interval's reading (0 if nothing was used).",
        ),
        ("XT-01,M1,2025-01-01 00:00,-1.5", "kwh", "The kWh cannot be negative."),
        ("XT-01,M1,2025-01-01 00:00,abc", "kwh", "'abc' is not a number."),
        (
            "XT-01,M1,2025-01-01 00:00,1.2345",
            "kwh",
            "'1.2345' has more than 3 decimal places: kWh are stored to the Wh.",
        ),
        (
            "XT-01,M1,2025-01-01 00:00,100000000",
            "kwh",
            "'100000000' kWh is more than one interval can hold (under 100,000,000 kWh).",
        ),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(importer, hebei_plant, row, column, message):
    good = "XT-01,M1,2025-01-01 01:00,1\n"
    result = upload(importer, HEADER + good + row + "\n")

    assert not result.ok
    assert messages(result) == [(3, column, message)]
    assert not MeterDay.objects.exists()
    assert not IntervalUpload.objects.exists()


def test_thousands_separators_and_exponents_are_read(importer, hebei_plant):
    rows = 'XT-01,M1,2025-01-01 00:00,"1,234.5"\nXT-01,M1,2025-01-01 01:00,1.5E3\n'
    result = upload(importer, HEADER + rows)

    assert result.ok, messages(result)
    assert hours_of(MeterDay.objects.get())[:2] == [Decimal("1234.5"), Decimal(1500)]


def test_a_duplicate_interval_in_the_file_is_refused(importer, hebei_plant):
    rows = quarter_hours("2025-01-01", ["1", "2"]) + "XT-01,M1,2025-01-01T00:15:00,3\n"
    result = upload(importer, HEADER + rows)

    assert messages(result) == [
        (
            4,
            "start",
            "Meter 'M1' has another reading starting at '2025-01-01T00:15:00' (this day's "
            "readings begin at row 2): each interval once.",
        )
    ]
    assert not MeterDay.objects.exists()


def test_the_same_start_on_two_meters_is_not_a_duplicate(importer, hebei_plant):
    rows = "XT-01,M1,2025-01-01 00:00,1\nXT-01,M2,2025-01-01 00:00,2\n"
    result = upload(importer, HEADER + rows)

    assert result.ok
    assert MeterDay.objects.count() == 2


def test_hourly_and_15_minute_readings_of_one_meter_are_refused(importer, hebei_plant):
    quarter = quarter_hours("2025-01-01", ["1"] * 96)
    hourly = "".join(f"XT-01,M1,2025-01-02 {hour:02d}:00,4\n" for hour in range(24))
    result = upload(importer, HEADER + quarter + hourly)

    assert messages(result) == [
        (
            98,
            "start",
            "Meter 'M1' of XT-01 is read every 15 minutes (row 3) but only on the full hour on "
            "2025-01-02: one meter can't mix 15-minute and hourly readings in a file.",
        )
    ]
    assert not MeterDay.objects.exists()


def test_30_minute_readings_are_refused(importer, hebei_plant):
    rows = "XT-01,M1,2025-01-01 00:00,1\nXT-01,M1,2025-01-01 00:30,1\nXT-01,M1,2025-01-01 01:00,1\n"
    result = upload(importer, HEADER + rows)

    assert messages(result) == [
        (
            3,
            "start",
            "Meter 'M1' of XT-01 is read every 30 minutes: only 15-minute or hourly readings "
            "can be imported.",
        )
    ]


def test_a_day_already_stored_is_refused_unless_replace_is_asked(importer, hebei_plant):
    first = upload(importer, HEADER + quarter_hours("2025-01-01", ["1"] * 96))
    assert first.ok
    again = HEADER + quarter_hours("2025-01-01", ["2"] * 96)

    refused = upload(importer, again)
    assert messages(refused) == [
        (
            2,
            "start",
            "Meter 'M1' of XT-01 already has readings stored for 2025-01-01. Tick “Replace "
            "days already stored” to replace them (the stored readings are kept in the "
            "history).",
        )
    ]
    assert hours_of(MeterDay.objects.get()) == [Decimal(4)] * 24
    assert IntervalUpload.objects.count() == 1

    replaced = upload(importer, again, replace=True)
    assert replaced.ok
    assert replaced.upload.replaced_day_count == 1
    day = MeterDay.objects.get()
    assert hours_of(day) == [Decimal(8)] * 24
    assert day.upload == replaced.upload
    # The history keeps both: the first upload's day, its deletion, and the new day.
    history = MeterDay.history.order_by("history_id").values_list("history_type", "h00")
    assert list(history) == [("+", Decimal(4)), ("-", Decimal(4)), ("+", Decimal(8))]
    assert MeterDay.history.filter(history_user=importer).count() == 3


def test_a_day_in_a_locked_year_is_refused(importer, hebei_plant, django_user_model):
    approver = django_user_model.objects.create_user("approver", password="approver-pass-123")
    periods.lock_year(year=2024, user=approver, note="verified")
    rows = "XT-01,M1,2024-12-31 23:45,1\nXT-01,M1,2025-01-01 00:00,1\n"
    result = upload(importer, HEADER + rows)

    (problem,) = messages(result)
    assert problem[:2] == (2, "start")
    assert problem[2].startswith("Reporting year 2024 is locked since")
    assert not MeterDay.objects.exists()


def test_a_file_with_unknown_or_missing_columns_is_refused(importer, hebei_plant):
    result = upload(importer, "facility,meter,start,power\nXT-01,M1,2025-01-01 00:00,1\n")
    assert messages(result) == [
        (
            1,
            "",
            "Unknown columns: 'power'. The columns are facility, meter, start and kwh.",
        )
    ]
    result = upload(importer, "facility,meter,start\n")
    assert messages(result) == [(1, "", "Missing columns: kwh.")]


def test_an_empty_file_and_a_binary_file_are_refused(importer, hebei_plant):
    assert messages(upload(importer, "")) == [
        (1, "", "The file is empty: it needs a header row and at least one reading.")
    ]
    result = import_intervals(
        user=importer, upload=io.BytesIO(b"\xff\xfe\x00\x81\xff"), file_name="x.csv"
    )
    assert messages(result) == [
        (1, "", "The file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV.")
    ]


def test_every_problem_is_counted_and_the_first_200_kept(importer, hebei_plant):
    rows = "".join(f"XX-99,M1,2025-01-01 {h % 24:02d}:00,1\n" for h in range(250))
    result = upload(importer, HEADER + rows)

    assert result.error_count == 250
    assert len(result.errors) == 200
    assert result.errors[0].row == 2


def test_an_offset_that_is_not_a_time_zone_is_refused(importer, hebei_plant):
    result = upload(importer, HEADER + "XT-01,M1,2025-01-01T00:00+25:00,1\n")
    assert messages(result) == [
        (2, "start", "'2025-01-01T00:00+25:00' is not a valid date and time.")
    ]


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"h05": Decimal("-0.001")}, "meterday_kwh_not_negative"),
        ({"interval_minutes": 30}, "meterday_interval_15_or_60"),
        ({"interval_minutes": 60, "reading_count": 25}, "meterday_readings_within_the_day"),
        ({"reading_count": 0}, "meterday_readings_within_the_day"),
    ],
)
def test_the_database_refuses_what_the_import_refuses(importer, hebei_plant, change, constraint):
    from django.db import IntegrityError, transaction

    assert upload(importer, HEADER + "XT-01,M1,2025-01-01 00:00,1\n").ok
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        MeterDay.objects.update(**change)


def test_the_database_keeps_one_row_per_meter_and_day(importer, hebei_plant):
    from django.db import IntegrityError, transaction

    assert upload(importer, HEADER + "XT-01,M1,2025-01-01 00:00,1\n").ok
    day = MeterDay.objects.get()
    day.pk = None
    # PostgreSQL names the constraint, SQLite its columns.
    refused = (
        "meterday_one_per_meter_and_day|activities_meterday.facility_id, activities_meterday.meter"
    )
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        day.save()


def test_the_admin_shows_meter_days_and_uploads_read_only(importer, hebei_plant, admin_client):
    from django.urls import reverse

    assert upload(importer, HEADER + "XT-01,M1,2025-01-01 00:00,1\n").ok
    day, stored = MeterDay.objects.get(), IntervalUpload.objects.get()
    response = admin_client.get(reverse("admin:activities_meterday_changelist"))
    assert response.status_code == 200
    assert "M1" in response.content.decode()
    assert admin_client.get(reverse("admin:activities_meterday_add")).status_code == 403
    change = admin_client.get(reverse("admin:activities_meterday_change", args=[day.pk]))
    assert change.status_code == 200
    assert 'name="h00"' not in change.content.decode()  # shown, not editable
    history = admin_client.get(reverse("admin:activities_meterday_history", args=[day.pk]))
    assert "Interval upload meters.csv" in history.content.decode()
    response = admin_client.get(reverse("admin:activities_intervalupload_changelist"))
    assert "meters.csv" in response.content.decode()
    delete = reverse("admin:activities_intervalupload_delete", args=[stored.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert IntervalUpload.objects.exists()
