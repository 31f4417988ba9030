"""Recalculate stored emissions after a factor, a GWP or the GWP basis changed — set-based.

One UPDATE per changed factor rewrites the per-gas kg of all its records; one UPDATE per gas
rewrites CO2e; one INSERT … SELECT writes the new state of every touched record into its
history table. No Python loop over records: a million rows stay a handful of statements.

Records of locked reporting years are passed by (`open_records`, applied by each of the three
entry points below): a verified inventory keeps the factors and GWPs it was verified with.
"""

import time
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DecimalField, F, Max, Min, QuerySet, Value
from django.db.models.functions import Round
from django.utils import timezone

from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor
from emissions.factors.selectors import METHANE_CODE, NITROUS_OXIDE_CODE, gwp_values
from emissions.jobs import progress

from .locking import open_records
from .models import KG, ActivityRecord, RecalculationRun

KG_FIELD = DecimalField(**KG)
# The columns a calculation fills in, which choosing factors again rewrites. Scope and category
# too: they are the type's, and a type's category can be corrected.
CALCULATED_FIELDS = [
    "scope", "category",
    "factor", "factor_region_match", "factor_year_match", "factor_quantity", "gwp_basis",
    "co2_kg", "ch4_kg", "n2o_kg", "other_gas", "other_gas_kg", "published_co2e_kg",
    "biogenic_co2_kg", "co2e_kg", "electricity_kwh", "calculated_at",
]  # fmt: skip
CHANGED = "~"  # simple-history's code for an update


def _kg(expression):
    return Round(expression, 6, output_field=KG_FIELD)


def _per_unit(value):
    return Value(value if value is not None else 0, output_field=KG_FIELD)


@transaction.atomic
def recalculate_factor_records(factor_ids, *, reason: str = "") -> int:
    """Rewrite per-gas kg and CO2e of every record that used one of these factors.

    One UPDATE per factor sets the gases and CO2e together: a second pass over the same rows
    would double the write volume and queue a foreign-key check per row until COMMIT
    (measured: 17 s instead of 39-47 s for 650,000 records, docs/benchmarks.md).
    """
    organisation = Organisation.current()
    if organisation is None:
        return 0
    gwp = gwp_values(organisation.gwp_basis)
    updated = 0
    factors = list(EmissionFactor.objects.filter(pk__in=factor_ids))
    plans = [
        (factor, open_records(ActivityRecord.objects.filter(factor=factor))) for factor in factors
    ]
    counts = [records.count() for _factor, records in plans]
    total = sum(counts)
    for (factor, records), expected in zip(plans, counts, strict=True):
        if not expected:
            continue
        started = time.perf_counter()
        started_at = timezone.now()
        gases = {
            name: _kg(F("factor_quantity") * _per_unit(getattr(factor, name)))
            for name in ("co2_kg", "ch4_kg", "n2o_kg", "biogenic_co2_kg", "co2e_kg")
        }
        # Factor-based records carry no other gas; CO2e from the freshly rounded gases, as
        # calculation.co2e_kg does it.
        co2e = _kg(
            gases["co2_kg"]
            + gases["ch4_kg"] * _per_unit(gwp[METHANE_CODE])
            + gases["n2o_kg"] * _per_unit(gwp[NITROUS_OXIDE_CODE])
            + gases["co2e_kg"]
        )
        now = timezone.now()
        why = reason or f"Factor {factor.key} changed"
        count = 0
        for chunk in id_chunks(records):
            changed = chunk.update(
                co2_kg=gases["co2_kg"],
                ch4_kg=gases["ch4_kg"],
                n2o_kg=gases["n2o_kg"],
                biogenic_co2_kg=gases["biogenic_co2_kg"],
                published_co2e_kg=gases["co2e_kg"],
                co2e_kg=co2e,
                gwp_basis=organisation.gwp_basis,
                calculated_at=now,
            )
            if changed:
                snapshot_history(chunk, reason=why, when=now)
            count += changed
            progress.report(updated + count, total)
        if count:
            _log(why, started, started_at, count, factor=factor)
        updated += count
    progress.report(total, total)
    return updated


@transaction.atomic
def recalculate_co2e(records: QuerySet | None = None, *, reason: str = "") -> int:
    """Rewrite CO2e (and the GWP basis) from stored per-gas kg with the organisation's GWPs."""
    started = time.perf_counter()
    started_at = timezone.now()
    records = open_records(ActivityRecord.objects.all() if records is None else records)
    why = reason or "GWP values or basis changed"
    count = _update_co2e(records, why)
    if count:
        _log(why, started, started_at, count)
    return count


