"""Refuse an XLSX decompression bomb before openpyxl reads any of it.

An XLSX file is a zip of XML parts. A 500 KB upload can inflate to gigabytes (one cell of
500 MB, millions of shared strings), and openpyxl holds a whole cell, the whole shared-string
table and every part other than the rows of a sheet in memory. So every reader of XLSX
uploads (the import page, the admin import) calls `check_workbook` first, which:

1. reads the zip's directory (not the zip library's objects for it: a directory of a
   million entries is itself a bomb) and refuses too many members, a member or a total
   whose declared size is too large, and a compression ratio only a bomb has;
2. inflates each member in 1 MB chunks, counting the bytes actually produced (the
   directory may lie), and runs its XML through expat without building it: a text longer
   than a cell may hold, too many rows, columns, shared strings or elements held at once,
   a DTD, or a long stretch with no complete tag (a huge attribute or comment) stop the scan
   at once. The scan costs about a sixth of openpyxl's own reading time.

Memory stays at a few MB whatever the file holds. The limits are the product's: a file
Excel could write but that no import of ours needs (a million rows, 16,384 columns) is
refused too, because openpyxl's reading time grows with the sheet's declared extent.
"""

import io
import re
import struct
import zipfile
from xml.parsers import expat

from django.utils.translation import gettext as _

# The zip directory: Kehui's workbooks have about ten members; 1,000 leaves room for many
# sheets and images, and 1 MB of directory (about 20,000 entries) is read before counting.
MAX_MEMBERS = 1_000
MAX_DIRECTORY_BYTES = 1024 * 1024
# A sheet of 300,000 rows written by openpyxl is about 150 MB of XML; Excel's shared-string
# sheets are smaller. Every other part (styles, workbook, theme, images) is small.
MAX_SHEET_BYTES = 200 * 1024 * 1024
MAX_PART_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 250 * 1024 * 1024
# Real sheets compress 5-30 times (measured: 14 for openpyxl's own, 16 for identical rows);
# deflate's bombs reach 1,000. The ratio is only judged on members over 1 MB.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Excel's own limit for one cell.
MAX_CELL_CHARS = 32_767
# openpyxl reads a sheet at about 0.3 ms a row (a 150,000-row import, 4 MB of XLSX, took 58 s
# to preview on the 2-core host against 12 s as a 10 MB CSV): 30,000 rows preview in about
# 12 s, the CSV limit's time, well within gunicorn's 60 s. Larger data sets go as CSV. A
# sheet's padding to its declared extent is read row by row, so rows x columns bounds the time.
MAX_ROWS = 30_000
MAX_COLUMNS = 200
# openpyxl keeps every shared string (about 150 bytes each with its index): 500,000 ≈ 75 MB.
MAX_SHARED_STRINGS = 500_000
# Elements openpyxl holds at once: one row, one shared string, or a whole other part.
MAX_ELEMENTS_HELD = 100_000
# Characters held at once, in the same units: a row of 200 full cells is 6.6 million.
MAX_CHARS_HELD = 8_000_000
# Bytes expat may buffer without an event: the longest start tag (its attributes) or comment.
MAX_TAG_BYTES = 1024 * 1024

CHUNK_BYTES = 1024 * 1024
END_OF_DIRECTORY = b"PK\x05\x06"
END_OF_DIRECTORY_SIZE = 22
XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
WORKSHEET = re.compile(r"(^|/)worksheets/[^/]+\.xml$", re.IGNORECASE)
SHARED_STRINGS = re.compile(r"(^|/)sharedStrings\.xml$", re.IGNORECASE)
CELL_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
ROW, CELL, DIMENSION, SHARED_STRING = (MAIN + tag for tag in ("row", "c", "dimension", "si"))


