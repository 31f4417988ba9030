"""Benchmark: set-based recalculation of a million records (goal: a factor change < 60 s).

Run with `make bench` and DATABASE_URL=postgres://… ; size with KEHUI_BENCH_RECORDS.
The table is printed and written to var/bench/recalculation.txt.
"""

import random
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emissions.activities.calculation import RecordCalculator
from emissions.activities.models import ActivityRecord
from emissions.activities.recalculation import recalculate_co2e, recalculate_factor_records
from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, Gas
from emissions.factors.selectors import gwp_values

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason=(
        "The recalculation benchmark targets PostgreSQL: set DATABASE_URL=postgres://… "
        "(e.g. postgres://postgres@127.0.0.1:5432/kehui)."
    ),
)

GOAL_SECONDS = 60
SAMPLE_SIZE = 25
HALF_MG = Decimal("0.0000005")
TABLE = ActivityRecord._meta.db_table
CALCULATED = [
    "scope",
    "category",
    "year",
    "month",
    "factor_id",
    "factor_region_match",
    "factor_year_match",
    "factor_quantity",
    "gwp_basis",
    "co2_kg",
    "ch4_kg",
    "n2o_kg",
    "other_gas_id",
    "other_gas_kg",
    "published_co2e_kg",
    "biogenic_co2_kg",
    "co2e_kg",
]


def _sample_ids(factor_id: int) -> list[int]:
    """Random records across the table, plus the first and last of the changed factor."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {TABLE}")
        low, high = cursor.fetchone()
        cursor.execute(f"SELECT min(id), max(id) FROM {TABLE} WHERE factor_id = %s", [factor_id])
        first, last = cursor.fetchone()
        cursor.execute(f"SELECT min(id) FROM {TABLE} WHERE other_gas_id IS NOT NULL")
        (leak,) = cursor.fetchone()
    rng = random.Random(20260101)
    return [first, last, leak, *rng.sample(range(low, high + 1), SAMPLE_SIZE)]


def _check_against_calculator(ids: list[int]) -> int:
    """Each stored calculation equals what a fresh RecordCalculator gives, Decimal for Decimal."""
    calculator = RecordCalculator()
    records = ActivityRecord.objects.select_related("facility", "activity_type", "other_gas")
    checked = 0
    for record in records.filter(pk__in=ids):
        stored = {name: getattr(record, name) for name in CALCULATED}
        calculator.calculate(record)
        fresh = {name: getattr(record, name) for name in CALCULATED}
        assert stored == fresh, f"record {record.pk}: stored {stored} != calculated {fresh}"
        checked += 1
    assert checked == len(set(ids))  # ids are contiguous, so every sampled id exists
    return checked


def _check_factor_sums(factor_id: int, co2_per_unit: Decimal, rows: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*),
                   count(*) FILTER (WHERE co2_kg <> round(factor_quantity * %s, 6)),
                   count(*) FILTER (WHERE co2e_kg <> co2_kg + published_co2e_kg
                                    OR ch4_kg <> 0 OR n2o_kg <> 0),
                   sum(co2_kg),
                   round(sum(factor_quantity) * %s, 6)
            FROM {TABLE} WHERE factor_id = %s
            """,
            [co2_per_unit, co2_per_unit, factor_id],
        )
        count, wrong_co2, wrong_co2e, stored_sum, expected_sum = cursor.fetchone()
    assert count == rows
    assert wrong_co2 == 0, f"{wrong_co2} records' co2_kg != ROUND(factor_quantity × new, 6)"
    assert wrong_co2e == 0, f"{wrong_co2e} records' co2e_kg do not follow their co2_kg"
    assert abs(stored_sum - expected_sum) <= count * HALF_MG, (stored_sum, expected_sum)


