"""The completeness grid: each expected stream's periods of a year, set against the records.

A period (a month, or the year for a yearly stream) is due on the stream's due day of the
month after it. Its state:

- received: records (not rejected) cover it, submitted for review by the due day (or entered
  without the review workflow, by a load or an administrator, which leaves no date to judge);
- late: records cover it but the first was submitted after the due day, or they are still
  drafts when the due day has passed;
- estimated: every record covering it was entered with data quality "estimated";
- missing: nothing covers it and the due day has passed;
- not due: nothing yet, and the due day is still ahead.

A record covers every period its dates overlap (a quarterly invoice covers three months). The
share received is the periods with data (received, late or estimated) among those due by
today. For a missing period the tonnes are estimated from the same period of the year before
(the records overlapping it, each counted by the share of its days inside it): an estimate
shown beside the grid, never added to any figure.
"""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emissions.factors.calculation import round_kg
from emissions.neutrality.inventory import StreamPeriod, kg_to_t, percent, stream_periods

from .models import ExpectedStream, Frequency

ZERO = Decimal(0)


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    LATE = "late", _("Late")
    ESTIMATED = "estimated", _("Estimated")
    MISSING = "missing", _("Missing")
    NOT_DUE = "not_due", _("Not due yet")
    # Outside the stream's dates (before it starts or after it ends).
    NOT_EXPECTED = "not_expected", _("Not expected")


WITH_DATA = {State.RECEIVED, State.LATE, State.ESTIMATED}


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def overlap_days(self, start: dt.date, end: dt.date) -> int:
        return max(0, (min(end, self.last_day) - max(start, self.first_day)).days + 1)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_period(year: int, month: int) -> Period:
    return Period(dt.date(year, month, 1), _last_day(year, month))


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def due_on(period: Period, due_day: int) -> dt.date:
    """The due day of the month after the period."""
    after = period.last_day + dt.timedelta(days=1)
    return after.replace(day=due_day)


@dataclass(frozen=True)
class PeriodCell:
    """One period of one stream: its state, due date, the records' kg, and for a missing
    period the estimate from the year before (None when that year has nothing either)."""

    period: Period
    state: str
    due_on: dt.date
    kg: Decimal = ZERO
    records: int = 0
    estimate_kg: Decimal | None = None

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def is_due(self) -> bool:
        return self.state not in (State.NOT_DUE, State.NOT_EXPECTED)


@dataclass(frozen=True)
class StreamRow:
    stream: ExpectedStream
    cells: list[PeriodCell]

    @property
    def estimate_kg(self) -> Decimal | None:
        """The missing periods' estimates; None when none of them could be estimated."""
        estimates = [c.estimate_kg for c in self.cells if c.estimate_kg is not None]
        return sum(estimates, ZERO) if estimates else None

    def count(self, *states) -> int:
        return sum(1 for cell in self.cells if cell.state in states)


@dataclass
class Completeness:
    year: int
    today: dt.date
    rows: list[StreamRow] = field(default_factory=list)

    def count(self, *states) -> int:
        return sum(row.count(*states) for row in self.rows)

    @property
    def due(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.is_due)

    @property
    def with_data(self) -> int:
        return self.count(*WITH_DATA)

    @property
    def share_pct(self) -> Decimal | None:
        """Periods with data among those due by today, in per cent (one decimal)."""
        return percent(Decimal(self.with_data), Decimal(self.due))

    @property
    def missing(self) -> int:
        return self.count(State.MISSING)

    @property
    def late(self) -> int:
        return self.count(State.LATE)

    @property
    def estimated(self) -> int:
        return self.count(State.ESTIMATED)

    @property
    def estimate_kg(self) -> Decimal:
        """Tonnes of the missing periods, estimated from a year earlier (kg)."""
        return sum((row.estimate_kg or ZERO for row in self.rows), ZERO)

    @property
    def estimate_t(self) -> Decimal:
        return kg_to_t(self.estimate_kg)