class WorkbookRefused(ValueError):
    """The XLSX file is refused; str() is a message for the person who uploaded it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def check_workbook(content: bytes) -> None:
    """Raise WorkbookRefused if `content` would take more than the limits to read.

    A file that is not a zip at all passes: the reader says it is not an XLSX workbook.
    """
    if not _directory_is_small(content):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        _check_declared_sizes(members)
        for member in members:
            _check_member(archive, member)


def _directory_is_small(content: bytes) -> bool:
    """Refuse a directory too large to read; False when there is no zip directory at all."""
    start = content.rfind(END_OF_DIRECTORY, max(0, len(content) - 65_536 - END_OF_DIRECTORY_SIZE))
    if start < 0 or len(content) < start + END_OF_DIRECTORY_SIZE:
        return False
    _disk, _directory_disk, _here, entries, directory_bytes = struct.unpack(
        "<HHHHI", content[start + 4 : start + 16]
    )
    # 0xFFFF / 0xFFFFFFFF mean "see the zip64 record": only files of gigabytes need one.
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        raise WorkbookRefused(
            _("The XLSX file uses the zip64 format, which no workbook this size needs.")
        )
    if entries > MAX_MEMBERS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise WorkbookRefused(
            _("The XLSX file holds %(count)s parts; a workbook may hold at most %(limit)s.")
            % {"count": f"{entries:,}", "limit": f"{MAX_MEMBERS:,}"}
        )
    return True


def _limit_of(name: str) -> int:
    return (
        MAX_SHEET_BYTES if WORKSHEET.search(name) or SHARED_STRINGS.search(name) else MAX_PART_BYTES
    )


def _check_declared_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(
            _("The XLSX file holds %(count)s parts; a workbook may hold at most %(limit)s.")
            % {"count": f"{len(members):,}", "limit": f"{MAX_MEMBERS:,}"}
        )
    total = 0
    for member in members:
        _refuse_size(member.filename, member.file_size)
        total += member.file_size
        if total > MAX_TOTAL_BYTES:
            raise WorkbookRefused(
                _("The XLSX file unpacks to more than %(limit)s; split it into smaller files.")
                % {"limit": _mb(MAX_TOTAL_BYTES)}
            )
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise WorkbookRefused(
                _(
                    "The part %(part)s of the XLSX file unpacks %(ratio)s times larger than it is "
                    "stored (at most %(limit)s times): the file is refused as a zip bomb."
                )
                % {
                    "part": member.filename,
                    "ratio": f"{member.file_size // max(member.compress_size, 1):,}",
                    "limit": MAX_RATIO,
                }
            )


def _refuse_size(name: str, size: int) -> None:
    limit = _limit_of(name)
    if size > limit:
        raise WorkbookRefused(
            _("The part %(part)s of the XLSX file unpacks to more than %(limit)s.")
            % {"part": name, "limit": _mb(limit)}
        )


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Inflate the member chunk by chunk, counting real bytes; scan it if it is XML."""
    scan = _XmlScan(member.filename) if XML_PART.search(member.filename) else None
    inflated = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                inflated += len(chunk)
                # zipfile stops at the declared size, but a reader that did not would be
                # stopped here: the real bytes are held to the same limit as the declared.
                _refuse_size(member.filename, inflated)
                if scan:
                    scan.feed(chunk)
        if scan:
            scan.close()
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError):
        # A damaged member (wrong CRC, unsupported compression, encrypted): openpyxl says
        # the workbook is unreadable.
        return


