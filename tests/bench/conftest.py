"""Fixtures for the recalculation benchmark: a large, realistic set of activity records.

Records are not saved one by one. One template record per (facility, activity type, year,
quantity variant) is calculated in Python with RecordCalculator, bulk-inserted, and then cloned
inside PostgreSQL with INSERT … SELECT … CROSS JOIN generate_series, varying only the period
(within the template's calendar year, so the stored calculation stays what the calculator gives).
"""

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection, transaction

from emissions.activities.calculation import RecordCalculator
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility, Organisation

from .generate import bulk_load

DEFAULT_RECORDS = 1_000_000
YEARS = (2023, 2024, 2025)
QUANTITY_VARIANTS = (Decimal("1"), Decimal("1.37"), Decimal("0.83"))

# Hebei plants share one provincial grid factor (grid_electricity_cn_he_2023: exact for 2023,
# lagged for 2024 and 2025), so their electricity is the single factor most records use.
HEBEI_PLANTS = ("HE-01", "HE-02", "HE-03", "HE-04")
JIANGSU_PLANT = "JS-01"

# (facility codes, activity type, base quantity in its default unit, share of all records)
MIX = [
    (HEBEI_PLANTS, "grid_electricity", Decimal("123456.789"), 65),
    ((JIANGSU_PLANT,), "grid_electricity", Decimal("98765.4321"), 5),
    (HEBEI_PLANTS + (JIANGSU_PLANT,), "natural_gas_stationary", Decimal("2345.678"), 8),
    (HEBEI_PLANTS + (JIANGSU_PLANT,), "diesel_vehicles", Decimal("1234.567"), 5),
    (HEBEI_PLANTS[:2], "bituminous_coal_stationary", Decimal("345.6789"), 5),
    (HEBEI_PLANTS + (JIANGSU_PLANT,), "purchased_heat", Decimal("876.543"), 4),
    (HEBEI_PLANTS[:2], "lpg_stationary", Decimal("456.789"), 3),
    (HEBEI_PLANTS + (JIANGSU_PLANT,), "refrigerant_r410a", Decimal("3.217"), 3),
    ((JIANGSU_PLANT,), "diesel_stationary", Decimal("654.321"), 2),
]
MAIN_TYPE, MAIN_FACILITIES = "grid_electricity", HEBEI_PLANTS


def bench_size() -> int:
    return int(os.environ.get("KEHUI_BENCH_RECORDS", DEFAULT_RECORDS))


@dataclass
class BenchData:
    records: int
    templates: int
    main_factor_id: int
    main_factor_records: int
    timings: dict[str, float] = field(default_factory=dict)


def _facilities() -> dict[str, Facility]:
    facilities = {}
    for code in HEBEI_PLANTS:
        facilities[code] = Facility.objects.create(
            code=code,
            name_en=f"Hebei plant {code}",
            kind="factory",
            province="CN-HE",
            grid_region="CN-North",
            opened_on=dt.date(2008, 1, 1),
        )
    facilities[JIANGSU_PLANT] = Facility.objects.create(
        code=JIANGSU_PLANT,
        name_en="Suzhou plant",
        kind="factory",
        province="CN-JS",
        grid_region="CN-East",
        opened_on=dt.date(2012, 6, 1),
    )
    return facilities


def _templates(facilities) -> list[tuple[ActivityRecord, float]]:
    """Calculated, unsaved template records, each with its share of all records."""
    calculator = RecordCalculator()
    types = {t.code: t for t in ActivityType.objects.select_related("gas")}
    templates = []
    for codes, type_code, quantity, share in MIX:
        activity_type = types[type_code]
        per_template = share / (len(codes) * len(YEARS) * len(QUANTITY_VARIANTS))
        for code in codes:
            for year in YEARS:
                for variant in QUANTITY_VARIANTS:
                    record = ActivityRecord(
                        facility=facilities[code],
                        activity_type=activity_type,
                        period_start=dt.date(year, 1, 1),
                        period_end=dt.date(year, 1, 31),
                        quantity=quantity * variant,
                        unit=activity_type.default_unit,
                        data_quality="invoice",
                        source_reference="bench",
                    )
                    calculator.calculate(record)
                    templates.append((record, per_template))
    return templates


def _copies(weights: list[float], clones: int) -> list[int]:
    """Split `clones` over templates in proportion to their weights, summing exactly."""
    total = sum(weights)
    copies = [int(clones * w / total) for w in weights]
    for i in range(clones - sum(copies)):
        copies[i % len(copies)] += 1
    return copies


