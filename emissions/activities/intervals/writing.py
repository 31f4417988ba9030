"""Writing checked meter-days: PostgreSQL COPY where available, else batched INSERTs.

Their history follows in one INSERT … SELECT each way: the days an upload replaces are kept
as "deleted" rows (their old readings) before they go, and every day written as "created".
A queryset's delete() or bulk_create would send one history signal per row instead.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from ..models import HOURS, IntervalUpload, MeterDay
from .validation import IntervalCheck, MeterDayReadings

CREATED, DELETED = "+", "-"  # simple-history's codes
INSERT_BATCH_SIZE = 2000
DELETE_BATCH_SIZE = 5000
COLUMNS = ["facility_id", "meter", "day", "interval_minutes", "reading_count", "upload_id", *HOURS]


def kwh_text(wh: int) -> str:
    """Wh as the kWh text the database stores exactly (three decimals)."""
    return f"{wh // 1000}.{wh % 1000:03d}"


def hour_values(readings: MeterDayReadings) -> list[int | None]:
    """The day's 24 hours in Wh; None for an hour without any reading."""
    return [
        wh if read else None for wh, read in zip(readings.wh, readings.hours_read(), strict=True)
    ]


def write_days(check: IntervalCheck, *, upload: IntervalUpload, user, replaced: list[int]) -> int:
    """Delete the stored days `replaced` (ids), write the check's; return how many went."""
    when = timezone.now()
    reason = f"Interval upload {upload.file_name}"[:100]
    replaced_count = 0
    # In slices: a statement's parameters are limited (65,535 on PostgreSQL).
    for start in range(0, len(replaced), DELETE_BATCH_SIZE):
        days = MeterDay.objects.filter(pk__in=replaced[start : start + DELETE_BATCH_SIZE])
        snapshot_history(days, history_type=DELETED, when=when, user=user, reason=reason)
        replaced_count += _delete(days)
    rows = (
        [
            meter.facility.pk,
            meter.name,
            day,
            meter.interval,
            readings.reading_count,
            upload.pk,
            *hour_values(readings),
        ]
        for meter, day, readings in check.meter_days()
    )
    if connection.vendor == "postgresql":
        _copy(rows)
    else:
        _insert(rows)
    snapshot_history(
        MeterDay.objects.filter(upload=upload),
        history_type=CREATED,
        when=when,
        user=user,
        reason=reason,
    )
    return replaced_count


def _copy(rows) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in COLUMNS)
    sql = f"COPY {quote(MeterDay._meta.db_table)} ({columns}) FROM STDIN"
    hours = slice(6, None)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            row[hours] = [None if wh is None else kwh_text(wh) for wh in row[hours]]
            copy.write_row(row)


def _insert(rows) -> None:
    batch = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        for hour in HOURS:
            wh = values[hour]
            values[hour] = None if wh is None else Decimal(wh).scaleb(-3)
        batch.append(MeterDay(**values))
        if len(batch) >= INSERT_BATCH_SIZE:
            MeterDay.objects.bulk_create(batch)
            batch = []
    MeterDay.objects.bulk_create(batch)


def _delete(days: QuerySet) -> int:
    table = connection.ops.quote_name(MeterDay._meta.db_table)
    ids_sql, ids_params = days.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({ids_sql})", ids_params)
        return cursor.rowcount


def snapshot_history(
    days: QuerySet, *, history_type: str, when: dt.datetime, user, reason: str
) -> None:
    """Copy the days' current state into their history table in one INSERT … SELECT."""
    history = MeterDay.history.model
    quote = connection.ops.quote_name
    day_columns = {field.column for field in MeterDay._meta.concrete_fields}
    extra = {
        "history_date": when,
        "history_type": history_type,
        "history_change_reason": reason,
        "history_user_id": user.pk,
    }
    columns, selects, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.column in day_columns:
            columns.append(quote(field.column))
            selects.append(f"d.{quote(field.column)}")
        elif field.column in extra:
            columns.append(quote(field.column))
            selects.append("%s")
            params.append(extra[field.column])
    ids_sql, ids_params = days.order_by().values("pk").query.sql_with_params()
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {quote(MeterDay._meta.db_table)} d "
        f"WHERE d.{quote('id')} IN ({ids_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids_params])
