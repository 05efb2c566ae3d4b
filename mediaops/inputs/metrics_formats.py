"""Reading export files (CSV/TSV, XLSX, JSON, JSON Lines, Bilibili danmaku XML) into grids of cells.

A grid is the rows of one sheet as they are, header included: finding the header (below a preamble, over
two rows) is :mod:`mediaops.inputs.headers`' job. Chinese platforms often export CSV in GBK/GB18030 rather
than UTF-8, so text is decoded by trying UTF-8 (with or without BOM), UTF-16 (with BOM) and then GB18030.
JSON from platform APIs and crawlers is searched for its table wherever it is nested (``{"data": {"list":
[...]}}``); nested objects in records are flattened (``user.nickname``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mediaops.errors import MetricsFormatError

__all__ = ["Grid", "RawTable", "decode_text", "read_grids", "read_table"]

_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True, slots=True)
class Grid:
    """The rows of one sheet (or one CSV/JSON file) as read, header rows included.

    Attributes:
        rows: cells as str, numbers, date-times or ``""``; blank rows are dropped.
        lines: each row's line (CSV) or row number (XLSX) in the file, for messages.
        sheet: the sheet's name (XLSX), else ``""``.
        decimal_comma: the file separates fields with ``;``, as spreadsheets do where the comma is the decimal mark.
        source: "CSV (UTF-8, ','-separated)", "XLSX sheet 'x'", "JSON", … for people.
        notes: what the reader had to guess (a GBK encoding).
    """

    rows: tuple[tuple[Any, ...], ...]
    lines: tuple[int, ...]
    sheet: str = ""
    decimal_comma: bool = False
    source: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawTable:
    """Header names and rows of cells as read from a file (cells are str, numbers or date-times)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    warnings: tuple[str, ...] = ()


def decode_text(raw: bytes, name: str) -> tuple[str, str | None]:
    """Text of an export and a warning when it was not UTF-8.

    Raises:
        MetricsFormatError: the bytes are neither UTF-8, UTF-16 nor GB18030 text.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), f"{name} is not UTF-8; read it as GBK/GB18030 (Chinese Windows encoding)"
    except UnicodeDecodeError as exc:
        raise MetricsFormatError(
            f"{name} is not text in UTF-8 or GBK — re-export it as CSV (UTF-8), XLSX or JSON"
        ) from exc


def _delimiter(lines: list[str]) -> str:
    """The field separator: the one that splits the most lines into the same number (>1) of fields (a preamble
    or a note line above or below the table does not count against it)."""
    best, best_score = ",", -1
    for delimiter in _DELIMITERS:
        counts: dict[int, int] = {}
        for row in csv.reader(lines, delimiter=delimiter):
            if len(row) > 1:
                counts[len(row)] = counts.get(len(row), 0) + 1
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_grid(text: str, encoding_note: str) -> Grid:
    lines = text.splitlines()
    delimiter = _delimiter(lines[:200])
    rows, numbers = [], []
    for line_no, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(cell.strip() for cell in row):
            rows.append(tuple(row))
            numbers.append(line_no)
    shown = {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}[delimiter]
    return Grid(tuple(rows), tuple(numbers), "", delimiter == ";", f"CSV ({encoding_note}, {shown}-separated)")


def _sheet_rows(sheet: Any) -> tuple[list[tuple[Any, ...]], list[int]]:
    """A worksheet's non-blank rows, with merged cells filled from their top-left cell (a grouped header)."""
    values = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                values[(row, col)] = top_left
    rows, numbers = [], []
    for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = tuple(values.get((row_no, col), cell) for col, cell in enumerate(row, start=1))
        if any(c not in (None, "") for c in cells):
            rows.append(tuple("" if c is None else c for c in cells))
            numbers.append(row_no)
    return rows, numbers


