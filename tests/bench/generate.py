"""A seeded, reproducible organisation-sized data set for the dashboard page benchmark.

200 facilities over ten provinces (seven regional grids), eight years (2018–2025), every scope:
Scope 1 fuels, vehicles and refrigerant leaks; Scope 2 grid electricity, heat, steam and on-site
solar; Scope 3 business travel, waste and inbound freight. Most records are approved, some
submitted (more in the latest year, as review lags), a few rejected. Offsets go through the
offsets services: credit projects, a batch per vintage, retirements per year, energy
certificates per year; targets and initiatives are the demo's.

Records are never saved one by one. Factor choice depends on a facility's regions, the
activity type and the year, so one template per (province, activity type, year) is calculated
in Python with RecordCalculator and bulk-inserted; PostgreSQL then clones each template onto the
province's facilities with INSERT … SELECT … generate_series, varying only the facility, the
month within the template's year and the review status. The numbers are a pure function of
`records` (no clock, no random state): two runs give the same table.
"""

import datetime as dt
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from emissions.activities.calculation import RecordCalculator
from emissions.activities.models import ActivityRecord, ActivityType, ReviewStatus
from emissions.facilities.models import Facility, FacilityOutput, OutputMetric
from emissions.facilities.regions import GridRegion, Province
from emissions.neutrality.demo import load_demo_targets
from emissions.offsets import services
from emissions.offsets.models import (
    CertificateScheme,
    CreditKind,
    CreditProject,
    CreditStandard,
    ProjectType,
    Technology,
)

# 200 facilities by default; `make bench SCALE=10m` asks for 1,000 (issue 22).
FACILITY_COUNT = int(os.environ.get("KEHUI_BENCH_FACILITIES", "200"))
YEARS = tuple(range(2018, 2026))
LATEST_YEAR = YEARS[-1]

# (province, its regional grid): facilities are dealt round-robin over these.
PROVINCES = [
    (Province.HEBEI, GridRegion.NORTH),
    (Province.SHANDONG, GridRegion.NORTH),
    (Province.JIANGSU, GridRegion.EAST),
    (Province.ZHEJIANG, GridRegion.EAST),
    (Province.GUANGDONG, GridRegion.SOUTH),
    (Province.HUBEI, GridRegion.CENTRAL),
    (Province.HENAN, GridRegion.CENTRAL),
    (Province.SICHUAN, GridRegion.SOUTHWEST),
    (Province.LIAONING, GridRegion.NORTHEAST),
    (Province.SHAANXI, GridRegion.NORTHWEST),
]

# (activity type code, quantity per record in its default unit, share of all records in %)
MIX = [
    # Scope 2: monthly meter readings dominate the ledger.
    ("grid_electricity", Decimal("86420.5"), 40),
    ("purchased_heat", Decimal("640.25"), 5),
    ("purchased_steam", Decimal("410.75"), 2),
    ("onsite_solar_consumed", Decimal("12500"), 3),
    # Scope 1
    ("natural_gas_stationary", Decimal("2345.678"), 10),
    ("diesel_stationary", Decimal("654.321"), 3),
    ("bituminous_coal_stationary", Decimal("45.6789"), 3),
    ("diesel_vehicles", Decimal("1234.567"), 6),
    ("gasoline_vehicles", Decimal("876.5"), 4),
    ("refrigerant_r410a", Decimal("3.217"), 2),
    ("refrigerant_r134a", Decimal("1.75"), 1),
    # Scope 3
    ("flight_domestic", Decimal("3200"), 5),
    ("rail_travel", Decimal("1850"), 4),
    ("hotel_nights", Decimal("6"), 3),
    ("waste_landfill", Decimal("12.5"), 3),
    ("waste_metal_recycling", Decimal("8.25"), 2),
    ("freight_road", Decimal("45000"), 4),
]
assert sum(share for _code, _quantity, share in MIX) == 100

