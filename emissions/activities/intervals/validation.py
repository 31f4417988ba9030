"""Checking an interval file row by row, and summing its readings into meter-days.

Nothing here writes. The readings are summed into their hour as they are read, so what is
held is one small record per meter and day (a presence byte per quarter hour and 24 sums in
Wh: about 500 bytes), not the file's rows: a year of 50 meters holds 18,250 of them.
"""

import datetime as dt
from array import array
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility

from ..imports.reading import quoted
from ..imports.validation import PROBLEMS_SHOWN, Problem
from .reading import (
    METER_CHARS,
    SLOTS_PER_DAY,
    WATT_HOURS,
    TimestampError,
    column_map,
    parse_start,
    parse_watt_hours,
    rows,
)

# Distinct start texts remembered (a year has 35,136 quarter hours at most): a file of
# millions of distinct bad timestamps must not grow the cache without bound.
STARTS_CACHED = 200_000


class MeterDayReadings:
    """One meter's readings of one day as they are read: which quarter hours, how many Wh."""

    __slots__ = ("first_row", "present", "wh")

    def __init__(self, first_row: int):
        self.first_row = first_row
        self.present = bytearray(SLOTS_PER_DAY)
        self.wh = array("q", bytes(8 * 24))

    @property
    def reading_count(self) -> int:
        return SLOTS_PER_DAY - self.present.count(0)

    def hours_read(self) -> list[bool]:
        present = self.present
        return [any(present[hour * 4 : hour * 4 + 4]) for hour in range(24)]

    def off_the_hour(self) -> bool:
        """Whether any reading starts at :15, :30 or :45."""
        present = self.present
        return any(present[1::4]) or any(present[2::4]) or any(present[3::4])


class Meter:
    """One meter of a facility in the file: its days, and where its interval shows."""

    __slots__ = ("facility", "name", "days", "first_quarter_row", "first_half_row", "interval")

    def __init__(self, facility: Facility, name: str):
        self.facility = facility
        self.name = name
        self.days: dict[dt.date, MeterDayReadings] = {}
        self.first_quarter_row = 0  # the first reading at :15 or :45
        self.first_half_row = 0  # the first reading at :30
        self.interval = 60  # decided when the file is read (IntervalCheck.decide_intervals)


@dataclass
class IntervalCheck:
    """What reading a file found: its meters and days, counts, the first problems."""

    file_name: str = ""
    sha256: str = ""
    row_count: int = 0
    error_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    meters: dict[tuple[int, str], Meter] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < PROBLEMS_SHOWN:
            self.errors.append(problem.capped())

    def meter_days(self):
        """(meter, day, readings) of every meter-day, meter by meter, day by day."""
        for meter in self.meters.values():
            for day in sorted(meter.days):
                yield meter, day, meter.days[day]

    @property
    def day_count(self) -> int:
        return sum(len(meter.days) for meter in self.meters.values())

    def years(self) -> set[int]:
        return {day.year for meter in self.meters.values() for day in meter.days}

    def decide_intervals(self) -> None:
        """Decide each meter's interval from its readings; refuse 30 minutes and mixed days.

        A meter is read every 15 minutes when any of its readings starts off the full hour,
        else hourly. A 15-minute meter with a day read only on the full hour, in more than
        one hour, mixes hourly readings in: its hours would be a quarter of what was used.
        """
        for meter in self.meters.values():
            if meter.first_half_row and not meter.first_quarter_row:
                self.add(
                    Problem(
                        meter.first_half_row,
                        "start",
                        _(
                            "Meter %(meter)s of %(facility)s is read every 30 minutes: only "
                            "15-minute or hourly readings can be imported."
                        )
                        % {"meter": quoted(meter.name), "facility": meter.facility.code},
                    )
                )
                continue
            if not (meter.first_quarter_row or meter.first_half_row):
                continue
            meter.interval = 15
            first_off_hour = min(r for r in (meter.first_quarter_row, meter.first_half_row) if r)
            for day in sorted(meter.days):
                readings = meter.days[day]
                if not readings.off_the_hour() and sum(readings.present[0::4]) > 1:
                    self.add(
                        Problem(
                            readings.first_row,
                            "start",
                            _(
                                "Meter %(meter)s of %(facility)s is read every 15 minutes "
                                "(row %(row)s) but only on the full hour on %(day)s: one meter "
                                "can't mix 15-minute and hourly readings in a file."
                            )
                            % {
                                "meter": quoted(meter.name),
                                "facility": meter.facility.code,
                                "row": first_off_hour,
                                "day": day.isoformat(),
                            },
                        )
                    )


