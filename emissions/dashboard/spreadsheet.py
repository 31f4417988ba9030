"""Tables as CSV or XLSX files: exact numbers, and text a spreadsheet cannot run as a formula."""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Sheet titles may not hold these characters, nor run past 31.
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def neutralise(text: str) -> str:
    """Text typed by people, with an apostrophe in front when it would start a formula."""
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def plain_decimal(value: Decimal) -> str:
    """An exact decimal without exponent or trailing zeros: 6.516000000 → "6.516", 1E+3 → "1000"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Link:
    """A cell the page shows as a link (to the ledger, a facility…); a download keeps its value."""

    value: object
    href: str


def cell_value(value):
    """What a download writes for a cell: a link's value, anything else as it is."""
    return value.value if isinstance(value, Link) else value


def csv_text(value) -> str:
    """One table cell as CSV text: numbers exact, dates ISO, text neutralised."""
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def xlsx_cell(sheet, value) -> WriteOnlyCell:
    """One table cell for a write-only sheet: numbers as numbers, text never a formula."""
    value = cell_value(value)
    if value is not None and not isinstance(value, int | Decimal | dt.date):
        value = str(value) or None  # lazy translations; an empty text is an empty cell
    cell = WriteOnlyCell(sheet, value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Table:
    """What a page shows in one table: a title, a header with units, rows of exact values.

    The page renders the same object (dashboard/_table.html) as the CSV and XLSX downloads, so a
    column cannot differ between screen and file. `formats` says, per column, how the page
    shows a value (tables.FORMATS: "t", "mwh", "pct", "n0", "int", "date", "code", "text"; missing
    ones are "text"); a download always writes it exact. `footer`, when given, is a last row
    (a total) the page sets apart and a download writes last.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence]
    formats: Sequence[str] = ()
    footer: Sequence | None = None

    def all_rows(self) -> list[Sequence]:
        """The rows a download writes: the body, then the footer."""
        return [*self.rows, self.footer] if self.footer is not None else list(self.rows)


def csv_response(table: Table, *, filename_stem: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(label)) for label in table.header])
    writer.writerows([csv_text(value) for value in row] for row in table.all_rows())
    # The byte-order mark makes Excel read the file as UTF-8 (Chinese names).
    return HttpResponse(
        "\ufeff" + buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename_stem}.csv"'},
    )


def append_sheet(workbook: Workbook, table: Table) -> None:
    """The table as a new sheet of a write-only workbook: header in bold, rows, footer, exact."""
    title = str(table.title).translate(SHEET_TITLE_FORBIDDEN).strip()[:31] or _("Table")
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    header = []
    for label in table.header:
        cell = xlsx_cell(sheet, label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.all_rows():
        sheet.append([xlsx_cell(sheet, value) for value in row])


def xlsx_response(table: Table, *, filename_stem: str) -> HttpResponse:
    return workbook_response([table], filename=f"{filename_stem}.xlsx")


def workbook_response(tables: Iterable[Table], *, filename: str) -> HttpResponse:
    """An XLSX file with one sheet per table, in order."""
    # Write-only: rows stream to the file instead of building every cell object first.
    workbook = Workbook(write_only=True)
    for table in tables:
        append_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return HttpResponse(
        buffer.getvalue(),
        content_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


RESPONSES: dict[str, Callable[..., HttpResponse]] = {"csv": csv_response, "xlsx": xlsx_response}


def responder(fmt: str) -> Callable[..., HttpResponse]:
    """The response maker for "csv" or "xlsx"; any other format is not found."""
    respond = RESPONSES.get(fmt)
    if respond is None:
        raise Http404("Unknown export format")
    return respond