# Review status of a clone, from its number n within its template (deterministic). In the
# latest year one record in 5 is still submitted; before it one in 40; one in 200 is rejected.
STATUS_SQL = f"""
    CASE
        WHEN g.n %% 200 = 199 THEN '{ReviewStatus.REJECTED.value}'
        WHEN t.year = {LATEST_YEAR} AND g.n %% 5 = 1 THEN '{ReviewStatus.SUBMITTED.value}'
        WHEN g.n %% 40 = 7 THEN '{ReviewStatus.SUBMITTED.value}'
        ELSE '{ReviewStatus.APPROVED.value}'
    END
"""


@dataclass
class Generated:
    records: int
    templates: int
    facilities: list[Facility]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def facilities() -> list[Facility]:
    created = [
        Facility(
            code=f"F{n:03d}",
            name_en=f"Bench plant {n:03d}",
            name_zh=f"基准工厂 {n:03d}",
            kind="factory",
            province=PROVINCES[(n - 1) % len(PROVINCES)][0],
            grid_region=PROVINCES[(n - 1) % len(PROVINCES)][1],
            opened_on=dt.date(2005 + n % 10, 1 + n % 12, 1),
        )
        for n in range(1, FACILITY_COUNT + 1)
    ]
    Facility.objects.bulk_create(created)
    return list(Facility.objects.filter(code__in=[f.code for f in created]).order_by("code"))


def outputs(plants: list[Facility]) -> None:
    """Tonnes produced per facility and year, for the intensity figures."""
    FacilityOutput.objects.bulk_create(
        FacilityOutput(
            facility=plant,
            year=year,
            metric=OutputMetric.PRODUCTION,
            value=Decimal(20_000 + 150 * (plant.pk % 37) + 500 * (year - YEARS[0])),
            unit="t",
        )
        for plant in plants
        for year in YEARS
    )


def templates(plants: list[Facility]) -> tuple[list[ActivityRecord], list[list[int]], list[float]]:
    """Calculated, unsaved templates, each with its province's facility ids and its weight."""
    calculator = RecordCalculator()
    types = {t.code: t for t in ActivityType.objects.select_related("gas")}
    by_province: dict[str, list[Facility]] = {}
    for plant in plants:
        by_province.setdefault(plant.province, []).append(plant)
    records, facility_ids, weights = [], [], []
    for province, members in by_province.items():
        for code, quantity, share in MIX:
            activity_type = types[code]
            for year in YEARS:
                record = ActivityRecord(
                    facility=members[0],
                    activity_type=activity_type,
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 1, 31),
                    quantity=quantity,
                    unit=activity_type.default_unit,
                    data_quality=("metered", "invoice", "estimated")[(year + len(code)) % 3],
                    source_reference=f"bench {province}",
                    status=ReviewStatus.APPROVED,
                )
                calculator.calculate(record)
                records.append(record)
                facility_ids.append([member.pk for member in members])
                # Later years have a little more data (more meters, more travel).
                weights.append(share * len(members) * (1 + (year - YEARS[0]) / 20))
    return records, facility_ids, weights


def split(weights: list[float], total: int) -> list[int]:
    """Split `total` over the weights, summing exactly."""
    whole = sum(weights)
    copies = [int(total * w / whole) for w in weights]
    for i in range(total - sum(copies)):
        copies[i % len(copies)] += 1
    return copies


