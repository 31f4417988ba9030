"""Benchmark: server time of each dashboard page at a million records, beside its floor.

Goals (docs/performance.md): every page under 150 ms median at 1,000,000 records, and no
slower than its floor — the raw aggregate SQL the page fundamentally needs, timed the same way.
Every measurement is printed and written to var/bench.json before any goal is asserted; the
plans (EXPLAIN ANALYZE) of each page's slowest statements and of its floor go to
var/bench-explain.txt, a cProfile of one request per page to var/bench-profile.txt.

Run with DATABASE_URL=postgres://… ; size with KEHUI_BENCH_RECORDS.
"""

import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.neutrality import scope2, snapshot
from emissions.neutrality.selectors import yearly_balance

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="The page benchmark targets PostgreSQL: set DATABASE_URL=postgres://…",
)

GOAL_MS = 150
# Past a million records (issue 22): pages within 1.2× their time at 1M in the same run (the
# Makefile's SCALE=10m measures 1M with the same facilities first, under one KEHUI_BENCH_RUN),
# and pages whose floor is an index lookup under 50 ms.
REFERENCE_RECORDS = 1_000_000
DEFAULT_FACILITIES = 200
SCALE_GOAL = 1.2
INDEX_LOOKUP_GOAL_MS = 50
INDEX_LOOKUP_PAGES = {"ledger filtered"}
RUN = os.environ.get("KEHUI_BENCH_RUN", "")
WARM_UPS = 2
RUNS = 7
YEAR = 2025
BASE_YEAR = 2019  # the bench organisation's (tests/bench/conftest.py)
FILTER_YEAR = 2024
FACILITY = "F001"  # a Hebei plant, one of 200
TABLE = ActivityRecord._meta.db_table
COUNTED = "status <> 'rejected'"

# What each page fundamentally needs from the records, as plain SQL (fetching every row).
OVERVIEW_FLOOR = [
    f"SELECT year, scope, category, sum(co2e_kg) FROM {TABLE} WHERE {COUNTED} "
    "GROUP BY year, scope, category"
]
# Grid electricity by facility-year, for market-based Scope 2: organisation-wide certificates
# are shared among all facilities in proportion to their uncovered kWh, so even one facility's
# market-based figure needs every facility's grid kWh (docs/methodology.md).
GRID_FLOOR = (
    f"SELECT facility_id, year, sum(electricity_kwh), sum(co2e_kg) FROM {TABLE} "
    f"WHERE {COUNTED} AND activity_type_id = %(grid)s GROUP BY facility_id, year"
)
FACILITY_FLOOR = [
    f"SELECT year, scope, category, sum(co2e_kg) FROM {TABLE} "
    f"WHERE {COUNTED} AND facility_id = %(facility)s GROUP BY year, scope, category",
    GRID_FLOOR,
]
# Every facility's gross in the latest two years.
FACILITIES_FLOOR = [
    f"SELECT facility_id, year, scope, sum(co2e_kg) FROM {TABLE} "
    f"WHERE {COUNTED} AND year IN ({YEAR - 1}, {YEAR}) GROUP BY facility_id, year, scope",
    GRID_FLOOR,
]
# The neutrality balance per year (what offsets and targets put emissions beside): kg and kWh
# by year and category, and grid electricity by facility-year for market-based Scope 2.
BALANCE_FLOOR = [
    f"SELECT year, category, sum(co2e_kg), sum(electricity_kwh) FROM {TABLE} "
    f"WHERE {COUNTED} GROUP BY year, category",
    GRID_FLOOR,
]
LEDGER_ROWS = (
    "SELECT r.*, f.code, a.name FROM {table} r "
    "JOIN facilities_facility f ON f.id = r.facility_id "
    "JOIN activities_activitytype a ON a.id = r.activity_type_id "
    "WHERE {where} ORDER BY r.period_start DESC, r.id DESC LIMIT 51"
)
LEDGER_TOTALS = "SELECT count(*), sum(co2e_kg) FROM {table} r WHERE {where}"
FILTERED = (
    f"r.{COUNTED} AND r.year = {FILTER_YEAR} AND r.facility_id = %(facility)s AND r.scope = 2"
)
LEDGER_FLOOR = [q.format(table=TABLE, where=f"r.{COUNTED}") for q in (LEDGER_ROWS, LEDGER_TOTALS)]
FILTERED_LEDGER_FLOOR = [
    q.format(table=TABLE, where=FILTERED) for q in (LEDGER_ROWS, LEDGER_TOTALS)
]
# The report shows, from approved records, the year beside its base year (2019 in the bench):
# categories by data quality with counts and biogenic CO2, Scope 1 by gas, the datasets of the
# factors used, market-based Scope 2 per facility; and how much of the year is still pending.
REPORT_FLOOR = [
    f"SELECT year, category, data_quality, factor_id, other_gas_id, count(*), sum(co2e_kg), "
    "sum(biogenic_co2_kg), sum(co2_kg), sum(ch4_kg), sum(n2o_kg), sum(other_gas_kg), "
    f"sum(published_co2e_kg), sum(electricity_kwh) FROM {TABLE} "
    f"WHERE status = 'approved' AND year IN ({BASE_YEAR}, {YEAR}) "
    "GROUP BY year, category, data_quality, factor_id, other_gas_id",
    f"SELECT facility_id, year, sum(electricity_kwh), sum(co2e_kg) FROM {TABLE} "
    f"WHERE status = 'approved' AND activity_type_id = %(grid)s "
    f"AND year IN ({BASE_YEAR}, {YEAR}) GROUP BY facility_id, year",
    f"SELECT count(*), sum(co2e_kg) FROM {TABLE} "
    f"WHERE status IN ('draft', 'submitted') AND year = {YEAR}",
]

