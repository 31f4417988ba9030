"""The dashboard's tables: how a page registers one, and how the page shows it.

Each page module (pages/) defines its tables next to its builder: each reads the object the
page's builder returned. The page renders the Table (dashboard/_table.html, through the
`data_table` tag) and the CSV/XLSX downloads write the same Table, so a column cannot differ
between screen and file. A download holds the values unrounded: kg become tonnes and kWh MWh
by moving the decimal point (inventory.kg_to_t), never by dividing into a float; the page
rounds them for reading, by the column's format. The headers carry the units. A table is
registered under the name its download URL uses; its `per_year` says whether the page's year
filter changes it (and so belongs in the file name).
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .spreadsheet import Link, Table
from .templatetags.kehui_format import grouped, number, percent, rounded


def year_header(year: int | None, offset: int = 0) -> str:
    """A year for a header; "—" before there is any activity data."""
    return "—" if year is None else str(year + offset)


@dataclass(frozen=True)
class TableSpec:
    build: Callable[..., Table]
    per_year: bool = False


def build_tables(specs: Mapping[str, TableSpec], page) -> dict[str, Table]:
    """Every table of a page, by the name its download uses, for the page's template."""
    return {name: spec.build(page) for name, spec in specs.items()}


# How the page shows a value, by column format: (text, CSS class). Tonnes and MWh arrive
# already in t and MWh (exact); the page rounds them half-up to one decimal.
def _amount(value, places: int) -> str:
    return grouped(rounded(Decimal(value), places), places)


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


FORMATS: dict[str, tuple[Callable[[object], str], str]] = {
    "text": (_text, ""),
    "t": (lambda value: _amount(value, 1), "num"),
    "mwh": (lambda value: _amount(value, 1), "num"),
    "t3": (lambda value: _amount(value, 3), "num"),
    "n0": (lambda value: number(value, 0), "num"),
    "int": (lambda value: number(value, 0), "num"),
    "pct": (lambda value: percent(value, 1), "num"),
    "date": (_text, "date"),
}


@dataclass(frozen=True)
class Cell:
    """One cell as the page shows it."""

    text: str
    css: str = ""
    href: str = ""


def _cell(value, fmt: str) -> Cell:
    href = ""
    if isinstance(value, Link):
        value, href = value.value, value.href
    show, css = FORMATS[fmt]
    text = "—" if value is None or value == "" else show(value)
    return Cell(text, css, href)


@dataclass(frozen=True)
class ShownTable:
    """A Table as its HTML partial reads it: header cells with their alignment, text cells."""

    table: Table
    header: list[Cell]
    rows: list[list[Cell]]
    footer: list[Cell] | None


def shown(table: Table) -> ShownTable:
    formats = list(table.formats) + ["text"] * (len(table.header) - len(table.formats))
    if unknown := set(formats) - FORMATS.keys():
        raise ValueError(f"Unknown column format {sorted(unknown)} in table {table.title!r}")
    columns = zip(table.header, formats, strict=True)
    header = [Cell(str(label), FORMATS[fmt][1]) for label, fmt in columns]

    def row_cells(row) -> list[Cell]:
        return [_cell(value, fmt) for value, fmt in zip(row, formats, strict=True)]

    footer = row_cells(table.footer) if table.footer is not None else None
    return ShownTable(table, header, [row_cells(row) for row in table.rows], footer)