def clone_sql() -> str:
    table = ActivityRecord._meta.db_table
    quote = connection.ops.quote_name
    # Clone n of a template goes to the province's facility n mod k (k facilities), in month
    # 1 + (n / k) mod 12 of the template's year, starting on day 1 + (n / 12k) mod 28.
    varying = {
        "facility_id": "c.facilities[1 + g.n %% cardinality(c.facilities)]",
        "period_start": "p.d",
        "period_end": "(date_trunc('month', p.d) + interval '1 month - 1 day')::date",
        "month": "extract(month FROM p.d)::smallint",
        "status": STATUS_SQL,
        "rejection_reason": (
            "CASE WHEN g.n %% 200 = 199 THEN 'bench: duplicate reading' ELSE '' END"
        ),
    }
    columns = [f.column for f in ActivityRecord._meta.concrete_fields if not f.primary_key]
    select = [varying.get(c, f"t.{quote(c)}") for c in columns]
    # The plan is MATERIALIZED: a subquery in the FROM clause was inlined into every use of
    # c.facilities, which rebuilt each template's array 8 times per row (40 of the 56 s at 1M).
    return f"""
        WITH c AS MATERIALIZED (
            SELECT c.id, c.copies, array(SELECT jsonb_array_elements_text(c.facilities)::bigint)
                AS facilities
            FROM jsonb_to_recordset(%s::jsonb) AS c(id bigint, copies integer, facilities jsonb)
        )
        INSERT INTO {table} ({", ".join(quote(c) for c in columns)})
        SELECT {", ".join(select)}
        FROM {table} t
        JOIN c ON c.id = t.id
        CROSS JOIN LATERAL generate_series(0, c.copies - 1) AS g(n)
        CROSS JOIN LATERAL (
            SELECT make_date(
                t.year,
                1 + (g.n / cardinality(c.facilities)) %% 12,
                1 + (g.n / (12 * cardinality(c.facilities))) %% 28
            ) AS d
        ) AS p
    """


@contextmanager
def bulk_load(cursor, timings: dict):
    """Load the records as a bulk load of history is done: without their secondary indexes and
    foreign keys, which are then built and checked once each over the whole table (a sort, an
    anti-join) instead of row by row (at 10M rows, in random order once they outgrow memory).
    Inside the caller's transaction: a failed load leaves the table as it was."""
    table = connection.ops.quote_name(ActivityRecord._meta.db_table)
    # Checks still pending (deferred foreign keys of rows written earlier in the transaction)
    # forbid altering the table: run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    indexes, foreign_keys = secondary_indexes(cursor), foreign_key_constraints(cursor)
    for name, _definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    started = time.perf_counter()
    for name, definition in foreign_keys:
        quoted = connection.ops.quote_name(name)
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
    timings[f"{len(foreign_keys)} foreign keys of the records checked"] = (
        time.perf_counter() - started
    )
    started = time.perf_counter()
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    timings[f"{len(indexes)} indexes of the records built"] = time.perf_counter() - started
    # The planner's statistics still describe the table before the load: the services that
    # follow (retirements read the inventory) took 103 s instead of 6 at 10M without this.
    started = time.perf_counter()
    cursor.execute(f"ANALYZE {table}")
    timings["records analysed"] = time.perf_counter() - started


def foreign_key_constraints(cursor) -> list[tuple[str, str]]:
    """(name, definition) of the records' foreign keys."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
        """,
        [ActivityRecord._meta.db_table],
    )
    return cursor.fetchall()


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the records' indexes that back no constraint."""
    cursor.execute(
        """
        SELECT index.relname, pg_get_indexdef(index.oid)
        FROM pg_index x JOIN pg_class index ON index.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY index.relname
        """,
        [ActivityRecord._meta.db_table],
    )
    return cursor.fetchall()


# GECs are entered by their 32-character codes (offsets/gec.py): the generating project's
# filing code, the production month (June of the reporting year), a sequence and two classes.
BENCH_SOLAR_FARM = "BENCHSOLAR0000001"
BENCH_WIND_FARM = "BENCHWIND00000002"


def _gec_code(project: str, year: int, sequence: int) -> str:
    return f"{project}{year}06{sequence:07d}11"