def read_file(upload, *, file_name: str = "", sha256: str = "") -> IntervalCheck:
    """Read and check every row of the file; sum the good ones into meter-days."""
    check = IntervalCheck(file_name=file_name, sha256=sha256)
    try:
        header, numbered_rows = rows(upload)
        positions = column_map(header)
        _Reader(check, positions).read(numbered_rows)
    except ValidationError as error:  # the whole file: its encoding or header
        check.add(Problem(1, "", " ".join(error.messages)))
        return check
    check.decide_intervals()
    return check


class _Reader:
    """Reads rows with what all of them share: facilities, locks, the parsed start times."""

    def __init__(self, check: IntervalCheck, positions: dict[str, int]):
        self.check = check
        self.positions = positions
        # Loaded once: 1.7 million rows must not look up their facility one by one.
        self.facilities = {facility.code: facility for facility in Facility.objects.all()}
        # Each locked year's message, written once: a year's file in a locked year has
        # 1.7 million rows to refuse.
        self.locked = {
            year: periods.locked_message(lock) for year, lock in periods.locks_by_year().items()
        }
        self.starts: dict[str, tuple[dt.date, int] | str] = {}

    def read(self, numbered_rows) -> None:
        check = self.check
        facility_at, meter_at, start_at, kwh_at = (
            self.positions[name] for name in ("facility", "meter", "start", "kwh")
        )
        width = max(facility_at, meter_at, start_at, kwh_at) + 1
        by_text: dict[tuple[str, str], Meter] = {}
        starts, locked = self.starts, self.locked
        watt_hours = WATT_HOURS.match
        for number, cells in numbered_rows:
            check.row_count += 1
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            code = cells[facility_at].strip()
            name = cells[meter_at].strip()
            meter = by_text.get((code, name))
            problems = [] if meter is not None else self._meter(number, code, name, by_text)
            start = cells[start_at].strip()
            parsed = starts.get(start) or self._parse_start(start)
            if parsed.__class__ is str:
                problems.append(Problem(number, "start", parsed))
            elif locked and parsed[0].year in locked:
                problems.append(Problem(number, "start", locked[parsed[0].year]))
            kwh = cells[kwh_at].strip()
            match = watt_hours(kwh)
            if match is not None:  # the common case, inline: a call per row is measurable
                whole, fraction = match.groups()
                wh = int(whole) * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)
            else:
                try:
                    wh = parse_watt_hours(kwh)
                except ValueError as error:
                    problems.append(Problem(number, "kwh", str(error)))
            if problems:
                for problem in problems:
                    check.add(problem)
                continue
            if meter is None:
                meter = by_text[(code, name)]
            day, slot = parsed
            readings = meter.days.get(day)
            if readings is None:
                readings = meter.days[day] = MeterDayReadings(number)
            if readings.present[slot]:
                check.add(
                    Problem(
                        number,
                        "start",
                        _(
                            "Meter %(meter)s has another reading starting at %(start)s (this "
                            "day's readings begin at row %(row)s): each interval once."
                        )
                        % {
                            "meter": quoted(name),
                            "start": quoted(start),
                            "row": readings.first_row,
                        },
                    )
                )
                continue
            readings.present[slot] = 1
            readings.wh[slot >> 2] += wh
            quarter = slot & 3
            if quarter:
                if quarter != 2:
                    meter.first_quarter_row = meter.first_quarter_row or number
                else:
                    meter.first_half_row = meter.first_half_row or number

    def _parse_start(self, start: str) -> tuple[dt.date, int] | str:
        """The start's day and slot, or the message saying what is wrong with it (cached)."""
        try:
            parsed = parse_start(start)
        except TimestampError as error:
            parsed = str(error)
        if len(self.starts) < STARTS_CACHED:
            self.starts[start] = parsed
        return parsed

    def _meter(self, number: int, code: str, name: str, by_text: dict) -> list[Problem]:
        """The problems of the row's facility and meter; none when the meter is now known."""
        problems = []
        facility = self.facilities.get(code)
        if facility is None:
            problems.append(
                Problem(
                    number,
                    "facility",
                    _("No facility has the code %(code)s.") % {"code": quoted(code)},
                )
            )
        if not name:
            problems.append(Problem(number, "meter", _("The meter is blank: name the meter.")))
        elif len(name) > METER_CHARS:
            problems.append(
                Problem(
                    number,
                    "meter",
                    _("The meter's name may have at most %(count)s characters.")
                    % {"count": METER_CHARS},
                )
            )
        if not problems:
            meter = self.check.meters[(facility.pk, name)] = Meter(facility, name)
            by_text[(code, name)] = meter
        return problems
