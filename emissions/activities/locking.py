"""Activity records and locked reporting years (emissions/facilities/periods.py).

A record of a locked year is neither created, edited nor deleted, and set-based
recalculations pass it by: a verified inventory does not change.
"""

from django.db.models import QuerySet

from emissions.facilities import periods
from emissions.facilities.models import ReportingYearLock

from .models import ActivityRecord


def assert_record_open(record: ActivityRecord) -> None:
    """Refuse (ValidationError) a record whose new year, or whose year until now, is locked."""
    new_year = getattr(record.period_start, "year", None)  # None, or not yet a valid date
    if record.pk is None:
        periods.assert_open(new_year)
        return
    # The year it has in the database: moving a record out of a locked year changes that year.
    stored = ActivityRecord.objects.filter(pk=record.pk).values("year")
    periods.assert_open(new_year, among=stored)


def assert_records_open(records: QuerySet) -> None:
    """Refuse (ValidationError) when any of these records lies in a locked year; one query."""
    periods.assert_open(among=records.order_by().values("year"))


def open_records(records: QuerySet) -> QuerySet:
    """The records of open years only: what a recalculation may rewrite."""
    # A subquery rather than the years themselves: the UPDATE it filters is one statement.
    locked = ReportingYearLock.objects.filter(unlocked_at__isnull=True).values("year")
    return records.exclude(year__in=locked)
