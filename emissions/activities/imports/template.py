"""What the import template holds: the header, two example rows and this installation's codes.

Only the content lives here: the dashboard writes it as CSV or XLSX with its shared spreadsheet
writer, which keeps a name typed by staff ("=HYPERLINK(…)") from running as a formula (a domain
app never imports the dashboard). The XLSX keeps the codes on sheets of their own (the import
reads the first sheet only), the CSV as "#" comment lines after the examples.
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from emissions.facilities import periods
from emissions.facilities.models import Facility, FacilityKind

from ..models import ActivityType
from .reading import CHINESE_HEADERS, COLUMNS

EXAMPLE_TYPES = [("grid_electricity", "120000"), ("natural_gas_stationary", "2,345.6")]
# The examples are January and February of this year, or of the first year after it that the
# example facility is open all of and that is not locked.
EXAMPLE_YEAR = 2024


class TemplateSheet(NamedTuple):
    """One table of the template: a title, a header and rows of plain values."""

    title: str
    header: list[str]
    rows: list[list]


@dataclass
class ImportTemplate:
    facilities: list[tuple[str, str, str]]  # code, English name, Chinese name
    types: list[tuple[str, str, str, int]]  # code, name, default unit, scope
    example_facility: str = "XT-01"
    example_year: int = EXAMPLE_YEAR

    @classmethod
    def load(cls) -> "ImportTemplate":
        facility = _example_facility()
        return cls(
            facilities=list(
                Facility.objects.order_by("code").values_list("code", "name_en", "name_zh")
            ),
            types=list(
                ActivityType.objects.order_by("code").values_list(
                    "code", "name", "default_unit", "scope"
                )
            ),
            example_facility=facility.code if facility else "XT-01",
            example_year=_example_year(facility),
        )

    def examples(self) -> list[list[str]]:
        """Two rows that import as they are on this installation: January and February."""
        facility, year = self.example_facility, self.example_year
        # Each type's default unit: always one its factors take (catalogue.py).
        units = {code: unit for code, _name, unit, _scope in self.types}
        rows = []
        for month, (type_code, quantity) in enumerate(EXAMPLE_TYPES, start=1):
            if type_code not in units and self.types:
                type_code = self.types[min(month, len(self.types)) - 1][0]
            rows.append(
                [
                    facility,
                    type_code,
                    f"{year}-{month:02d}-01",
                    f"{year}/{month}/{calendar.monthrange(year, month)[1]}",
                    quantity,
                    units.get(type_code, ""),
                    "metered" if month == 1 else "invoice",
                    f"Example {month}",
                    "",
                    "",
                ]
            )
        return rows

    def csv_sheet(self) -> TemplateSheet:
        """The records, then the codes to choose from as "#" lines the import skips."""
        rows: list[list] = [*self.examples()]
        rows.append(["# Lines starting with # are ignored. Delete the example rows above."])
        rows.append(["# Facility codes:"])
        rows.extend([f"#   {code}", name_en] for code, name_en, _name_zh in self.facilities)
        rows.append(["# Activity type codes and default units:"])
        rows.extend([f"#   {code}", name, unit] for code, name, unit, _scope in self.types)
        return TemplateSheet(_("Records"), list(COLUMNS), rows)

    def xlsx_sheets(self) -> list[TemplateSheet]:
        """The records sheet first (the one the import reads), then the codes to choose from."""
        chinese = {column: zh for zh, column in CHINESE_HEADERS.items()}
        # A number typed as text ("2,345.6") is what people paste; the import reads both.
        records = [
            *self.examples(),
            [],
            ["# " + _("Chinese headers are accepted too:")],
            ["# " + chinese[column] for column in COLUMNS],
        ]
        return [
            TemplateSheet(_("Records"), list(COLUMNS), records),
            TemplateSheet(
                _("Facilities"),
                [_("code"), _("name"), _("Chinese name")],
                [list(row) for row in self.facilities],
            ),
            TemplateSheet(
                _("Activity types"),
                [_("code"), _("name"), _("default unit"), _("scope")],
                [list(row) for row in self.types],
            ),
        ]


def _example_facility() -> Facility | None:
    """An open facility (not closed, or closing later), a factory when there is one: the
    examples' natural gas is burnt in factories. A closed one would refuse the examples."""
    open_now = Facility.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=timezone.localdate())
    ).order_by("code")
    return open_now.filter(kind=FacilityKind.FACTORY).first() or open_now.first()


def _example_year(facility: Facility | None) -> int:
    """EXAMPLE_YEAR, or the first year after it the facility is open from 1 January and no
    lock keeps new records out of (emissions/facilities/periods.py)."""
    year = EXAMPLE_YEAR
    if facility is not None and facility.opened_on > dt.date(year, 1, 1):
        year = facility.opened_on.year + 1
    locked = periods.locks_by_year()
    while year in locked:
        year += 1
    return year