def instruments(plants: list[Facility], records: int) -> int:
    """Credits, retirements and certificates through the services (their rules apply).

    Certificates are sized for a million records and shrink with fewer (a plant may not apply
    more MWh than it consumed from the grid), so a small run still passes the services' rules.
    """
    solar_mwh = max(1, 500 * records // 1_000_000)
    wind_mwh = max(1, 5_000 * records // 1_000_000)
    removal = CreditProject.objects.create(
        name="Bench afforestation",
        standard=CreditStandard.CCER,
        registry_project_id="CCER-BENCH-001",
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
    )
    avoidance = CreditProject.objects.create(
        name="Bench wind farm",
        standard=CreditStandard.VCS,
        registry_project_id="VCS-BENCH-001",
        project_type=ProjectType.RENEWABLE_ENERGY,
        kind=CreditKind.AVOIDANCE,
    )
    created = 2
    for i, year in enumerate(YEARS):
        for j, project in enumerate((removal, avoidance)):
            tonnes = 20_000 + 5_000 * j
            first = 10_000_000 * (i + 1) + 1
            batch = services.add_credit_batch(
                project=project,
                vintage_year=year,
                quantity_t=Decimal(tonnes),
                serial_first=first,
                serial_last=first + tonnes - 1,
                purchased_on=dt.date(year, 11, 1),
                price_per_t=Decimal("60.00") + 10 * j,
            )
            created += 1
            for k, part in enumerate((Decimal(6000), Decimal(4000))):
                services.retire_credits(
                    batch=batch,
                    quantity_t=part,
                    retired_on=dt.date(year, 12, 10 + k),
                    claimed_year=year,
                    registry_reference=f"BENCH-RET-{year}-{j}-{k}",
                    beneficiary_statement=f"Retired for the bench organisation's {year}.",
                )
                created += 1
        # Three plants' own green certificates and one organisation-wide batch per year.
        for k, plant in enumerate(plants[i * 3 : i * 3 + 3]):
            first = 10_000 * k + 1
            services.add_energy_certificates(
                scheme=CertificateScheme.GEC,
                registry="China GEC (bench)",
                technology=Technology.SOLAR,
                gec_code_first=_gec_code(BENCH_SOLAR_FARM, year, first),
                gec_code_last=_gec_code(BENCH_SOLAR_FARM, year, first + solar_mwh - 1),
                mwh=Decimal(solar_mwh),
                facility=plant,
                reporting_year=year,
            )
            created += 1
        services.add_energy_certificates(
            scheme=CertificateScheme.GEC,
            registry="China GEC (bench)",
            technology=Technology.WIND,
            gec_code_first=_gec_code(BENCH_WIND_FARM, year, 1),
            gec_code_last=_gec_code(BENCH_WIND_FARM, year, wind_mwh),
            mwh=Decimal(wind_mwh),
            facility=None,
            reporting_year=year,
        )
        created += 1
    return created + load_demo_targets()


def generate(records: int, *, vacuum: bool = True) -> Generated:
    """Load `records` activity records (and the rest above) into an empty database.

    `vacuum=False` leaves out the closing VACUUM ANALYZE, which cannot run inside a
    transaction (the test that keeps this generator working runs in one).
    """
    timings = {}
    started = time.perf_counter()
    plants = facilities()
    outputs(plants)
    pending, facility_ids, weights = templates(plants)
    if records < len(pending):
        raise ValueError(f"At least {len(pending)} records are needed (one per template).")
    saved = ActivityRecord.objects.bulk_create(pending)
    timings["templates (Python)"] = time.perf_counter() - started

    started = time.perf_counter()
    copies = split(weights, records - len(saved))
    plan = [
        {"id": t.pk, "copies": n, "facilities": ids}
        for t, n, ids in zip(saved, copies, facility_ids, strict=True)
        if n
    ]
    with transaction.atomic(), connection.cursor() as cursor, bulk_load(cursor, timings):
        cursor.execute(clone_sql(), [json.dumps(plan)])
        timings["clone INSERT … SELECT"] = time.perf_counter() - started

    started = time.perf_counter()
    instruments(plants, records)
    timings["offsets, certificates, targets (services)"] = time.perf_counter() - started

    if not vacuum:
        return Generated(records=records, templates=len(saved), facilities=plants, timings=timings)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum would have done by the time anyone opens the dashboard.
        cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started
    return Generated(records=records, templates=len(saved), facilities=plants, timings=timings)
