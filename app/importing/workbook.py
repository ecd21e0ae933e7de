"""A one-sheet XLSX workbook of text cells, written as a stream.

openpyxl builds the sheet in a file and zips the package at its end: over a million places
the first byte came after seven minutes, and a proxy waiting 60 s between reads (the bundled
nginx's ``proxy_read_timeout``) ends such a download. SpreadsheetML's smallest package (ECMA-376
part 1: content types, two relationship parts, the workbook and its sheet, text as inline
strings) is written here into a zip that is sent while it grows. openpyxl (tests) and
LibreOffice read it back cell for cell; Excel was not at hand to try.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
</Types>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
RELATIONSHIP_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_END = "</sheetData></worksheet>"
# Characters XML 1.0 does not allow, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _relationship(target: str, kind: str) -> str:
    """A part's one relationship (``kind``: officeDocument, worksheet)."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Target="{target}" Type="{RELATIONSHIP_TYPES}{kind}"/>'
            '</Relationships>')


class _Pending:
    """What the zip has written since it was last taken: the zip's output stream, which
    cannot seek, so zipfile writes each entry's sizes after it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def column_letters(index: int) -> str:
    """A, B, …, Z, AA, … for 0, 1, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: str) -> str:
    text = escape(NOT_XML.sub("", value))
    # Spaces at either end are kept only when the cell says so (a fifth of a row's bytes if
    # every cell said it).
    return (f'<t xml:space="preserve">{text}</t>' if text != text.strip() else f"<t>{text}</t>")


def _row(number: int, cells: Sequence[str], columns: Sequence[str]) -> str:
    # Empty cells are left out; each cell names its place, so the others stay in their column.
    return f'<row r="{number}">' + "".join(
        f'<c r="{column}{number}" t="inlineStr"><is>{_text(value)}</is></c>'
        for column, value in zip(columns, cells) if value) + "</row>"


async def xlsx_stream(header: Sequence[str], rows: AsyncIterable[Sequence[Sequence[str]]],
                      sheet_name: str) -> AsyncIterator[bytes]:
    """The workbook's bytes, a batch of ``rows`` at a time after the header row."""
    pending = _Pending()
    columns = [column_letters(i) for i in range(len(header))]
    with zipfile.ZipFile(pending, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", _relationship("xl/workbook.xml", "officeDocument"))
        package.writestr("xl/workbook.xml", WORKBOOK.format(name=escape(sheet_name)))
        package.writestr("xl/_rels/workbook.xml.rels",
                         _relationship("worksheets/sheet1.xml", "worksheet"))
        # Without zip64, which Excel refuses where it is not needed: the sheet stays below
        # 2 GiB up to about a million places of ordinary length (1.5 KB a row), more rows than
        # a worksheet holds anyway; beyond, zipfile ends the stream with an error.
        with package.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_START + _row(1, header, columns)).encode())
            number = 1
            async for batch in rows:
                text = []
                for cells in batch:
                    number += 1
                    text.append(_row(number, cells, columns))
                sheet.write("".join(text).encode())
                yield pending.take()
            sheet.write(SHEET_END.encode())
    yield pending.take()
