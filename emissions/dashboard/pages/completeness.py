"""The completeness page: each expected data stream's months of a year (received, late,
estimated, missing, not due yet), what each owner still owes, and the share received.

The grid comes from planning/completeness.py, which reads the records through the inventory
read model (stream_periods); this module only shapes it. Estimates for missing periods are
shown apart and never added to a total.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.dates import MONTHS_3
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from emissions.facilities.models import Facility
from emissions.neutrality.inventory import kg_to_t, percent
from emissions.planning.completeness import (
    WITH_DATA,
    Completeness,
    PeriodCell,
    State,
    StreamRow,
    completeness,
)
from emissions.planning.models import Frequency

from ..spreadsheet import Table
from ..tables import TableSpec
from .ledger import type_name

# What the owners' list shows: periods without data that are due, and those due soon.
OWED_STATES = (State.MISSING, State.LATE, State.NOT_DUE)
SOON_DAYS = 31


class StateText(str):
    """A period's state as a table cell shows it (its label), with its code for the colour."""

    code: str

    def __new__(cls, state: str):
        text = super().__new__(cls, State(state).label)
        text.code = str(state)
        return text


@dataclass
class CompletenessPage:
    year: int | None
    facility: Facility | None
    # The owners' view: the streams this user owes; None: everyone's.
    owner: object | None
    completeness: Completeness | None

    @property
    def has_streams(self) -> bool:
        return bool(self.completeness and self.completeness.rows)

    def owed(self) -> list[tuple[StreamRow, PeriodCell]]:
        """Periods still without data: due ones first, then those due within a month."""
        if self.completeness is None:
            return []
        today = self.completeness.today
        soon = today + dt.timedelta(days=SOON_DAYS)
        rows = [
            (row, cell)
            for row in self.completeness.rows
            for cell in row.cells
            if cell.state in (State.MISSING, State.LATE)
            or (cell.state == State.NOT_DUE and cell.due_on <= soon)
        ]
        return sorted(rows, key=lambda item: (item[1].due_on, item[0].stream.facility.code))


def build_completeness_page(
    *, year: int | None, facility: Facility | None = None, owner=None, today=None
) -> CompletenessPage:
    result = (
        None if year is None else completeness(year, facility=facility, owner=owner, today=today)
    )
    return CompletenessPage(year=year, facility=facility, owner=owner, completeness=result)


def period_label(cell: PeriodCell) -> str:
    first = cell.period.first_day
    if cell.period.days > 31:
        return str(first.year)
    return f"{first.year}-{first.month:02d}"


def _t(kg: Decimal | None) -> Decimal | None:
    return None if kg is None else kg_to_t(kg)


def _owner_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _stream_columns(row: StreamRow) -> list:
    stream = row.stream
    return [
        stream.facility.code,
        type_name(stream.activity_type),
        _owner_name(stream.owner),
        stream.get_frequency_display(),
    ]


def grid_table(page: CompletenessPage) -> Table:
    header = [
        _("Facility"), _("Activity"), _("Owner"), _("Frequency"),
        *(MONTHS_3[month].capitalize() for month in range(1, 13)),
        _("Year"), _("Missing, estimated from last year (t CO2e)"),
    ]  # fmt: skip
    rows = []
    for row in page.completeness.rows if page.completeness else []:
        states = [StateText(cell.state) for cell in row.cells]
        if row.stream.frequency == Frequency.YEARLY:
            periods = [None] * 12 + states
        else:
            periods = states + [None]
        rows.append([*_stream_columns(row), *periods, _t(row.estimate_kg)])
    formats = ["code", "text", "text", "text", *["state"] * 13, "t"]
    return Table(_("Expected data, month by month"), header, rows, formats)


def owed_table(page: CompletenessPage) -> Table:
    header = [
        _("Facility"), _("Activity"), _("Owner"), _("Period"), _("Due on"), _("State"),
        _("Estimate from last year (t CO2e)"),
    ]  # fmt: skip
    rows = [
        [
            row.stream.facility.code,
            type_name(row.stream.activity_type),
            _owner_name(row.stream.owner),
            period_label(cell),
            cell.due_on,
            StateText(cell.state),
            _t(cell.estimate_kg),
        ]
        for row, cell in page.owed()
    ]
    formats = ["code", "text", "text", "code", "date", "state", "t"]
    return Table(_("Still owed"), header, rows, formats)


def owners_table(page: CompletenessPage) -> Table:
    """Per owner: periods due, with data, missing, late, and the share received."""
    by_owner: dict[int, list[StreamRow]] = {}
    for row in page.completeness.rows if page.completeness else []:
        by_owner.setdefault(row.stream.owner_id, []).append(row)
    rows = []
    for stream_rows in by_owner.values():
        owner = stream_rows[0].stream.owner
        due = sum(1 for row in stream_rows for cell in row.cells if cell.is_due)
        with_data = sum(row.count(*WITH_DATA) for row in stream_rows)
        rows.append(
            [
                _owner_name(owner),
                len(stream_rows),
                due,
                with_data,
                sum(row.count(State.MISSING) for row in stream_rows),
                sum(row.count(State.LATE) for row in stream_rows),
                percent(Decimal(with_data), Decimal(due)),
            ]
        )
    rows.sort(key=lambda row: str(row[0]).casefold())
    header = [
        _("Owner"), _("Streams"), _("Periods due"), _("With data"), _("Missing"), _("Late"),
        _("Received (%)"),
    ]  # fmt: skip
    return Table(_("By owner"), header, rows, ["text", "int", "int", "int", "int", "int", "pct"])


COMPLETENESS = {
    "grid": TableSpec(grid_table, per_year=True),
    "owed": TableSpec(owed_table, per_year=True),
    "owners": TableSpec(owners_table, per_year=True),
}


def completeness_sentence(result: Completeness | None) -> str:
    """ "18 of 24 expected periods due by 7 Dec 2026 have data (75.0 %)", for the overview
    and the report; empty without expected streams."""
    if result is None or not result.rows:
        return ""
    if not result.due:
        return gettext("No expected data is due yet for %(year)s.") % {"year": result.year}
    return gettext(
        "%(with_data)s of %(due)s expected periods of %(year)s due so far have data (%(share)s %%)."
    ) % {
        "with_data": result.with_data,
        "due": result.due,
        "year": result.year,
        "share": result.share_pct,
    }