class _XmlScan:
    """Walk one XML part with expat, holding only counters, and refuse what is too big.

    Elements are matched by their namespaced names, as openpyxl matches them. The handlers
    are closures over local counters: they run for every element of a sheet.
    """

    def __init__(self, name: str):
        self.name = name
        self.is_sheet = bool(WORKSHEET.search(name))
        self.is_strings = bool(SHARED_STRINGS.search(name))
        self.parser = expat.ParserCreate(namespace_separator=" ")
        # Text arrives in pieces as it is read, not joined: a 500 MB cell is never held.
        self.parser.buffer_text = False
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.fed = 0
        # [unused, text chars since the last tag, elements held, chars held, rows, row number,
        #  cells in the row, shared strings, rows begun]. No end-tag handler: it would cost a
        # third more time, and counting from each start tag only ever counts more.
        state = self.state = [0, 0, 0, 0, 0, 0, 0, 0, False]
        is_sheet, is_strings = self.is_sheet, self.is_strings
        where = self._where

        def start(tag: str, attributes: dict) -> None:
            state[1] = 0
            state[2] += 1
            if is_sheet:
                if tag == CELL:
                    state[6] += 1
                    reference = attributes.get("r")
                    # "A7" or "AB7": only a reference past column 26 needs a closer look.
                    if state[6] > MAX_COLUMNS or (
                        reference and len(reference) > 1 and not reference[1].isdigit()
                    ):
                        self._check_cell(reference)
                elif tag == ROW:
                    self._start_row(attributes.get("r"))
                elif tag == DIMENSION:
                    self._check_extent(attributes.get("ref", "").rsplit(":", 1)[-1])
            elif is_strings and tag == SHARED_STRING:
                state[7] += 1
                state[2] = 1
                state[3] = 0
                if state[7] > MAX_SHARED_STRINGS:
                    raise WorkbookRefused(
                        _("The XLSX file holds more than %(limit)s different texts.")
                        % {"limit": f"{MAX_SHARED_STRINGS:,}"}
                    )
            if state[2] > MAX_ELEMENTS_HELD:
                raise WorkbookRefused(
                    where(_("more than %(limit)s elements") % {"limit": f"{MAX_ELEMENTS_HELD:,}"})
                )

        def text(data: str) -> None:
            state[1] += len(data)
            state[3] += len(data)
            if state[1] > MAX_CELL_CHARS:
                raise WorkbookRefused(
                    where(
                        _("a text longer than %(limit)s characters (Excel's limit for a cell)")
                        % {"limit": f"{MAX_CELL_CHARS:,}"}
                    )
                )
            if state[3] > MAX_CHARS_HELD:
                raise WorkbookRefused(
                    where(_("more than %(limit)s characters") % {"limit": f"{MAX_CHARS_HELD:,}"})
                )

        self.parser.StartElementHandler = start
        self.parser.CharacterDataHandler = text

    def feed(self, chunk: bytes) -> None:
        self.fed += len(chunk)
        self._parse(chunk, final=False)
        # Between calls, CurrentByteIndex is where the unfinished token starts: expat buffers
        # everything after it (a tag's attributes, a comment) until the token ends.
        if self.fed - self.parser.CurrentByteIndex > MAX_TAG_BYTES:
            raise WorkbookRefused(
                _("The part %(part)s of the XLSX file has a tag longer than %(limit)s.")
                % {"part": self.name, "limit": _mb(MAX_TAG_BYTES)}
            )

    def close(self) -> None:
        self._parse(b"", final=True)

    def _parse(self, chunk: bytes, final: bool) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError:
            # Not well-formed: openpyxl would refuse it too, after holding it.
            raise WorkbookRefused(
                _("The part %(part)s of the XLSX file is not well-formed XML.")
                % {"part": self.name}
            ) from None

    def _doctype(self, *args) -> None:
        # Workbooks never declare a DTD; one is how entity-expansion bombs start.
        raise WorkbookRefused(
            _("The part %(part)s of the XLSX file declares a DTD, which workbooks never do.")
            % {"part": self.name}
        )

    def _start_row(self, number) -> None:
        state = self.state
        state[4] += 1
        state[5] = _int(number) or state[5] + 1
        state[6] = 0
        state[2] = 1
        state[3] = 0
        state[8] = True
        if state[4] > MAX_ROWS or state[5] > MAX_ROWS:
            raise WorkbookRefused(too_many_rows(state[5]))

    def _check_cell(self, reference) -> None:
        if self.state[6] > MAX_COLUMNS:
            raise WorkbookRefused(too_many_columns(self.state[5]))
        self._check_extent(reference)

    def _check_extent(self, reference: str) -> None:
        match = CELL_REFERENCE.match(reference or "")
        if not match:
            return
        row = int(match.group(2))
        if row > MAX_ROWS:
            raise WorkbookRefused(too_many_rows(row))
        if _column_number(match.group(1)) > MAX_COLUMNS:
            raise WorkbookRefused(too_many_columns(row))

    def _where(self, problem: str) -> str:
        if self.is_sheet and self.state[8]:
            return _("Row %(row)s of the XLSX file holds %(problem)s.") % {
                "row": f"{self.state[5]:,}",
                "problem": problem,
            }
        if self.is_strings:
            return _("Shared text number %(index)s of the XLSX file holds %(problem)s.") % {
                "index": f"{self.state[7]:,}",
                "problem": problem,
            }
        return _("The part %(part)s of the XLSX file holds %(problem)s.") % {
            "part": self.name,
            "problem": problem,
        }


def too_many_rows(row: int) -> str:
    return _(
        "The XLSX file has more than %(limit)s rows (row %(row)s): save it as CSV, or split it "
        "into smaller files."
    ) % {"limit": f"{MAX_ROWS:,}", "row": f"{row:,}"}


def too_many_columns(row: int) -> str:
    return _("Row %(row)s of the XLSX file has more than %(limit)s columns.") % {
        "row": f"{row:,}",
        "limit": MAX_COLUMNS,
    }


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
