"""The triggers that keep RecordRollup and MonthRollup equal to the sums of activity records.

Why triggers and not Python: records are written by forms, the admin, an import's COPY, the
review workflow's set-based UPDATEs and the recalculation's set-based UPDATEs; a trigger sees
every one of them, in the writing transaction, so a page never reads a rollup that disagrees
with the records it sums.

- PostgreSQL: one statement-level trigger per INSERT, UPDATE and DELETE, reading the
  statement's transition tables. A recalculation of a million records becomes one grouped
  upsert of the differences, not a million row-level upserts. Rows are upserted in key order,
  so two transactions touching the same keys wait for each other instead of deadlocking.
- SQLite (the embedded development database): row-level triggers; its data sets are small.

A row whose record count falls to zero is deleted, so a rollup row exists exactly while
records of its key exist. `rebuild()` recomputes both tables from the records (`manage.py
rollups --rebuild`).

Migrations never import this module: each runs a frozen copy of the SQL it installs (0009).
A change here ships as a new migration that drops the triggers and installs its own frozen
copy; tests/activities/test_rollup_schema.py fails until the migrated triggers match.
"""

from dataclasses import dataclass

RECORDS = "activities_activityrecord"


@dataclass(frozen=True)
class Rollup:
    table: str
    key: tuple[str, ...]
    sums: tuple[str, ...]  # record columns summed under the same name
    # Key columns that may be NULL: compared with IS, and NULLS NOT DISTINCT in the unique key.
    nullable: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, "record_count", *self.sums)


RECORD_ROLLUP = Rollup(
    table="activities_recordrollup",
    key=(
        "year",
        "facility_id",
        "activity_type_id",
        "scope",
        "category",
        "status",
        "data_quality",
        "factor_id",
        "other_gas_id",
    ),
    sums=(
        "co2_kg",
        "ch4_kg",
        "n2o_kg",
        "other_gas_kg",
        "published_co2e_kg",
        "biogenic_co2_kg",
        "co2e_kg",
        "electricity_kwh",
        "factor_quantity",
    ),
    nullable=("factor_id", "other_gas_id"),
)

MONTH_ROLLUP = Rollup(
    table="activities_monthrollup",
    key=("year", "month", "facility_id", "status"),
    sums=("co2e_kg",),
)

ROLLUPS = (RECORD_ROLLUP, MONTH_ROLLUP)
TRIGGER_EVENTS = ("insert", "update", "delete")


def _summed(column: str, source: str, sign: str = "") -> str:
    # electricity_kwh is NULL for records that are not electricity, factor_quantity for records
    # without a factor; the rollup sums them as 0.
    return f"{sign}coalesce({source}.{column}, 0)"


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_delta(rollup: Rollup, event: str) -> str:
    """The statement's change to the sums, one signed row per affected record."""
    parts = []
    if event in ("insert", "update"):
        parts.append(("new_rows", ""))
    if event in ("delete", "update"):
        parts.append(("old_rows", "-"))
    selects = [
        "SELECT "
        + ", ".join(
            [f"r.{c}" for c in rollup.key]
            + [f"{sign}1 AS record_count"]
            + [f"{_summed(c, 'r', sign)} AS {c}" for c in rollup.sums]
        )
        + f" FROM {table} r"
        for table, sign in parts
    ]
    return " UNION ALL ".join(selects)


def _pg_upsert(rollup: Rollup, event: str) -> str:
    key = ", ".join(rollup.key)
    totals = ", ".join(f"sum({c})" for c in ("record_count", *rollup.sums))
    # A statement that changed nothing a key sums (a note edited, a recalculation to the same
    # values) writes nothing for that key.
    changed = " OR ".join(f"sum({c}) <> 0" for c in ("record_count", *rollup.sums))
    updates = ", ".join(
        f"{c} = {rollup.table}.{c} + excluded.{c}" for c in ("record_count", *rollup.sums)
    )
    return (
        f"INSERT INTO {rollup.table} ({', '.join(rollup.columns)}) "
        f"SELECT {key}, {totals} FROM ({_pg_delta(rollup, event)}) AS delta "
        f"GROUP BY {key} HAVING {changed} ORDER BY {key} "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}; "
        f"DELETE FROM {rollup.table} WHERE record_count = 0;"
    )


def _pg_function(event: str) -> str:
    return f"activities_rollup_{event}"


