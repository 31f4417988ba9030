"""Reading the rollups, and proving they equal the records they sum.

The rollups are written only by database triggers (rollup_sql.py). The dashboard reads its
totals from them, so that a page sums tens of thousands of rollup rows, not millions of records.
"""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from emissions.jobs import progress

from . import rollup_sql
from .models import ActivityRecord, MonthRollup, RecordRollup
from .selectors import counted_rows


def rollup_for(*, years=None, facility_ids=None, approved_only=False) -> QuerySet:
    """RecordRollup rows of the records `selectors.records_for` would select, same arguments."""
    return counted_rows(
        RecordRollup.objects.all(),
        years=years,
        facility_ids=facility_ids,
        approved_only=approved_only,
    )


def months_for(*, years=None, facility_ids=None, approved_only=False) -> QuerySet:
    """MonthRollup rows of the records `selectors.records_for` would select, same arguments."""
    return counted_rows(
        MonthRollup.objects.all(),
        years=years,
        facility_ids=facility_ids,
        approved_only=approved_only,
    )


# --- Proof ------------------------------------------------------------------------------------

MODELS = {rollup_sql.RECORD_ROLLUP: RecordRollup, rollup_sql.MONTH_ROLLUP: MonthRollup}


def _field(column: str) -> str:
    return column.removesuffix("_id")


def _raw_sums(rollup) -> dict[tuple, tuple]:
    key = [_field(c) for c in rollup.key]
    sums = {c: Coalesce(Sum(c), Decimal(0)) for c in rollup.sums}
    rows = ActivityRecord.objects.order_by().values(*key).annotate(n=Count("pk"), **sums)
    return {tuple(row[c] for c in key): (row["n"], *(row[c] for c in rollup.sums)) for row in rows}


def _rollup_sums(rollup) -> dict[tuple, tuple]:
    key = [_field(c) for c in rollup.key]
    rows = MODELS[rollup].objects.values(*key, "record_count", *rollup.sums)
    return {
        tuple(row[c] for c in key): (row["record_count"], *(row[c] for c in rollup.sums))
        for row in rows
    }


def mismatches() -> list[str]:
    """Every key where a rollup differs from the sums of the records (none when all is well)."""
    problems = []
    for rollup in rollup_sql.ROLLUPS:
        expected, stored = _raw_sums(rollup), _rollup_sums(rollup)
        for key in sorted(expected.keys() | stored.keys(), key=str):
            if expected.get(key) != stored.get(key):
                problems.append(
                    f"{rollup.table} {key}: records {expected.get(key)}, rollup {stored.get(key)}"
                )
    return problems


def rebuild() -> None:
    """Recompute both rollups from the records in one transaction, reporting each one done."""
    steps = len(rollup_sql.ROLLUPS)
    with transaction.atomic():
        progress.report(0, steps)
        for done, rollup in enumerate(rollup_sql.ROLLUPS, start=1):
            rollup_sql.rebuild(connection, [rollup])
            # Seen on the Jobs page when a job rebuilds (nothing otherwise).
            progress.report(done, steps)