# (name, URL, floor statements)
PAGES = [
    ("overview", f"/?year={YEAR}", OVERVIEW_FLOOR),
    ("facilities", "/facilities/", FACILITIES_FLOOR),
    ("facility", f"/facilities/{FACILITY}/", FACILITY_FLOOR),
    ("ledger", "/ledger/", LEDGER_FLOOR),
    (
        "ledger filtered",
        f"/ledger/?year={FILTER_YEAR}&facility={FACILITY}&scope=2",
        FILTERED_LEDGER_FLOOR,
    ),
    ("offsets", "/offsets/", BALANCE_FLOOR),
    ("targets", "/targets/", BALANCE_FLOOR),
    ("report", f"/report/{YEAR}/", REPORT_FLOOR),
]


def median_ms(function, *, before=None) -> float:
    """Median of RUNS timed calls after WARM_UPS; `before` runs untimed ahead of each call."""
    for _ in range(WARM_UPS):
        function()
    runs = []
    for _ in range(RUNS):
        if before is not None:
            before()
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def run_floor(statements, params):
    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


COLD_PAGES = {"overview", "facilities", "facility", "offsets", "targets", "report"}


def forget_scope2():
    """Nothing remembered: a new process, or a change to facilities, factors or the GWPs."""
    # Untimed: freeing the remembered results is not part of answering the request.
    scope2._REMEMBERED.forget()
    snapshot.forget()
    gc.collect()


def forget_the_year():
    """A commit that changed the year shown (a record or certificate of it): market-based
    Scope 2 of that year, and everything remembered for the old database snapshot."""
    scope2._REMEMBERED.forget(YEAR)
    snapshot.forget()
    gc.collect()


