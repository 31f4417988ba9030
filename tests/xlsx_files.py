"""Hand-built XLSX files for the bomb tests: a minimal valid workbook, written with zipfile.

Members are written in 1 MB pieces, so a 200 MB member is never held by the test itself.
"""

import io
import zipfile
from collections.abc import Iterable

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPES}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}">
<Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE}">
<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
PIECE = 1024 * 1024


def cell(reference: str, value) -> str:
    if isinstance(value, int):
        return f'<c r="{reference}" t="s"><v>{value}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def sheet(rows: Iterable[str]) -> Iterable[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    for number, cells in enumerate(rows, start=1):
        yield f'<row r="{number}">{cells}</row>'.encode()
    yield b"</sheetData></worksheet>"


def shared_strings(*pieces: Iterable[bytes]) -> Iterable[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    for piece in pieces:
        yield from piece
    yield b"</sst>"


def repeated(text: bytes, size: int) -> Iterable[bytes]:
    """`size` bytes of `text` repeated, in 1 MB pieces."""
    block = text * (PIECE // len(text))
    while size > 0:
        yield block[:size]
        size -= len(block)


def workbook(sheet_xml: Iterable[bytes], strings_xml: Iterable[bytes] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _write(archive, "xl/worksheets/sheet1.xml", sheet_xml)
        _write(archive, "xl/sharedStrings.xml", strings_xml or shared_strings())
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, pieces: Iterable[bytes]) -> None:
    with archive.open(name, "w", force_zip64=False) as member:
        for piece in pieces:
            member.write(piece)


def normal(rows: list[list]) -> bytes:
    """A small valid workbook whose first sheet holds `rows` as inline strings."""
    lines = [
        "".join(cell(f"{chr(65 + index)}{number}", str(value)) for index, value in enumerate(row))
        for number, row in enumerate(rows, start=1)
    ]
    return workbook(sheet(lines))


def one_huge_shared_string(size: int) -> bytes:
    """A valid workbook whose one cell is a shared string of `size` repeated letters."""
    strings = shared_strings([b"<si><t>"], repeated(b"A", size), [b"</t></si>"])
    return workbook(sheet([cell("A1", 0)]), strings)


def lying_directory(real_size: int, declared_size: int = 1000) -> bytes:
    """The shared strings inflate to `real_size` bytes, but the zip says `declared_size`."""
    strings = shared_strings([b"<si><t>"], repeated(b"A", real_size), [b"</t></si>"])
    data = bytearray(workbook(sheet([cell("A1", 0)]), strings))
    for start in _central_entries(data):
        name_length = int.from_bytes(data[start + 28 : start + 30], "little")
        if data[start + 46 : start + 46 + name_length] == b"xl/sharedStrings.xml":
            # The size in the central directory (offset 24) and in the local header (22).
            data[start + 24 : start + 28] = declared_size.to_bytes(4, "little")
            local = int.from_bytes(data[start + 42 : start + 46], "little")
            data[local + 22 : local + 26] = declared_size.to_bytes(4, "little")
    return bytes(data)


def _central_entries(data: bytearray) -> Iterable[int]:
    start = data.find(b"PK\x01\x02")
    while start >= 0:
        yield start
        start = data.find(b"PK\x01\x02", start + 4)
