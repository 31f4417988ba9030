"""Reading an import file: its encoding, its rows, its header, and the text of each cell."""

import codecs
import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emissions import xlsx_guard

from ..models import RECORD_INPUT_FIELDS

COLUMNS = RECORD_INPUT_FIELDS
REQUIRED = {"facility", "activity_type", "period_start", "period_end", "quantity", "data_quality"}
# Headers are matched case-insensitively after trimming; each column has one Chinese name.
CHINESE_HEADERS = {
    "设施": "facility",
    "活动类型": "activity_type",
    "开始日期": "period_start",
    "结束日期": "period_end",
    "数量": "quantity",
    "单位": "unit",
    "数据质量": "data_quality",
    "来源": "source_reference",
    "备注": "notes",
    "供应商产品": "purchased_product",
}
# The ledger's CSV/XLSX export (English headers) imports as it is: its input columns map to
# ours and its calculated columns are recomputed, so they are ignored.
LEDGER_EXPORT_HEADERS = {
    "facility code": "facility",
    "activity type": "activity_type",
    "period start": "period_start",
    "period end": "period_end",
    "data quality": "data_quality",
    "source reference": "source_reference",
    "supplier product": "purchased_product",
}
LEDGER_EXPORT_CALCULATED = {
    "id", "facility name", "scope", "category", "factor key", "factor dataset",
    "region match", "year match", "kg co2", "kg ch4", "kg n2o", "kg other gas", "other gas",
    "kg co2e", "t co2e", "gwp basis", "review status",
    "factor name", "gwp of other gas", "published co2e basis", "evidence files",
}  # fmt: skip
DECODE_SLICE = 1024 * 1024
HEADER_ALIASES = {name: name for name in COLUMNS} | CHINESE_HEADERS | LEDGER_EXPORT_HEADERS

DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# Scientific notation as spreadsheets write it (1e3, 1.5E4, 2.5e-3); the exponent is held to
# two digits: 1e999999999 would make Decimal build a number of a billion digits.
SCIENTIFIC = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d{1,2}$")
LONG_EXPONENT = re.compile(r"^-?\d+(\.\d+)?[eE][+-]?\d{3,}$")
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
# Our exports write text that starts like a formula with a leading apostrophe (spreadsheet
# injection); reading it back drops the apostrophe so that a round trip keeps the text.
ESCAPED_FORMULA = re.compile(r"^'[=+\-@\t\r]")
# A header may name a million columns and a cell hold 128 KB: a message names the first few
# columns, counts the rest, and quotes a value only so far.
NAMES_SHOWN = 5
QUOTED_CHARS = 60


class FileUnreadable(ValidationError):
    """The whole file cannot be read (encoding, format, headers)."""


def encoding_of(content: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030: the first that decodes the whole file.

    Decoded in slices and thrown away: the file is never held twice as text.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), DECODE_SLICE):
                decoder.decode(content[start : start + DECODE_SLICE])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileUnreadable(_("The file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV."))


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    text_stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding_of(content), newline="")
    return enumerate(csv.reader(text_stream), start=1)


def is_xlsx(file_name: str, content: bytes) -> bool:
    return file_name.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04"


