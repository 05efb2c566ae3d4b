"""Reading export files (CSV, XLSX, JSON) into a plain table of header names and cell values.

Chinese platforms often export CSV in GBK/GB18030 rather than UTF-8, so text is decoded by trying UTF-8
(with or without BOM), UTF-16 (with BOM) and then GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from mediaops.errors import MetricsFormatError


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


def _csv_table(text: str) -> RawTable:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    if not rows:
        return RawTable((), ())
    return RawTable(tuple(h.strip() for h in rows[0]), tuple(tuple(r) for r in rows[1:]))


def _xlsx_table(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for damaged files
        raise MetricsFormatError(f"{path.name} is not a readable XLSX workbook — re-save it from Excel") from exc
    try:
        sheet = book.worksheets[0]
        rows = [r for r in sheet.iter_rows(values_only=True) if any(c not in (None, "") for c in r)]
    finally:
        book.close()
    if not rows:
        return RawTable((), ())
    headers = tuple("" if h is None else str(h).strip() for h in rows[0])
    warnings = ("read the first sheet only",) if len(book.sheetnames) > 1 else ()
    return RawTable(headers, tuple(tuple("" if c is None else c for c in r) for r in rows[1:]), warnings)


def _json_table(text: str, name: str) -> RawTable:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        # JSON Lines: one object per line
        try:
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise MetricsFormatError(
                f"{name} is not valid JSON (line {exc.lineno}) — export a list of objects, one per interval"
            ) from exc
    if isinstance(doc, dict):
        records = next((v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)), None)
        if records is None and doc and all(isinstance(v, list) for v in doc.values()):
            # columnar: {"time": [...], "comments": [...]}
            length = max(len(v) for v in doc.values())
            records = [{k: (v[i] if i < len(v) else "") for k, v in doc.items()} for i in range(length)]
        if records is None and not any(isinstance(v, list | dict) for v in doc.values()):
            records = [doc]  # one JSON Lines record
        doc = records
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise MetricsFormatError(
            f"{name} has no table — expected a list of objects such as [{{\"time\": \"00:00:10\", \"comments\": 5}}]"
        )
    headers = tuple(dict.fromkeys(str(k) for record in doc for k in record))
    rows = tuple(tuple(record.get(h, "") for h in headers) for record in doc)
    return RawTable(headers, rows)


def read_table(path: Path) -> RawTable:
    """The table in a CSV/TSV, XLSX or JSON export (format from the suffix, then from the content).

    Raises:
        MetricsFormatError: the file cannot be read as any of these.
    """
    suffix = path.suffix.lower()
    raw = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or raw.startswith(b"PK\x03\x04"):
        return _xlsx_table(path)
    if suffix == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise MetricsFormatError(f"{path.name} is an old Excel 97 (.xls) file — save it as .xlsx or CSV")
    text, warning = decode_text(raw, path.name)
    stripped = text.lstrip()
    is_json = suffix in (".json", ".jsonl") or stripped[:1] in ("[", "{")
    table = _json_table(text, path.name) if is_json else _csv_table(text)
    return RawTable(table.headers, table.rows, (*table.warnings, *((warning,) if warning else ())))