def _clone_sql() -> str:
    table = ActivityRecord._meta.db_table
    varying = {
        "period_start": "p.d",
        "period_end": "(date_trunc('month', p.d) + interval '1 month - 1 day')::date",
        "month": "extract(month FROM p.d)::smallint",
    }
    columns = [f.column for f in ActivityRecord._meta.concrete_fields if not f.primary_key]
    select = [varying.get(c, f"t.{connection.ops.quote_name(c)}") for c in columns]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Each clone keeps its template's year (so its factor choice) and gets a period inside one
    # month of that year: month 1–12, start day 1–28, ending on the month's last day.
    return f"""
        INSERT INTO {table} ({quoted})
        SELECT {", ".join(select)}
        FROM {table} t
        JOIN unnest(%s::bigint[], %s::integer[]) AS c(id, copies) ON c.id = t.id
        CROSS JOIN LATERAL generate_series(0, c.copies - 1) AS g(n)
        CROSS JOIN LATERAL (
            SELECT make_date(t.year, 1 + g.n %% 12, 1 + (g.n / 12) %% 28) AS d
        ) AS p
    """


@pytest.fixture
def shipped_library(transactional_db):
    """The shipped factors and activity types, loaded again if need be.

    The session loads them once, but every benchmark here is transactional: the flush after
    one empties every table, so the next would find no activity types.
    """
    from emissions.activities.catalogue import load_activity_types
    from emissions.factors.loading import load_shipped_factors

    load_shipped_factors()
    load_activity_types()


@pytest.fixture
def bench_organisation(shipped_library):
    Organisation(name_en="Kehui bench", base_year=2019, gwp_basis="AR5").save()
    return Organisation.current()


@pytest.fixture
def bench_data(bench_organisation) -> BenchData:
    """`bench_size()` records in the test database; generation times in `.timings`."""
    records = bench_size()
    started = time.perf_counter()
    facilities = _facilities()
    pairs = _templates(facilities)
    if records < len(pairs):
        pytest.fail(f"KEHUI_BENCH_RECORDS must be at least {len(pairs)} (one per template).")
    templates = ActivityRecord.objects.bulk_create([record for record, _share in pairs])
    copies = _copies([share for _record, share in pairs], records - len(templates))
    timings = {"templates (Python)": time.perf_counter() - started}

    started = time.perf_counter()
    # As the page benchmark's generator: indexes and foreign keys built and checked after.
    with transaction.atomic(), connection.cursor() as cursor, bulk_load(cursor, timings):
        cursor.execute(_clone_sql(), [[t.pk for t in templates], copies])
        timings["clone INSERT … SELECT"] = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum would have done by the time someone edits a factor.
        cursor.execute(f"VACUUM ANALYZE {ActivityRecord._meta.db_table}")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started

    main_factor_id = next(
        t.factor_id
        for t in templates
        if t.activity_type.code == MAIN_TYPE and t.facility.code in MAIN_FACILITIES
    )
    assert ActivityRecord.objects.count() == records
    main_records = ActivityRecord.objects.filter(factor_id=main_factor_id).count()
    assert main_records >= 0.6 * records, "the main factor must carry at least 60 % of records"
    return BenchData(
        records=records,
        templates=len(templates),
        main_factor_id=main_factor_id,
        main_factor_records=main_records,
        timings=timings,
    )


@pytest.fixture
def dashboard_data(bench_organisation):
    """The page benchmark's organisation: `bench_size()` records over 200 facilities, 8 years."""
    from .generate import generate

    return generate(bench_size())


# --- The run's verdict --------------------------------------------------------------------------
# Every benchmark asserts its goals after writing its figures; this gathers the outcomes into one
# list of what is over goal (issue 22), printed at the end and kept in var/bench-summary*.json.

_OUTCOMES: dict[str, str] = {}


def pytest_runtest_logreport(report):
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        _OUTCOMES[report.nodeid] = f"OVER GOAL or failed ({report.when}): " + message.split("\n")[0]
    elif report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else "skipped"
        _OUTCOMES.setdefault(report.nodeid, f"not run: {reason}")
    elif report.when == "call":
        _OUTCOMES[report.nodeid] = "met"


def pytest_terminal_summary(terminalreporter):
    if not _OUTCOMES:
        return
    import json

    from django.conf import settings

    records = os.environ.get("KEHUI_BENCH_RECORDS", "")
    name = f"bench-summary-{records}.json" if records else "bench-summary.json"
    path = settings.BASE_DIR / "var" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "run": os.environ.get("KEHUI_BENCH_RUN", ""),
        "records": records or "default",
        "over_goal": sorted(k for k, v in _OUTCOMES.items() if v.startswith("OVER")),
        "benchmarks": _OUTCOMES,
    }
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    terminalreporter.section("benchmarks against their goals")
    for nodeid, outcome in _OUTCOMES.items():
        terminalreporter.write_line(f"{nodeid}: {outcome}")
    terminalreporter.write_line(f"(written to {path})")
