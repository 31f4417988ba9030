"""Reading an interval file: its encoding, header, and each cell's timestamp and kWh.

A year of 50 meters at 15 minutes is 1,752,000 rows: the file is streamed from the upload
(never held as text or as a list of rows), and the parsing of a cell is cached or kept to a
regular expression and a few integer operations.
"""

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from ..imports.reading import FileUnreadable, parse_quantity, quoted

COLUMNS = ("facility", "meter", "start", "kwh")
# Matched case-insensitively after trimming; each column has one Chinese name, and the names
# utility and sub-metering exports commonly use are accepted too.
CHINESE_HEADERS = {"设施": "facility", "电表": "meter", "开始时间": "start", "电量": "kwh"}
HEADER_ALIASES = (
    {name: name for name in COLUMNS}
    | CHINESE_HEADERS
    | {
        "facility code": "facility",
        "meter id": "meter",
        "interval start": "start",
        "kwh": "kwh",
        "电量(kwh)": "kwh",
        "电量（kwh）": "kwh",
    }
)
METER_CHARS = 60
# China Standard Time, the time of every stored day and hour: no daylight saving time.
CST = dt.timezone(dt.timedelta(hours=8), "CST")
SLOTS_PER_DAY = 96  # quarter hours
READ_BYTES = 1024 * 1024
# 2025-01-01 00:15, 2025/1/1 0:15 (a spreadsheet's way), 2025-01-01T00:15:00, +08:00 or Z.
TIMESTAMP = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
WATT_HOURS = re.compile(r"^(\d{1,8})(?:\.(\d{1,3}))?$")
# The most one interval may hold: a 400 MW site uses 100,000 kWh in a quarter hour. Keeps the
# sum of four readings within the stored hour's 12 digits.
MAX_INTERVAL_KWH = Decimal(10) ** 8


class TimestampError(ValueError):
    """A start that is not a timestamp, or not on the quarter-hour grid."""


def encoding_of(upload: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030: the first that decodes the whole file.

    One pass of the decoder alone (60 MB in well under a second), so that the rows are then
    read once, in the right encoding.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            for chunk in iter(lambda: upload.read(READ_BYTES), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileUnreadable(_("The file is neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV."))


def rows(upload: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the (row number, cells) of each non-empty row, read as they stream."""
    encoding = encoding_of(upload)
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding=encoding, newline="")
    reader = csv.reader(text)

    def numbered() -> Iterator[tuple[int, list[str]]]:
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileUnreadable(
                    _("Row %(row)s cannot be read as CSV (%(error)s).")
                    % {"row": number + 1, "error": error}
                ) from None
            number += 1
            # Blank rows (",,,," too) and "#" comment lines are skipped.
            first = cells[0].lstrip() if cells else ""
            if first.startswith("#") or (not first and not "".join(cells).strip()):
                continue
            yield number, cells

    numbered_rows = numbered()
    for _number, cells in numbered_rows:
        return [cell.strip() for cell in cells], numbered_rows
    raise FileUnreadable(_("The file is empty: it needs a header row and at least one reading."))


def column_map(
    header: list[str], *, aliases: dict | None = None, columns=COLUMNS, unknown_message=None
) -> dict[str, int]:
    """Each column's position; raise FileUnreadable for unknown, repeated or missing ones.

    Interval meter data by default; another upload of readings (a contract's generation) passes
    its own columns, their aliases and the message naming them."""
    aliases = HEADER_ALIASES if aliases is None else aliases
    positions: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(header):
        if not name:
            continue
        column = aliases.get(name.lower())
        if column is None:
            unknown.append(quoted(name))
        elif column in positions:
            raise FileUnreadable(_("The column %(name)s appears twice.") % {"name": column})
        else:
            positions[column] = index
    if unknown:
        message = unknown_message or _(
            "Unknown columns: %(names)s. The columns are facility, meter, start and kwh."
        )
        raise FileUnreadable(message % {"names": ", ".join(unknown[:5])})
    missing = [name for name in columns if name not in positions]
    if missing:
        raise FileUnreadable(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    return positions


def parse_start(value: str) -> tuple[dt.date, int]:
    """The local (CST) day and quarter-hour slot (0–95) an interval starts in.

    A time without an offset is China Standard Time; one with an offset (Z, +00:00, +09:00)
    names an instant without doubt, so it is converted to CST rather than refused.
    """
    match = TIMESTAMP.match(value)
    if match is None:
        raise TimestampError(
            _(
                "%(value)s is not a start time: write it as 2025-01-01 00:15 or "
                "2025-01-01T00:15:00 (China Standard Time)."
            )
            % {"value": quoted(value)}
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        moment = dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
        if offset is not None and offset not in ("+08:00", "+0800"):
            zone = dt.UTC if offset == "Z" else _zone(offset)
            moment = moment.replace(tzinfo=zone).astimezone(CST).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise TimestampError(
            _("%(value)s is not a valid date and time.") % {"value": quoted(value)}
        ) from None
    if moment.second or moment.minute % 15:
        raise TimestampError(
            _(
                "%(value)s is not on the quarter-hour grid: intervals start at :00, :15, :30 "
                "or :45 (15-minute meters) or at :00 (hourly meters)."
            )
            % {"value": quoted(value)}
        )
    return moment.date(), moment.hour * 4 + moment.minute // 15


def _zone(offset: str) -> dt.timezone:
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    if minutes >= 24 * 60:
        raise ValueError(offset)
    sign = -1 if offset[0] == "-" else 1
    return dt.timezone(dt.timedelta(minutes=sign * minutes))


def parse_watt_hours(value: str) -> int:
    """The reading in Wh (kWh to three decimals); ValueError naming what is wrong."""
    match = WATT_HOURS.match(value)
    if match is not None:  # the common case, without building a Decimal
        whole, fraction = match.groups()
        return int(whole) * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)
    if not value:
        raise ValueError(
            _("The kWh is blank: give the interval's reading (0 if nothing was used).")
        )
    if value.lstrip().startswith("-"):
        raise ValueError(_("The kWh cannot be negative."))
    number = parse_quantity(value)  # thousands separators, 1.5E3; its messages for the rest
    if number.as_tuple().exponent < -3:
        raise ValueError(
            _("%(value)s has more than 3 decimal places: kWh are stored to the Wh.")
            % {"value": quoted(value)}
        )
    if number >= MAX_INTERVAL_KWH:
        raise ValueError(
            _("%(value)s kWh is more than one interval can hold (under 100,000,000 kWh).")
            % {"value": quoted(value)}
        )
    return int(number * 1000)