def postgresql_install() -> list[str]:
    statements = [
        f"CREATE UNIQUE INDEX {rollup.table}_key ON {rollup.table} ({', '.join(rollup.key)})"
        + (" NULLS NOT DISTINCT" if rollup.nullable else "")
        for rollup in ROLLUPS
    ]
    for event in TRIGGER_EVENTS:
        body = " ".join(_pg_upsert(rollup, event) for rollup in ROLLUPS)
        statements.append(
            f"CREATE FUNCTION {_pg_function(event)}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END; $$"
        )
        transition = {
            "insert": "NEW TABLE AS new_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
        }[event]
        statements.append(
            f"CREATE TRIGGER {_pg_function(event)} AFTER {event.upper()} ON {RECORDS} "
            f"REFERENCING {transition} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {_pg_function(event)}()"
        )
    emptied = " ".join(f"DELETE FROM {rollup.table};" for rollup in ROLLUPS)
    statements += [
        f"CREATE FUNCTION activities_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {emptied} RETURN NULL; END; $$",
        f"CREATE TRIGGER activities_rollup_truncate AFTER TRUNCATE ON {RECORDS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION activities_rollup_truncate()",
    ]
    return statements


def postgresql_uninstall() -> list[str]:
    statements = []
    for name in [*map(_pg_function, TRIGGER_EVENTS), "activities_rollup_truncate"]:
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {RECORDS}",
            f"DROP FUNCTION IF EXISTS {name}()",
        ]
    statements += [f"DROP INDEX IF EXISTS {rollup.table}_key" for rollup in ROLLUPS]
    return statements


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_matches(rollup: Rollup, row: str) -> str:
    return " AND ".join(
        f"{c} IS {row}.{c}" if c in rollup.nullable else f"{c} = {row}.{c}" for c in rollup.key
    )


def _sqlite_add(rollup: Rollup, row: str) -> str:
    updates = ", ".join(
        ["record_count = record_count + 1"]
        + [f"{c} = {c} + {_summed(c, row)}" for c in rollup.sums]
    )
    values = ", ".join(
        [f"{row}.{c}" for c in rollup.key] + ["1"] + [_summed(c, row) for c in rollup.sums]
    )
    matches = _sqlite_matches(rollup, row)
    return (
        f"UPDATE {rollup.table} SET {updates} WHERE {matches}; "
        f"INSERT INTO {rollup.table} ({', '.join(rollup.columns)}) SELECT {values} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {rollup.table} WHERE {matches});"
    )


def _sqlite_subtract(rollup: Rollup, row: str) -> str:
    updates = ", ".join(
        ["record_count = record_count - 1"]
        + [f"{c} = {c} - {_summed(c, row)}" for c in rollup.sums]
    )
    matches = _sqlite_matches(rollup, row)
    return (
        f"UPDATE {rollup.table} SET {updates} WHERE {matches}; "
        f"DELETE FROM {rollup.table} WHERE record_count = 0 AND {matches};"
    )


def sqlite_install() -> list[str]:
    statements = []
    for event in TRIGGER_EVENTS:
        steps = []
        for rollup in ROLLUPS:
            if event in ("delete", "update"):
                steps.append(_sqlite_subtract(rollup, "OLD"))
            if event in ("insert", "update"):
                steps.append(_sqlite_add(rollup, "NEW"))
        statements.append(
            f"CREATE TRIGGER activities_rollup_{event} AFTER {event.upper()} ON {RECORDS} "
            f"FOR EACH ROW BEGIN {' '.join(steps)} END"
        )
    return statements


def sqlite_uninstall() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS activities_rollup_{event}" for event in TRIGGER_EVENTS]


# --- Both -------------------------------------------------------------------------------------


def install(connection) -> None:
    statements = {"postgresql": postgresql_install, "sqlite": sqlite_install}[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements():
            cursor.execute(statement)


def uninstall(connection) -> None:
    statements = {"postgresql": postgresql_uninstall, "sqlite": sqlite_uninstall}[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements():
            cursor.execute(statement)


def rebuild(connection, rollups=ROLLUPS) -> None:
    """Recompute the rollups (both unless named) from the records, in the caller's transaction."""
    with connection.cursor() as cursor:
        for rollup in rollups:
            key = ", ".join(rollup.key)
            totals = ", ".join(["count(*)"] + [f"sum({_summed(c, RECORDS)})" for c in rollup.sums])
            cursor.execute(f"DELETE FROM {rollup.table}")
            cursor.execute(
                f"INSERT INTO {rollup.table} ({', '.join(rollup.columns)}) "
                f"SELECT {key}, {totals} FROM {RECORDS} GROUP BY {key}"
            )