def read_rows(file_name: str, content: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header and the (row number, cells) of each non-empty row; row 1 is the header.

    Rows are produced one at a time: a large file is never held as a list of rows.
    """
    rows = _xlsx_rows(content) if is_xlsx(file_name, content) else _csv_rows(content)
    for _number, cells in _readable(rows):
        if _blank(cells) or str(cells[0]).lstrip().startswith("#"):
            continue
        header = ["" if cell is None else str(cell).strip() for cell in cells]
        return header, _data_rows(rows)
    raise FileUnreadable(_("The file is empty: it needs a header row and at least one record."))


def _blank(cells) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _data_rows(rows) -> Iterator[tuple[int, list]]:
    for number, cells in _readable(rows):
        # Blank rows and the template's "#" comment lines are skipped.
        if _blank(cells) or str(cells[0]).lstrip().startswith("#"):
            continue
        yield number, cells


def _readable(rows) -> Iterator[tuple[int, list]]:
    """The rows, with a CSV syntax error (a huge field, a stray NUL) named, not raised raw."""
    number = 1
    while True:
        try:
            number, cells = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileUnreadable(
                _("Row %(row)s cannot be read as CSV (%(error)s).")
                % {"row": number + 1, "error": error}
            ) from None
        yield number, cells


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        # Before openpyxl reads anything: a 500 KB file may unpack to gigabytes.
        xlsx_guard.check_workbook(content)
    except xlsx_guard.WorkbookRefused as refused:
        raise FileUnreadable(refused.message) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or non-XLSX file
        raise FileUnreadable(_("The file could not be read as an XLSX workbook.")) from None
    sheet = workbook.worksheets[0]
    return enumerate(_bounded(sheet.iter_rows(values_only=True)), start=1)


def _bounded(rows) -> Iterator[list]:
    """The sheet's rows, each checked against the guard's limits as it is read.

    The guard has counted the XML; this holds the values openpyxl made of it to the same
    limits (a rich-text cell is several runs the guard saw one by one).
    """
    for number, row in enumerate(rows, start=1):
        if number > xlsx_guard.MAX_ROWS:
            raise FileUnreadable(xlsx_guard.too_many_rows(number))
        if len(row) > xlsx_guard.MAX_COLUMNS and any(
            value is not None for value in row[xlsx_guard.MAX_COLUMNS :]
        ):
            raise FileUnreadable(xlsx_guard.too_many_columns(number))
        for index, value in enumerate(row):
            if isinstance(value, str) and len(value) > xlsx_guard.MAX_CELL_CHARS:
                raise FileUnreadable(
                    _(
                        "Row %(row)s, column %(column)s holds %(count)s characters; "
                        "a cell may hold at most %(limit)s."
                    )
                    % {
                        "row": number,
                        "column": index + 1,
                        "count": f"{len(value):,}",
                        "limit": f"{xlsx_guard.MAX_CELL_CHARS:,}",
                    }
                )
        yield list(row)


def column_map(header: list[str]) -> dict[str, int]:
    """Each known column's position; raise FileUnreadable for unknown or missing columns."""
    positions: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        if not name:
            continue
        column = HEADER_ALIASES.get(name.lower()) or HEADER_ALIASES.get(name)
        if column is None and name.lower() in LEDGER_EXPORT_CALCULATED:
            continue
        if column is None:
            unknown.append(name)
        elif column in positions:
            raise FileUnreadable(_("The column %(name)s appears twice.") % {"name": column})
        else:
            positions[column] = index
    if unknown:
        raise FileUnreadable(_unknown_columns(unknown))
    missing = [name for name in COLUMNS if name in REQUIRED and name not in positions]
    if missing:
        raise FileUnreadable(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    return positions


def _unknown_columns(names: list[str]) -> str:
    shown = ", ".join(shortened(name) for name in names[:NAMES_SHOWN])
    rest = len(names) - NAMES_SHOWN
    if rest <= 0:
        return _("Unknown columns: %(names)s. Use the columns of the template.") % {"names": shown}
    return ngettext(
        "Unknown columns: %(names)s and %(count)s more. Use the columns of the template.",
        "Unknown columns: %(names)s and %(count)s more. Use the columns of the template.",
        rest,
    ) % {"names": shown, "count": f"{rest:,}"}


def shortened(value: str) -> str:
    """The text as a message shows it, cut short: a cell may hold 128 KB of text."""
    return value if len(value) <= QUOTED_CHARS else value[:QUOTED_CHARS] + "…"


def quoted(value: str) -> str:
    return repr(shortened(value))


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _parse_date_text(str(value or "").strip())


@lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    # Cached: a file of monthly readings repeats the same few dozen dates on every row.
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise ValueError(
        _("%(value)s is not a date: write it as 2024-03-01, 2024/3/1 or 2024年3月1日.")
        % {"value": quoted(text)}
    )


def parse_quantity(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("The quantity must be a number."))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("The quantity must be a finite number."))
        number = Decimal(repr(value))
    else:
        text = str(value or "").strip().replace(" ", "")
        if THOUSANDS.match(text):
            text = text.replace(",", "")
        elif DECIMAL_COMMA.match(text):
            raise ValueError(
                _(
                    "%(value)s uses a decimal comma: write the decimal point as a full stop "
                    "(1234.5); commas are only read as thousands separators (1,234.5)."
                )
                % {"value": quoted(text)}
            )
        if LONG_EXPONENT.match(text):
            raise ValueError(
                _("%(value)s has an exponent of more than two digits: write the number out.")
                % {"value": quoted(text)}
            )
        if not (PLAIN_NUMBER.match(text) or SCIENTIFIC.match(text)):
            raise ValueError(_("%(value)s is not a number.") % {"value": quoted(text)})
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(_("The quantity must be a finite number."))
    if number < 0:
        raise ValueError(_("Quantity cannot be negative."))
    if number.as_tuple().exponent < -6:
        raise ValueError(_("The quantity may have at most 6 decimal places."))
    if abs(number) >= Decimal(10) ** 14:
        raise ValueError(_("The quantity is too large."))
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))  # 1.5E+4 is stored and shown as 15000
    return number


def cell(cells: list, positions: dict[str, int], column: str):
    index = positions.get(column)
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return value.strip() if isinstance(value, str) else value


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    value = str(value).strip()
    if ESCAPED_FORMULA.match(value):
        return value[1:]
    return value
