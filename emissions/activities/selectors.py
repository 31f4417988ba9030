"""Totals of stored emissions, aggregated in the database, in tonnes CO2e."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from .models import ActivityRecord, MonthRollup

KG_PER_TONNE = Decimal(1000)


def to_tonnes(kg: Decimal | None) -> Decimal:
    return (kg or Decimal(0)) / KG_PER_TONNE


@dataclass(frozen=True)
class Total:
    key: tuple
    tco2e: Decimal
    biogenic_tco2: Decimal


def _totals(records: QuerySet, *group_by: str) -> list[Total]:
    rows = (
        records.order_by()
        .values(*group_by)
        .annotate(kg=Sum("co2e_kg"), biogenic_kg=Sum("biogenic_co2_kg"))
        .order_by(*group_by)
    )
    return [
        Total(
            key=tuple(row[name] for name in group_by),
            tco2e=to_tonnes(row["kg"]),
            biogenic_tco2=to_tonnes(row["biogenic_kg"]),
        )
        for row in rows
    ]


def records_for(*, years=None, facility_ids=None, approved_only=False) -> QuerySet:
    """The records a total counts: approved and pending ones, or approved ones only.

    Rejected records never count; the dashboard shows approved and pending together (saying
    how much is pending), the inventory report approved ones only.
    """
    return counted_rows(
        ActivityRecord.objects.all(),
        years=years,
        facility_ids=facility_ids,
        approved_only=approved_only,
    )


def counted_rows(rows: QuerySet, *, years, facility_ids, approved_only) -> QuerySet:
    """Records, or rollup rows of records, narrowed as `records_for` says."""
    rows = rows.approved() if approved_only else rows.counted()
    if years is not None:
        rows = rows.filter(year__in=years)
    if facility_ids is not None:
        rows = rows.filter(facility_id__in=facility_ids)
    return rows


def totals_by_year(records: QuerySet | None = None) -> list[Total]:
    return _totals(records if records is not None else records_for(), "year")


def totals_by_year_and_scope(records: QuerySet | None = None) -> list[Total]:
    return _totals(records if records is not None else records_for(), "year", "scope")


def totals_by_year_and_category(records: QuerySet | None = None) -> list[Total]:
    return _totals(records if records is not None else records_for(), "year", "category")


def totals_by_year_and_facility(records: QuerySet | None = None) -> list[Total]:
    return _totals(records if records is not None else records_for(), "year", "facility")


def totals_by_month(records: QuerySet | None = None) -> list[Total]:
    return _totals(records if records is not None else records_for(), "year", "month")


def years_with_records() -> list[int]:
    """Every year that has activity records, oldest first (one query, on the rollup).

    A rollup row exists exactly while records of its key exist (rollup_sql.py), rejected ones
    included, as when this read the records themselves.
    """
    return list(MonthRollup.objects.order_by("year").values_list("year", flat=True).distinct())