def _update_co2e(records: QuerySet, reason: str) -> int:
    organisation = Organisation.current()
    if organisation is None:
        return 0
    gwp = gwp_values(organisation.gwp_basis)

    def co2e(other_gwp):
        return _kg(
            F("co2_kg")
            + F("ch4_kg") * _per_unit(gwp[METHANE_CODE])
            + F("n2o_kg") * _per_unit(gwp[NITROUS_OXIDE_CODE])
            + F("other_gas_kg") * _per_unit(other_gwp)
            + F("published_co2e_kg")
        )

    now = timezone.now()
    common = {"gwp_basis": organisation.gwp_basis, "calculated_at": now}
    other_gwp = {}
    for code in sorted(
        set(records.filter(other_gas__isnull=False).values_list("other_gas__code", flat=True))
    ):
        if code not in gwp:
            raise ValueError(f"{code} has no {organisation.gwp_basis} GWP in the gas table.")
        other_gwp[code] = gwp[code]
    total = records.count()
    updated = 0
    for chunk in id_chunks(records):
        updated += chunk.filter(other_gas__isnull=True).update(co2e_kg=co2e(0), **common)
        for code, value in other_gwp.items():
            updated += chunk.filter(other_gas__code=code).update(co2e_kg=co2e(value), **common)
        snapshot_history(chunk, reason=reason, when=now)
        progress.report(min(updated, total), total)
    progress.report(total, total)
    return updated


# Statements run on slices of this many consecutive ids: at a million records each takes a
# second or two, so a job reports its progress between them (at least every 5 s,
# docs/performance.md) and no single statement holds the table for long.
CHUNK_IDS = 50_000


def id_chunks(records: QuerySet, size: int = CHUNK_IDS) -> Iterator[QuerySet]:
    """The records in slices of consecutive ids (one query for the bounds)."""
    bounds = records.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, size):
        yield records.filter(pk__gte=start, pk__lt=start + size)


def snapshot_history(
    records: QuerySet, *, reason: str, when, history_type: str = CHANGED, user_id=None
) -> None:
    """Copy the records' current state into their history table in one INSERT … SELECT.

    `history_type` is simple-history's "+" (created), "~" (changed) or "-" (deleted).
    """
    history = ActivityRecord.history.model
    quote = connection.ops.quote_name
    record_columns = {field.column for field in ActivityRecord._meta.concrete_fields}
    extra = {
        "history_date": when,
        "history_type": history_type,
        "history_change_reason": reason[:100],
        "history_user_id": user_id,
    }
    columns, selects, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.column in record_columns:
            columns.append(quote(field.column))
            selects.append(f"r.{quote(field.column)}")
        elif field.column in extra:
            columns.append(quote(field.column))
            selects.append("%s")
            params.append(extra[field.column])
    ids_sql, ids_params = records.order_by().values("pk").query.sql_with_params()
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {quote(ActivityRecord._meta.db_table)} r "
        f"WHERE r.{quote('id')} IN ({ids_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids_params])


def _log(reason, started, started_at, count, *, factor=None) -> None:
    organisation = Organisation.current()
    RecalculationRun.objects.create(
        reason=reason[:300],
        factor=factor,
        gwp_basis=organisation.gwp_basis if organisation else "",
        records_updated=count,
        started_at=started_at,
        seconds=Decimal(f"{time.perf_counter() - started:.3f}"),
    )


def reselect_factors(records: QuerySet | None = None, *, batch_size: int = 2000) -> int:
    """Choose the records' factors again (all records by default); return how many changed.

    Selection is a rule per record (region chain, year, unit), so this one is row by row in
    batches; it is needed only when factors are added or the organisation's series changes.
    """
    from .calculation import RecordCalculator

    records = open_records(ActivityRecord.objects.all() if records is None else records)
    # Nothing to choose for: no calculator, which would need an organisation profile (loading
    # the activity types again into a database without one changes no record).
    if not records.exists():
        return 0
    calculator = RecordCalculator()
    changed = 0
    records = records.select_related("facility", "activity_type", "other_gas", "purchased_product")
    batch, done, total = [], 0, records.count()
    with transaction.atomic():
        for record in records.order_by("pk").iterator(chunk_size=batch_size):
            before = record.factor_id
            calculator.calculate(record)
            changed += record.factor_id != before
            batch.append(record)
            if len(batch) >= batch_size:
                ActivityRecord.objects.bulk_update(batch, CALCULATED_FIELDS)
                done += len(batch)
                batch = []
                progress.report(done, total)
        if batch:
            ActivityRecord.objects.bulk_update(batch, CALCULATED_FIELDS)
        snapshot_history(records, reason="Factors re-selected", when=timezone.now())
    return changed
