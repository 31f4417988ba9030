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
from functools import lru_cache, partial
from urllib.parse import urlencode

from django.template.defaultfilters import linebreaksbr, urlize
from django.urls import get_script_prefix, reverse
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .spreadsheet import Link, Table
from .templatetags.kehui_format import grouped, number, percent, rounded, signed_percent


def year_header(year: int | None, offset: int = 0) -> str:
    """A year for a header; "—" before there is any activity data."""
    return "—" if year is None else str(year + offset)


@dataclass(frozen=True)
class TableSpec:
    build: Callable[..., Table]
    per_year: bool = False


def ledger_link(value, **query) -> Link:
    """A figure linked to the ledger's records behind it; a download writes only the figure."""
    return Link(value, f"{_ledger_path(get_script_prefix())}?{urlencode(query)}")


@lru_cache(maxsize=8)
def _ledger_path(script_prefix: str) -> str:
    # reverse() costs some 50 µs and the overview links 200 facilities: resolved once per
    # prefix (reverse() starts the path with the request's script prefix).
    return reverse("dashboard:ledger")


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
    "date": (_text, "date"),
    # A code (a facility's, a product's, a CN code): kept on one line, never broken at its "-".
    "code": (_text, "code"),
    # A factor's sources: text whose web addresses become links, one source per line.
    "source": (_text, "source"),
    # Tonnes CO2e and MWh, as every page rounds them.
    "t": (lambda value: _amount(value, 1), "num"),
    "mwh": (lambda value: _amount(value, 1), "num"),
    "int": (lambda value: number(value, 0), "num"),
    # A quantity as entered: exact, without the padding of its stored places (10.500000 → 10.5).
    "as_entered": (
        lambda value: number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True),
        "num",
    ),
    # Other numbers, to the places their unit needs: "n3" for kg of a gas (grams), "n6" for a
    # factor in kg per kWh.
    **{f"n{places}": (partial(_amount, places=places), "num") for places in range(7)},
    "pct": (lambda value: percent(value, 1), "num"),
    # A change: "+3.1 %", "−8.6 %".
    "pct+": (lambda value: signed_percent(value, 1), "num"),
    # A state shown as its label, coloured by its code (the completeness grid's periods).
    "state": (_text, "state"),
}


@dataclass(frozen=True)
class Cell:
    """One cell as the page shows it."""

    text: str
    css: str = ""
    href: str = ""

    def html(self, tag: str, scope: str = "") -> str:
        """The cell's HTML, escaped: `<td class="num"><a href="…">1.0</a></td>`."""
        attributes = f' scope="{scope}"' if scope else ""
        if self.css:
            attributes += f' class="{self.css}"'
        if self.href:
            content = f'<a href="{escape(self.href)}">{escape(self.text)}</a>'
        elif self.css == "source":
            content = linebreaksbr(urlize(self.text, autoescape=True), autoescape=False)
        else:
            content = escape(self.text)
        return f"<{tag}{attributes}>{content}</{tag}>"


def _cell(value, fmt: str, missing: str = "—") -> Cell:
    href = ""
    if isinstance(value, Link):
        value, href = value.value, value.href
    show, css = FORMATS[fmt]
    text = missing if value is None or value == "" else show(value)
    if fmt == "state" and hasattr(value, "code"):
        css = f"state state-{value.code}"
    return Cell(text, css, href)


def _row_html(cells: list[Cell], row_header: bool) -> str:
    first, *rest = cells
    head = first.html("th", "row") if row_header else first.html("td")
    return "<tr>" + head + "".join(cell.html("td") for cell in rest) + "</tr>"


@dataclass(frozen=True)
class ShownTable:
    """A Table as its HTML partial reads it: header cells with their alignment, text cells.

    The body and footer rows are written here, not by template loops: the report shows some
    800 numbers, and a template's per-cell tags cost ten times what this does.
    """

    table: Table
    header: list[Cell]
    rows: list[list[Cell]]
    footer: list[Cell] | None
    row_headers: bool = True

    @property
    def body_html(self) -> SafeString:
        rows = "\n".join(_row_html(cells, self.row_headers) for cells in self.rows)
        return mark_safe(rows)  # every text escaped by Cell.html

    @property
    def footer_html(self) -> SafeString:
        return mark_safe(_row_html(self.footer, True) if self.footer else "")


def shown(table: Table, row_headers: bool = True) -> ShownTable:
    formats = list(table.formats) + ["text"] * (len(table.header) - len(table.formats))
    if unknown := set(formats) - FORMATS.keys():
        raise ValueError(f"Unknown column format {sorted(unknown)} in table {table.title!r}")
    columns = zip(table.header, formats, strict=True)
    header = [Cell(str(label), FORMATS[fmt][1]) for label, fmt in columns]

    def row_cells(row, missing: str = "—") -> list[Cell]:
        return [_cell(value, fmt, missing) for value, fmt in zip(row, formats, strict=True)]

    # A total row leaves blank the columns it does not total; in the body, "—" means unknown.
    footer = row_cells(table.footer, missing="") if table.footer is not None else None
    rows = [row_cells(row) for row in table.rows]
    return ShownTable(table, header, rows, footer, row_headers)