def get_page(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def slowest(captured, n=3) -> list[dict]:
    queries = sorted(captured, key=lambda q: float(q["time"]), reverse=True)[:n]
    return [{"ms": float(q["time"]) * 1000, "sql": " ".join(q["sql"].split())} for q in queries]


def explain(sql: str, params=None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def sequential_scans(sql: str, table: str = TABLE) -> int:
    """How many times the planner would read `table` with a sequential scan for `sql`.

    A plain EXPLAIN (nothing runs). This is the goal's "reads must come from indexes or
    rollups, not scans" checked for each statement a page sends.
    """
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return 0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    nodes, scans = [plan[0]["Plan"]], 0
    while nodes:
        node = nodes.pop()
        scans += node["Node Type"] == "Seq Scan" and node.get("Relation Name") == table
        nodes.extend(node.get("Plans", []))
    return scans


def profile(client, url) -> str:
    """One request under cProfile: the project's and the template engine's costliest calls."""
    profiler = cProfile.Profile()
    profiler.runcall(get_page(client, url))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"emissions/|django/template/|django/forms/", 30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


def test_dashboard_pages_against_their_floors(dashboard_data, client, django_user_model):
    data = dashboard_data
    user = django_user_model.objects.create_superuser("bench", password="bench-pass-123")
    client.force_login(user)
    facility = next(f for f in data.facilities if f.code == FACILITY)
    params = {
        "facility": facility.pk,
        "grid": ActivityType.objects.get(code="grid_electricity").pk,
    }

    # The scan check must be able to fail: the overview's floor reads the whole table.
    assert sequential_scans(OVERVIEW_FLOOR[0]) == 1

    pages, explained, profiled = {}, [], []
    for name, url, floor in PAGES:
        page_ms = median_ms(get_page(client, url))
        floor_ms = median_ms(run_floor(floor, params))
        with CaptureQueriesContext(connection) as captured:
            get_page(client, url)()
        pages[name] = {
            "url": url,
            "median_ms": round(page_ms, 1),
            "floor_ms": round(floor_ms, 1),
            "ratio": round(page_ms / floor_ms, 2),
            "queries": len(captured),
            # The database's share of one request (Django's timing of each statement).
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "slowest_queries": slowest(captured.captured_queries),
            # Statements that would read the records table by a sequential scan.
            "records_scans": sum(sequential_scans(q["sql"]) for q in captured.captured_queries),
        }
        # Evidence for docs/performance.md: plans of the page's two slowest statements and
        # of its floor, and where one request spends its Python time.
        for query in pages[name]["slowest_queries"][:2]:
            explained.append(f"== {name}: page query ({query['ms']:.0f} ms)\n{query['sql']}\n")
            explained.append(explain(query["sql"]) + "\n")
        for sql in floor:
            explained.append(f"== {name}: floor\n{sql}\n{explain(sql, params)}\n")
        profiled.append(f"== {name} {url}\n{profile(client, url)}")
    balance_ms = median_ms(yearly_balance)
    balance_floor_ms = median_ms(run_floor(BALANCE_FLOOR, params))
    # The balances are remembered per database snapshot (neutrality/snapshot.py), market-based
    # Scope 2 per year by that year's inputs (neutrality/scope2.py): the first request after a
    # commit reads the inventory again and computes the changed year's Scope 2 again; one after
    # a restart (or a change every year shares, a factor or a facility's region) computes every
    # year. Timed here by forgetting them first.
    after_change = {
        name: round(median_ms(get_page(client, url), before=forget_the_year), 1)
        for name, url, _floor in PAGES
        if name in COLD_PAGES
    }
    after_change["yearly_balance()"] = round(median_ms(yearly_balance, before=forget_the_year), 1)
    cold = {
        name: round(median_ms(get_page(client, url), before=forget_scope2), 1)
        for name, url, _floor in PAGES
        if name in COLD_PAGES
    }
    cold["yearly_balance()"] = round(median_ms(yearly_balance, before=forget_scope2), 1)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE status = 'approved') FROM " + TABLE)
        count, approved = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [TABLE])
        (size,) = cursor.fetchone()
    result = {
        "records": count,
        "approved": approved,
        "templates": data.templates,
        "facilities": len(data.facilities),
        "table_size": size,
        "postgresql": connection.pg_version,
        "python": platform.python_version(),
        "generation_seconds": {k: round(v, 2) for k, v in data.timings.items()}
        | {"total": round(data.seconds, 2)},
        "method": f"median of {RUNS} runs after {WARM_UPS} warm-ups; Django test Client",
        "goal_ms": GOAL_MS,
        "pages": pages,
        "yearly_balance": {
            "median_ms": round(balance_ms, 1),
            "floor_ms": round(balance_floor_ms, 1),
            "ratio": round(balance_ms / balance_floor_ms, 2),
        },
        "after_a_change_to_the_year_ms": after_change,
        "nothing_remembered_ms": cold,
    }
    result["run"] = RUN
    facilities = len(data.facilities)
    reference = same_run_reference(facilities) if count > REFERENCE_RECORDS else None
    if reference is not None:
        result["against_1m_same_run"] = {
            name: round(row["median_ms"] / reference["pages"][name]["median_ms"], 2)
            for name, row in pages.items()
        }
    out = settings.BASE_DIR / "var" / output_name(count, facilities)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out.parent / "bench-explain.txt").write_text("\n".join(explained), encoding="utf-8")
    (out.parent / "bench-profile.txt").write_text("\n".join(profiled), encoding="utf-8")

    lines = [
        f"Dashboard pages — PostgreSQL {connection.pg_version // 10000}, {count:,} records "
        f"({approved:,} approved), {len(data.facilities)} facilities, table {size}; "
        f"generated in {data.seconds:.1f} s",
        "",
        f"{'page':<17} {'median ms':>10} {'floor ms':>9} {'ratio':>6} {'queries':>8} {'SQL ms':>7}"
        f" {'scans':>6}",
    ]
    for name, row in pages.items():
        lines.append(
            f"{name:<17} {row['median_ms']:>10.1f} {row['floor_ms']:>9.1f} "
            f"{row['ratio']:>6.2f} {row['queries']:>8} {row['sql_ms']:>7.1f} "
            f"{row['records_scans']:>6}"
        )
    lines.append(
        f"{'yearly_balance()':<17} {balance_ms:>10.1f} {balance_floor_ms:>9.1f} "
        f"{balance_ms / balance_floor_ms:>6.2f}"
    )
    lines += [
        "",
        f"First request after a change to {YEAR} / with nothing remembered (market-based "
        "Scope 2 computed again for that year / for every year):",
    ]
    lines += [f"{name:<17} {ms:>10.1f} {cold[name]:>9.1f}" for name, ms in after_change.items()]
    print("\n" + "\n".join(lines) + f"\n(written to {out})")

    if reference is not None:
        print("At 10M / at 1M of this run: " + json.dumps(result["against_1m_same_run"]))
    elif count > REFERENCE_RECORDS:
        print(f"No 1M run of this run ({RUN or 'KEHUI_BENCH_RUN unset'}) to compare with.")
    if count == REFERENCE_RECORDS and facilities != DEFAULT_FACILITIES:
        return  # the reference of a larger run (make bench SCALE=10m): no goals of its own
    if count > REFERENCE_RECORDS:
        over = larger_run_over_goal(pages, result.get("against_1m_same_run"))
    else:
        over = [
            f"{name}: {row['median_ms']:.0f} ms (floor {row['floor_ms']:.0f} ms)"
            for name, row in pages.items()
            if row["median_ms"] >= GOAL_MS or row["median_ms"] > row["floor_ms"]
        ]
    over += [
        f"{name} after a change to {YEAR}: {ms:.0f} ms"
        for name, ms in after_change.items()
        if ms >= GOAL_MS
    ]
    over += [
        f"{name}, nothing remembered: {ms:.0f} ms" for name, ms in cold.items() if ms >= GOAL_MS
    ]
    over += [
        f"{name}: {row['records_scans']} sequential scan(s) of {TABLE}"
        for name, row in pages.items()
        if row["records_scans"]
    ]
    assert not over, (
        f"Goal at {count:,} records: every page under {GOAL_MS} ms, "
        + (
            f"the filtered ledger under {INDEX_LOOKUP_GOAL_MS} ms, within {SCALE_GOAL}× its "
            "time at 1M in the same run"
            if count > REFERENCE_RECORDS
            else "no slower than its floor"
        )
        + ". Over goal: "
        + "; ".join(over)
    )


