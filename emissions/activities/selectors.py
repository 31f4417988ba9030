"""Which records a total counts, and the years that have records (totals in tonnes CO2e)."""

from decimal import Decimal

from django.db.models import QuerySet

from .models import ActivityRecord, MonthRollup

KG_PER_TONNE = Decimal(1000)


def to_tonnes(kg: Decimal | None) -> Decimal:
    return (kg or Decimal(0)) / KG_PER_TONNE


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


def years_with_records() -> list[int]:
    """Every year that has activity records, oldest first (one query, on the rollup).

    A rollup row exists exactly while records of its key exist (rollup_sql.py), rejected ones
    included, as when this read the records themselves.
    """
    return list(MonthRollup.objects.order_by("year").values_list("year", flat=True).distinct())