def _check_co2e_everywhere(basis: str) -> None:
    gwp = gwp_values(basis)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FILTER (WHERE r.gwp_basis <> %s),
                   count(*) FILTER (WHERE r.co2e_kg <> round(
                       r.co2_kg + r.ch4_kg * %s + r.n2o_kg * %s
                       + r.other_gas_kg * coalesce(g.gwp_{basis.lower()}, 0)
                       + r.published_co2e_kg, 6))
            FROM {TABLE} r LEFT JOIN {Gas._meta.db_table} g ON g.id = r.other_gas_id
            """,
            [basis, gwp["CH4"], gwp["N2O"]],
        )
        wrong_basis, wrong_co2e = cursor.fetchone()
    assert wrong_basis == 0, f"{wrong_basis} records keep another GWP basis"
    assert wrong_co2e == 0, f"{wrong_co2e} records' co2e_kg do not match {basis} GWPs"


def _wal_position() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return cursor.fetchone()[0]


def _wal_mb_since(position: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [position])
        return float(cursor.fetchone()[0]) / 2**20


def _timed(function, *args):
    """Run function(*args); return its result, seconds, MB of WAL and (seconds, SQL) per query."""
    position = _wal_position()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(*args)
        elapsed = time.perf_counter() - started
    statements = [(float(q["time"]), " ".join(q["sql"].split())) for q in queries.captured_queries]
    statements.append((0.0, f"-- {_wal_mb_since(position):,.0f} MB of WAL written"))
    return result, elapsed, statements


def _report(data, rows: list[tuple[str, int, float]], statements) -> str:
    lines = [
        f"Recalculation benchmark — PostgreSQL {connection.pg_version // 10000}, "
        f"{data.records:,} records ({data.templates} templates; "
        f"{data.main_factor_records:,} = {data.main_factor_records / data.records:.0%} "
        "on one grid factor)",
        "",
        f"{'step':<44} {'rows':>11} {'seconds':>9} {'rows/s':>11}",
        f"{'-' * 44} {'-' * 11} {'-' * 9} {'-' * 11}",
    ]
    for step, count, seconds in rows:
        rate = f"{count / seconds:,.0f}" if count and seconds else ""
        lines.append(f"{step:<44} {count:>11,} {seconds:>9.2f} {rate:>11}")
    lines += ["", f"Goal: factor change < {GOAL_SECONDS} s.", "", "Statements (s, SQL):"]
    for step, captured in statements:
        lines.append(f"  {step}:")
        lines += [f"    {seconds:7.2f}  {sql[:150]}" for seconds, sql in captured]
    return "\n".join(lines) + "\n"


def test_recalculating_a_million_records_is_set_based(bench_data):
    data = bench_data
    factor = EmissionFactor.objects.get(pk=data.main_factor_id)
    ids = _sample_ids(factor.pk)
    _check_against_calculator(ids)  # the generated data is what the calculator would store
    rows = [(step, data.records, seconds) for step, seconds in data.timings.items()]
    rows.append(("generation total (report only)", data.records, sum(data.timings.values())))

    # (b) The factor's CO2 value changes; .update() keeps the post_save signal out of the timing.
    new_co2 = (factor.co2_kg * Decimal("1.1")).quantize(Decimal("0.000000000001")) + Decimal(
        "0.000000000007"
    )
    EmissionFactor.objects.filter(pk=factor.pk).update(co2_kg=new_co2)
    factor_rows, factor_seconds, factor_sql = _timed(recalculate_factor_records, [factor.pk])
    assert factor_rows == data.main_factor_records
    rows.append((f"factor change: {factor.key[:30]}", factor_rows, factor_seconds))
    _check_factor_sums(factor.pk, new_co2, data.main_factor_records)
    _check_against_calculator(ids)

    # (c) The organisation switches GWP basis; CO2e of every record is rewritten.
    Organisation.objects.filter(pk=Organisation.SINGLETON_ID).update(gwp_basis="AR6")
    gwp_rows, gwp_seconds, gwp_sql = _timed(recalculate_co2e)
    assert gwp_rows == data.records
    rows.append(("GWP basis AR5 → AR6: recalculate_co2e()", gwp_rows, gwp_seconds))
    _check_co2e_everywhere("AR6")
    _check_against_calculator(ids)

    report = _report(data, rows, [("factor change", factor_sql), ("GWP switch", gwp_sql)])
    out = settings.BASE_DIR / "var" / "bench" / "recalculation.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print("\n" + report + f"(written to {out})")

    assert factor_seconds < GOAL_SECONDS, (
        f"Recalculating {factor_rows:,} records after a factor change took {factor_seconds:.1f} s; "
        f"the goal is under {GOAL_SECONDS} s."
    )