def output_name(records: int, facilities: int) -> str:
    """bench.json for the default data set; others beside it, named by their size."""
    if (records, facilities) == (REFERENCE_RECORDS, DEFAULT_FACILITIES):
        return "bench.json"
    return f"bench-{records}-{facilities}-facilities.json"


def same_run_reference(facilities: int) -> dict | None:
    """The 1M run with the same facilities that this `make bench` run made first, if any."""
    path = settings.BASE_DIR / "var" / output_name(REFERENCE_RECORDS, facilities)
    if not RUN or not path.exists():
        return None
    reference = json.loads(path.read_text(encoding="utf-8"))
    return reference if reference.get("run") == RUN else None


def larger_run_over_goal(pages: dict, against_1m: dict | None) -> list[str]:
    """Issue 22's goals past 1M: the time of a page does not grow with the records.

    Under 150 ms (an index-lookup page, the filtered ledger, under 50 ms) and within 1.2× the
    same page at 1M in the same run; the "no slower than the floor" rule is not applied.
    """
    over = []
    for name, row in pages.items():
        goal = INDEX_LOOKUP_GOAL_MS if name in INDEX_LOOKUP_PAGES else GOAL_MS
        if row["median_ms"] >= goal:
            over.append(f"{name}: {row['median_ms']:.0f} ms (goal {goal} ms)")
    if against_1m is None:
        over.append("no 1M run of this run to compare with (make bench SCALE=10m makes one)")
    else:
        over += [
            f"{name}: {ratio}× its time at 1M"
            for name, ratio in against_1m.items()
            if ratio > SCALE_GOAL
        ]
    return over