def expected_streams(*, facility=None, owner=None):
    streams = ExpectedStream.objects.select_related("facility", "activity_type", "owner")
    if facility is not None:
        streams = streams.filter(facility=facility)
    if owner is not None:
        streams = streams.filter(owner=owner)
    return list(streams.order_by("facility__code", "activity_type__name", "pk"))


def completeness(
    year: int, *, facility=None, owner=None, today: dt.date | None = None
) -> Completeness:
    """The year's grid for every expected stream (of one facility or one owner): two queries,
    the streams and the records of the year and the year before grouped by period."""
    today = today or timezone.localdate()
    streams = expected_streams(facility=facility, owner=owner)
    result = Completeness(year=year, today=today)
    if not streams:
        return result
    periods = stream_periods(
        [year - 1, year],
        {stream.facility_id for stream in streams},
        {stream.activity_type_id for stream in streams},
    )
    by_stream: dict[tuple[int, int], list[StreamPeriod]] = defaultdict(list)
    for row in periods:
        by_stream[row.facility_id, row.activity_type_id].append(row)
    for stream in streams:
        records = by_stream[stream.facility_id, stream.activity_type_id]
        result.rows.append(StreamRow(stream, _cells(stream, year, records, today)))
    return result


def _periods(stream: ExpectedStream, year: int) -> list[Period]:
    if stream.frequency == Frequency.YEARLY:
        return [year_period(year)]
    return [month_period(year, month) for month in range(1, 13)]


def _expected(stream: ExpectedStream, period: Period) -> bool:
    starts = stream.starts_on <= period.last_day
    continues = stream.ends_on is None or stream.ends_on >= period.first_day
    return starts and continues


def _cells(stream, year, records: list[StreamPeriod], today) -> list[PeriodCell]:
    cells = []
    for period in _periods(stream, year):
        due = due_on(period, stream.due_day)
        if not _expected(stream, period):
            cells.append(PeriodCell(period, State.NOT_EXPECTED, due))
            continue
        covering = [r for r in records if period.overlap_days(r.period_start, r.period_end) > 0]
        if not covering:
            state = State.MISSING if due < today else State.NOT_DUE
            estimate = _last_year(period, records) if state == State.MISSING else None
            cells.append(PeriodCell(period, state, due, estimate_kg=estimate))
            continue
        count = sum(r.records for r in covering)
        kg = sum((_share(r, period) for r in covering), ZERO)
        cells.append(PeriodCell(period, _state(covering, count, due, today), due, kg, count))
    return cells


def _state(covering: list[StreamPeriod], count: int, due: dt.date, today: dt.date) -> str:
    if sum(r.estimated for r in covering) == count:
        return State.ESTIMATED
    submitted = [r.first_submitted_at for r in covering if r.first_submitted_at is not None]
    if submitted:
        first = timezone.localdate(min(submitted))
        return State.RECEIVED if first <= due else State.LATE
    if sum(r.drafts for r in covering) == count:
        # Entered but never submitted: received while the due day is still ahead.
        return State.RECEIVED if today <= due else State.LATE
    # Loaded or approved without the review workflow: no date to judge it late by.
    return State.RECEIVED


def _share(record: StreamPeriod, period: Period) -> Decimal:
    """The part of a record's kg that falls in the period, by days (all of it when inside)."""
    days = (record.period_end - record.period_start).days + 1
    inside = period.overlap_days(record.period_start, record.period_end)
    if inside == days:
        return record.kg
    return round_kg(record.kg * inside / days)


def _last_year(period: Period, records: list[StreamPeriod]) -> Decimal | None:
    # Periods are whole months or a whole year: the same months a year earlier.
    first, last = period.first_day, period.last_day
    before = Period(dt.date(first.year - 1, first.month, 1), _last_day(last.year - 1, last.month))
    covering = [r for r in records if before.overlap_days(r.period_start, r.period_end) > 0]
    if not covering:
        return None
    return sum((_share(r, before) for r in covering), ZERO)