def _xlsx_grids(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for damaged files
        raise MetricsFormatError(f"{path.name} is not a readable XLSX workbook — re-save it from Excel") from exc
    try:
        grids = []
        for sheet in book.worksheets:
            rows, numbers = _sheet_rows(sheet)
            grids.append(Grid(tuple(rows), tuple(numbers), sheet.title, False, f"XLSX sheet {sheet.title!r}"))
        return grids
    finally:
        book.close()


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and depth < 2:
            out.update(_flatten(value, f"{name}.", depth + 1))
        elif isinstance(value, list | dict):
            continue
        else:
            out[name] = value
    return out


def _records(doc: Any, depth: int = 0) -> list[dict[str, Any]] | None:
    """The largest list of objects (or column-wise object of lists) anywhere in a JSON document."""
    if depth > 6:
        return None
    found: list[list[dict[str, Any]]] = []
    if isinstance(doc, list):
        if doc and all(isinstance(r, dict) for r in doc):
            found.append(doc)
        else:
            found.extend(r for item in doc if (r := _records(item, depth + 1)))
    elif isinstance(doc, dict):
        lists = {k: v for k, v in doc.items() if isinstance(v, list) and v and not isinstance(v[0], dict | list)}
        if len(lists) >= 2 and len({len(v) for v in lists.values()}) == 1:
            length = len(next(iter(lists.values())))
            found.append([{k: v[i] for k, v in lists.items()} for i in range(length)])
        found.extend(r for value in doc.values()
                     if isinstance(value, dict | list) and (r := _records(value, depth + 1)))
    return max(found, key=len) if found else None


def _json_grid(text: str, name: str) -> Grid:
    try:
        doc: Any = json.loads(text)
        source = "JSON"
    except json.JSONDecodeError:
        try:
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
            source = "JSON Lines"
        except json.JSONDecodeError as exc:
            raise MetricsFormatError(
                f"{name} is not valid JSON (line {exc.lineno}) — export a list of objects, one per interval"
            ) from exc
    records = _records(doc)
    if records is None and isinstance(doc, dict) and not any(isinstance(v, list | dict) for v in doc.values()):
        records = [doc]  # one JSON Lines record
    if not records:
        raise MetricsFormatError(
            f"{name} has no table — expected a list of objects such as [{{\"time\": \"00:00:10\", \"comments\": 5}}]"
        )
    flat = [_flatten(r) for r in records]
    headers = tuple(dict.fromkeys(str(k) for record in flat for k in record))
    rows = [headers, *(tuple(record.get(h, "") for h in headers) for record in flat)]
    return Grid(tuple(rows), tuple(range(1, len(rows) + 1)), "", False, source)


def _danmaku_grid(text: str, name: str) -> Grid:
    """Bilibili danmaku XML (``<d p="12.3,1,25,16777215,1700000000,0,uid,id">text</d>``): the first field of ``p``
    is the time in seconds from the start of the video or recording."""
    if re.search(r"<!(DOCTYPE|ENTITY)", text[:4096], re.I):
        raise MetricsFormatError(f"{name} declares XML entities, which are not read — remove the <!DOCTYPE> part")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise MetricsFormatError(f"{name} is not well-formed XML ({exc}) — re-save the danmaku file") from exc
    items = root.iter("d")
    rows: list[tuple[Any, ...]] = [("time", "user", "text")]
    for item in items:
        fields = (item.get("p") or "").split(",")
        try:
            seconds = float(fields[0])
        except ValueError as exc:
            raise MetricsFormatError(f"{name}: a <d> element has no time in p={item.get('p')!r}") from exc
        rows.append((seconds, fields[6] if len(fields) > 6 else "", item.text or ""))
    if len(rows) == 1:
        raise MetricsFormatError(f"{name} is XML but not a Bilibili danmaku file (no <d p=\"…\"> elements)")
    return Grid(tuple(rows), tuple(range(1, len(rows) + 1)), "", False, "Bilibili danmaku XML")


def read_grids(path: Path) -> list[Grid]:
    """The sheets of a CSV/TSV, XLSX, JSON/JSON Lines or danmaku XML file (format from the content, then the
    suffix); one grid except for workbooks.

    Raises:
        MetricsFormatError: the file cannot be read as any of these.
    """
    suffix = path.suffix.lower()
    raw = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or raw.startswith(b"PK\x03\x04"):
        return _xlsx_grids(path)
    if suffix == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise MetricsFormatError(f"{path.name} is an old Excel 97 (.xls) file — save it as .xlsx or CSV")
    text, warning = decode_text(raw, path.name)
    stripped = text.lstrip()
    encoding = "GBK" if warning else "UTF-8"
    if stripped.startswith("<"):
        return [_danmaku_grid(stripped, path.name)]
    if suffix in (".json", ".jsonl") or stripped[:1] in ("[", "{"):
        grid = _json_grid(text, path.name)
    else:
        grid = _csv_grid(text, encoding)
    return [replace(grid, notes=(warning,)) if warning else grid]


def read_table(path: Path) -> RawTable:
    """The first sheet's table with its first row as the header (product lists and other simple tables).

    Raises:
        MetricsFormatError: the file cannot be read.
    """
    grid = read_grids(path)[0]
    if not grid.rows:
        return RawTable((), ())
    headers = tuple("" if h is None else str(h).strip() for h in grid.rows[0])
    return RawTable(headers, grid.rows[1:])
