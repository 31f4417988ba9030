"""Green-power contracts' generation profiles: the generator's 15-minute or hourly kWh, uploaded
as CSV, stored per contract and local day in 24 hours (ContractGenerationDay), all or nothing.

The file is read with the interval upload's helpers (encoding, rows, start times, kWh), so a
start time or a kWh means the same in both files and is refused with the same message. A
contract's readings are 15-minute when any starts off the full hour, else hourly; each day
must be complete (every interval once): the profile is a shape, and a missing hour would read
as an hour without generation. A day already stored is refused unless the uploader asks to
replace it; the replaced values stay in the day's history.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from emissions.activities.imports.reading import quoted
from emissions.activities.imports.validation import PROBLEMS_SHOWN, Problem
from emissions.activities.intervals.reading import (
    SLOTS_PER_DAY,
    TimestampError,
    column_map,
    parse_start,
    parse_watt_hours,
    rows,
)
from emissions.activities.intervals.validation import MeterDayReadings
from emissions.activities.models import HOURS
from emissions.facilities import periods

from ..models import ContractGenerationDay, GreenPowerContract

COLUMNS = ("contract", "start", "kwh")
CHINESE_HEADERS = {"合同编号": "contract", "开始时间": "start", "电量": "kwh"}
# Matched case-insensitively after trimming, as the interval upload's headers are.
HEADER_ALIASES = (
    {name: name for name in COLUMNS}
    | CHINESE_HEADERS
    | {
        "contract reference": "contract",
        "interval start": "start",
        "电量(kwh)": "kwh",
        "电量（kwh）": "kwh",
    }
)
HOURS_PER_DAY = 24


@dataclass
class GenerationImport:
    """What an upload did: the days it created and replaced, or its problems (then none)."""

    row_count: int = 0
    error_count: int = 0
    errors: list[Problem] = field(default_factory=list)
    created_count: int = 0
    replaced_count: int = 0
    # {contract id: {day: readings}} of the checked file; emptied once stored.
    days: dict[int, dict[dt.date, MeterDayReadings]] = field(default_factory=dict)
    contracts: dict[int, GreenPowerContract] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add(self, problem: Problem) -> None:
        self.error_count += 1
        if len(self.errors) < PROBLEMS_SHOWN:
            self.errors.append(problem.capped())

    def contract_days(self):
        """(contract, day, readings) of every day read, contract by contract, day by day."""
        for contract_id, days in self.days.items():
            for day in sorted(days):
                yield self.contracts[contract_id], day, days[day]


def import_generation(*, user, upload, file_name: str, replace: bool = False) -> GenerationImport:
    """Check the file and store every contract-day of it, or none (then say why, row by row)."""
    result = _read(upload)
    if not result.ok:
        return _refused(result)
    reason = f"Generation upload {file_name}"[:100]
    with transaction.atomic():
        # Two uploads for the same contracts take turns, so the second sees the first's days.
        list(GreenPowerContract.objects.select_for_update().filter(pk__in=result.days))
        try:
            # Again inside the transaction: holds the years' locks while the days are written.
            periods.assert_open(*{day.year for _c, day, _r in result.contract_days()})
        except ValidationError as error:
            result.add(Problem(1, "start", " ".join(error.messages)))
            return _refused(result)
        stored = _stored_days(result)
        if stored and not replace:
            _refuse_stored(result, stored)
            return _refused(result)
        created, replaced = [], []
        for contract, day, readings in result.contract_days():
            hours = dict(zip(HOURS, _kwh_of_hours(readings), strict=True))
            existing = stored.get((contract.pk, day))
            if existing is None:
                created.append(ContractGenerationDay(contract=contract, day=day, **hours))
            else:
                for hour, kwh in hours.items():
                    setattr(existing, hour, kwh)
                replaced.append(existing)
        bulk_create_with_history(
            created, ContractGenerationDay, default_user=user, default_change_reason=reason
        )
        bulk_update_with_history(
            replaced,
            ContractGenerationDay,
            list(HOURS),
            default_user=user,
            default_change_reason=reason,
        )
    result.created_count, result.replaced_count = len(created), len(replaced)
    result.days, result.contracts = {}, {}
    return result


def _kwh_of_hours(readings: MeterDayReadings) -> list[Decimal]:
    return [Decimal(wh).scaleb(-3) for wh in readings.wh]


def _refused(result: GenerationImport) -> GenerationImport:
    result.errors.sort(key=lambda problem: problem.row)
    result.days, result.contracts = {}, {}
    return result


def _read(upload) -> GenerationImport:
    """Read and check every row; sum the good ones into contract-days."""
    result = GenerationImport()
    try:
        header, numbered_rows = rows(upload)
        positions = _column_map(header)
    except ValidationError as error:  # the whole file: its encoding or header
        result.add(Problem(1, "", " ".join(error.messages)))
        return result
    _Reader(result, positions).read(numbered_rows)
    if result.ok and not result.days:
        result.add(Problem(1, "", _("The file has no readings: give at least one day's.")))
    if result.ok:
        _check_complete_days(result)
    return result


def _column_map(header: list[str]) -> dict[str, int]:
    return column_map(
        header,
        aliases=HEADER_ALIASES,
        columns=COLUMNS,
        unknown_message=_("Unknown columns: %(names)s. The columns are contract, start and kwh."),
    )


class _Reader:
    """Reads rows with what all of them share: the contracts, the locks, the parsed starts."""

    def __init__(self, result: GenerationImport, positions: dict[str, int]):
        self.result = result
        self.positions = positions
        # Loaded once: a year of one contract at 15 minutes is 35,040 rows.
        self.contracts = {
            contract.reference: contract for contract in GreenPowerContract.objects.all()
        }
        self.locked = {
            year: periods.locked_message(lock) for year, lock in periods.locks_by_year().items()
        }
        self.starts: dict[str, tuple[dt.date, int] | str] = {}

    def read(self, numbered_rows) -> None:
        result = self.result
        contract_at, start_at, kwh_at = (self.positions[name] for name in COLUMNS)
        width = max(contract_at, start_at, kwh_at) + 1
        for number, cells in numbered_rows:
            result.row_count += 1
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            reference = cells[contract_at].strip()
            start = cells[start_at].strip()
            problems = []
            contract = self.contracts.get(reference)
            if contract is None:
                problems.append(Problem(number, "contract", self._unknown(reference)))
            parsed = self.starts.get(start) or self._parse_start(start)
            if isinstance(parsed, str):
                problems.append(Problem(number, "start", parsed))
            elif parsed[0].year in self.locked:
                problems.append(Problem(number, "start", self.locked[parsed[0].year]))
            elif contract is not None and not contract.starts_on <= parsed[0] <= contract.ends_on:
                problems.append(Problem(number, "start", _outside(contract, parsed[0])))
            try:
                wh = parse_watt_hours(cells[kwh_at].strip())
            except ValueError as error:
                problems.append(Problem(number, "kwh", str(error)))
            if problems:
                for problem in problems:
                    result.add(problem)
                continue
            self._add(number, contract, start, parsed, wh)

    def _add(self, number: int, contract, start: str, parsed, wh: int) -> None:
        result = self.result
        day, slot = parsed
        result.contracts[contract.pk] = contract
        days = result.days.setdefault(contract.pk, {})
        readings = days.get(day)
        if readings is None:
            readings = days[day] = MeterDayReadings(number)
        if readings.present[slot]:
            result.add(
                Problem(
                    number,
                    "start",
                    _(
                        "Contract %(contract)s has another reading starting at %(start)s "
                        "(this day's readings begin at row %(row)s): each interval once."
                    )
                    % {
                        "contract": quoted(contract.reference),
                        "start": quoted(start),
                        "row": readings.first_row,
                    },
                )
            )
            return
        readings.present[slot] = 1
        readings.wh[slot >> 2] += wh

    def _unknown(self, reference: str) -> str:
        if not reference:
            return _("The contract is blank: give the contract reference.")
        return _("No green-power contract has the reference %(reference)s.") % {
            "reference": quoted(reference)
        }

    def _parse_start(self, start: str) -> tuple[dt.date, int] | str:
        try:
            parsed = parse_start(start)
        except TimestampError as error:
            parsed = str(error)
        self.starts[start] = parsed
        return parsed


def _outside(contract: GreenPowerContract, day: dt.date) -> str:
    return _(
        "%(day)s is outside the delivery period of contract %(contract)s (%(starts)s to %(ends)s)."
    ) % {
        "day": day.isoformat(),
        "contract": quoted(contract.reference),
        "starts": contract.starts_on.isoformat(),
        "ends": contract.ends_on.isoformat(),
    }


def _check_complete_days(result: GenerationImport) -> None:
    """Refuse a day without every interval: 96 quarter hours, or 24 hours for hourly data.

    A contract is read every 15 minutes when any of its readings starts off the full hour.
    """
    for contract_id, days in result.days.items():
        quarter_hourly = any(readings.off_the_hour() for readings in days.values())
        expected = SLOTS_PER_DAY if quarter_hourly else HOURS_PER_DAY
        for day in sorted(days):
            readings = days[day]
            if readings.reading_count == expected:
                continue
            result.add(
                Problem(
                    readings.first_row,
                    "start",
                    _(
                        "Contract %(contract)s has %(count)s of the %(expected)s "
                        "%(interval)s-minute readings of %(day)s: a generation day must be "
                        "complete."
                    )
                    % {
                        "contract": quoted(result.contracts[contract_id].reference),
                        "count": readings.reading_count,
                        "expected": expected,
                        "interval": 15 if quarter_hourly else 60,
                        "day": day.isoformat(),
                    },
                )
            )


def _stored_days(result: GenerationImport) -> dict[tuple[int, dt.date], ContractGenerationDay]:
    """{(contract id, day): stored day} of the file's days already stored; one query."""
    days = [day for contract_days in result.days.values() for day in contract_days]
    stored = ContractGenerationDay.objects.filter(
        contract_id__in=result.days, day__range=(min(days), max(days))
    )
    return {
        (row.contract_id, row.day): row for row in stored if row.day in result.days[row.contract_id]
    }


def _refuse_stored(result: GenerationImport, stored: dict) -> None:
    for contract, day, readings in result.contract_days():
        if (contract.pk, day) in stored:
            result.add(
                Problem(
                    readings.first_row,
                    "start",
                    _(
                        "Contract %(contract)s already has generation stored for %(day)s. "
                        "Tick “Replace days already stored” to replace it (the stored values "
                        "are kept in the history)."
                    )
                    % {"contract": quoted(contract.reference), "day": day.isoformat()},
                )
            )
