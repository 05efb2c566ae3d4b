"""Reading the operator's planning files (KPI targets, run-of-show) as YAML, JSON or CSV records."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import yaml

from mediaops.errors import PlanFormatError
from mediaops.media.probe import check_input_file

SUFFIXES = (".yaml", ".yml", ".json", ".csv")


def read_document(path: Path, what: str) -> Any:
    """The parsed content of a YAML, JSON or CSV file (CSV: a list of dicts with stripped header names).

    Raises:
        InputFileError: missing or empty file.
        PlanFormatError: unknown suffix, not UTF-8, or not valid YAML/JSON/CSV.
    """
    check_input_file(path, what)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanFormatError(f"{what} {path.name} has an unknown type — give a .yaml, .yml, .json or .csv file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"{what} {path.name} is not UTF-8 text — save it as UTF-8") from exc
    if suffix == ".csv":
        rows = csv.DictReader(io.StringIO(text))
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in rows]
    try:
        return json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"{what} {path.name} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PlanFormatError(f"{what} {path.name} is not valid YAML{where} — check its indentation and colons") \
            from exc


def normal_key(key: object) -> str:
    """A key compared case- and spacing-insensitively: ``"Peak Viewers"`` → ``"peak_viewers"``."""
    return re.sub(r"[\s\-]+", "_", str(key).strip().lower())


def parse_amount(value: object) -> float:
    """A number from ``1200``, ``"5,000"``, ``"¥5000"``, ``"1.2万"``, ``"3%"`` (→ 3.0).

    Raises:
        ValueError: not a number.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    text = text.lstrip("¥￥$").rstrip("%").strip()
    factor = 1.0
    if text.endswith(("万", "w", "W")):
        factor, text = 10_000.0, text[:-1]
    elif text.endswith("亿"):
        factor, text = 100_000_000.0, text[:-1]
    return float(text) * factor
