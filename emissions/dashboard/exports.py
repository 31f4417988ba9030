"""The ledger as CSV or XLSX: every filtered record, read in chunks, never as model instances."""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.db.models import Case, F, QuerySet, When
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from emissions.facilities.models import GwpBasis
from emissions.factors.units import display_unit

from .pages.ledger import evidence_count, in_chinese
from .spreadsheet import XLSX_TYPE, neutralise

CHUNK_SIZE = 2000
# An XLSX workbook is built whole before its first byte goes out (a zip of XML, written cell by
# cell in Python by openpyxl), so its time grows with its rows while the request waits. Measured
# on the 2-core host: about 2,800 rows/s idle, 610 rows/s under load
# (tests/bench/test_export_bench.py), so 10,000 rows take about 4 s idle and 16 s loaded,
# far from gunicorn's 60 s timeout. Above it the ledger points to the CSV, which streams
# (about 9,000 rows/s) and has no cap.
XLSX_ROW_LIMIT = 10_000
# Up to this size the workbook stays in memory; a bigger one goes to a temporary file.
SPOOL_BYTES = 16 * 1024 * 1024

# (header, column read by values_list); "facility name", "t CO2e" and "published CO2e basis"
# are filled in below.
COLUMNS = [
    (_("id"), "pk"),
    (_("facility code"), "facility__code"),
    (_("facility name"), "facility__name_en"),
    (_("activity type"), "activity_type__code"),
    (_("scope"), "scope"),
    (_("category"), "category"),
    (_("period start"), "period_start"),
    (_("period end"), "period_end"),
    (_("quantity"), "quantity"),
    (_("unit"), "unit"),
    (_("data quality"), "data_quality"),
    (_("factor key"), "factor__key"),
    (_("factor name"), "factor__name"),
    (_("factor dataset"), "factor__dataset__name"),
    (_("region match"), "factor_region_match"),
    (_("year match"), "factor_year_match"),
    (_("kg CO2"), "co2_kg"),
    (_("kg CH4"), "ch4_kg"),
    (_("kg N2O"), "n2o_kg"),
    (_("kg other gas"), "other_gas_kg"),
    (_("other gas"), "other_gas__code"),
    (_("GWP of other gas"), "other_gas_gwp"),
    (_("kg CO2e"), "co2e_kg"),
    (_("t CO2e"), "co2e_kg"),
    (_("GWP basis"), "gwp_basis"),
    (_("published CO2e basis"), "published_co2e_kg"),
    (_("source reference"), "source_reference"),
    (_("review status"), "status"),
    (_("evidence files"), "evidence_file_count"),
]
FIELDS = [name for _label, name in COLUMNS] + ["facility__name_zh", "factor__co2e_gwp_basis"]
FACILITY_NAME = FIELDS.index("facility__name_en")
TONNES = FIELDS.index("co2e_kg") + 1  # t CO2e follows kg CO2e, read from the same column
PUBLISHED = FIELDS.index("published_co2e_kg")
GWP = FIELDS.index("other_gas_gwp")
UNIT = FIELDS.index("unit")
# The GWP a record's other gas (a refrigerant) was converted with: the one of the record's basis.
OTHER_GAS_GWP = Case(
    *(When(gwp_basis=basis, then=F(f"other_gas__gwp_{basis.lower()}")) for basis in GwpBasis)
)


def published_basis(gwp_basis: str) -> str:
    """What a record's published CO2e is on: the source's basis, whatever the inventory's."""
    return gettext("CO2e as published by the source, %(basis)s") % {"basis": gwp_basis or "—"}


def header() -> list[str]:
    return [gettext(label) for label, _name in COLUMNS]


def rows(records: QuerySet, *, chinese: bool) -> Iterator[list]:
    """One list of Python values per record, in COLUMNS order; kg stay exact Decimals."""
    records = records.annotate(other_gas_gwp=OTHER_GAS_GWP, evidence_file_count=evidence_count())
    values = records.values_list(*FIELDS)
    # Chunks bound the memory whatever the size of the filtered set.
    for *row, name_zh, published_gwp_basis in values.iterator(chunk_size=CHUNK_SIZE):
        if chinese and name_zh:
            row[FACILITY_NAME] = name_zh
        row[TONNES] = row[TONNES].scaleb(-3)  # kg → t, exact
        # As people write it (m³, passenger-km), never pint's m**3; it imports back the same.
        row[UNIT] = display_unit(row[UNIT])
        row[PUBLISHED] = published_basis(published_gwp_basis) if row[PUBLISHED] else None
        if row[GWP] is not None:
            row[GWP] = row[GWP].normalize()  # a GWP as the IPCC tables write it: 1300, 1923.5
        yield row


def _csv_value(index: int, value) -> str:
    if value is None:
        return ""
    if index == TONNES:
        # Exact, without the trailing zeros the division adds: 6.516000000 → 6.516.
        return format(value.normalize(), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # Any text may have been typed by staff (a facility or dataset name, a source): a
        # leading = + - @ would run as a formula in a spreadsheet.
        return neutralise(value)
    return str(value)


class _Echo:
    """A file whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(labels: list[str], values: Iterable[list]) -> Iterator[str]:
    """The CSV text, line by line: the header, then one line per row of `rows()`."""
    writer = csv.writer(_Echo())
    # The byte-order mark makes Excel read the file as UTF-8 (Chinese names).
    yield "\ufeff" + writer.writerow(labels)
    for row in values:
        yield writer.writerow([_csv_value(i, value) for i, value in enumerate(row)])


def export_csv(records: QuerySet, *, filename_stem: str) -> HttpResponse:
    # Decided now: the body is written after the view has returned.
    labels, chinese = header(), in_chinese()
    return StreamingHttpResponse(
        csv_lines(labels, rows(records, chinese=chinese)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename_stem}.csv"'},
    )


def has_more_than(records: QuerySet, limit: int) -> bool:
    """Whether there are more than `limit` records (one bounded query)."""
    # Reads at most one id past the limit, never counting a million records.
    return records.order_by().values("pk")[limit : limit + 1].exists()


def exceeds_xlsx_limit(records: QuerySet) -> bool:
    """Whether these records are more than an XLSX export writes (one bounded query)."""
    return has_more_than(records, XLSX_ROW_LIMIT)


def write_xlsx(values: Iterable[list], file) -> None:
    """Write the header and the rows of `rows()` to `file` as a workbook."""
    # A write-only workbook keeps only the current row in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("Ledger")[:31])
    bold = Font(bold=True)
    header_cells = []
    for label in header():
        cell = WriteOnlyCell(sheet, label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in values:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            if cell.data_type == "f":
                cell.data_type = "s"  # text typed by staff, never a formula
            cells.append(cell)
        sheet.append(cells)
    workbook.save(file)


def export_xlsx(records: QuerySet, *, filename_stem: str) -> HttpResponse:
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(rows(records, chinese=in_chinese()), file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=f"{filename_stem}.xlsx", content_type=XLSX_TYPE
    )


EXPORTERS: dict[str, Callable[..., HttpResponse]] = {"csv": export_csv, "xlsx": export_xlsx}
