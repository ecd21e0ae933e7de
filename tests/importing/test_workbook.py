"""The streamed workbook (app/importing/workbook.py) reads back cell for cell."""

from __future__ import annotations

import asyncio
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

import openpyxl

from app.importing.workbook import column_letters, xlsx_stream


def written(header: list[str], batches: list[list[list[str]]]) -> tuple[bytes, int]:
    async def rows():
        for batch in batches:
            yield batch

    async def collect() -> list[bytes]:
        return [chunk async for chunk in xlsx_stream(header, rows(), "Lernorte")]
    # In a thread of its own: Playwright's sync API may run an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        chunks = pool.submit(asyncio.run, collect()).result()
    return b"".join(chunks), len(chunks)


def test_cells_come_back_as_written_in_their_columns():
    header = [f"h{i}" for i in range(30)]  # past Z: AA, AB, …
    tricky = ["<b>&amp;</b>", "  spaces kept  ", "Ärger \"quotes\" 'é'", "bell\x07gone", "", "x"]
    data, chunks = written(header, [[tricky + [""] * 23 + ["last"]], [["a"] * 30]])
    assert chunks == 3  # a chunk per batch of rows, then the end of the package
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Lernorte"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(header)
    assert rows[1][:6] == ("<b>&amp;</b>", "  spaces kept  ", "Ärger \"quotes\" 'é'", "bellgone",
                           None, "x")
    assert rows[1][29] == "last" and rows[2] == ("a",) * 30


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]
