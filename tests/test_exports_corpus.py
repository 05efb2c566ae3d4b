"""The export corpus (``tests/data/exports/``): every real-world layout and quirk is read right, or refused with
one line that names the fix. None is misread silently.

Each case of ``cases.json`` describes the same 10-minute stream (recording 600 s from 2026-11-20 20:00 Beijing
time) written one platform's or spreadsheet's way, with the totals, peaks, first time and warnings it must
yield, or the error it must give. The expected numbers come from ``make_corpus.py``'s series, not from the reader.

Wrong implementations the corpus rejects (each is applied below as a mutant, and its case must then fail):

- bare clock times (``20:00:10``) read as offsets when the start time is unknown (20 hours into the stream);
- ``Time (UTC)`` read in local time (shifted by −8 h);
- ``05/11/2026`` guessed month-first silently (11 May) when the start time says 5 November;
- a minute index (``分钟``: 0, 1, 2…) read as seconds;
- Excel time-of-day cells read as offsets;
- ``成交金额(万元)`` and ``成交金额(分)`` read as yuan (GMV off by 10 000× or 100×);
- the decimal comma dropped (``4325,00`` → 432 500);
- ``US$1,234.50`` not read (the GMV KPI shown as absent);
- a per-minute count that rises every minute differenced as a running total (orders 30 instead of 157);
- ``在线人数`` (the minute's peak) used where ``实时在线人数`` is present;
- an export wider than the recording counted whole in the KPIs;
- a merged two-row header refused; an overview sheet before the minute sheet read instead of it;
- comment date-times with no known start aligned to the first comment.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest

from mediaops.errors import MetricsFormatError
from mediaops.inputs import headers, metrics, numbers, placement, timeparse
from mediaops.inputs.comments import read_comments
from mediaops.inputs.metrics import MetricsOptions, load_mapping, read_metrics

CORPUS = Path(__file__).resolve().parent / "data" / "exports"
_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
assert _spec is not None and _spec.loader is not None
make_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_corpus)

CASES: list[dict[str, Any]] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
BY_ID = {case["id"]: case for case in CASES}


def _file(case: dict[str, Any], folder: Path) -> Path:
    name = case["file"]
    return make_corpus.build_xlsx(name, folder) if name.endswith(".xlsx") else CORPUS / name


def _options(case: dict[str, Any]) -> MetricsOptions:
    given = dict(case["options"])
    mapping_file = given.pop("mapping_file", None)
    mapping = load_mapping(CORPUS / mapping_file) if mapping_file else ()
    return MetricsOptions(mapping=mapping, **given)


def _close(actual: float | None, expected: float) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-6)


def check(case: dict[str, Any], folder: Path) -> None:
    """Read ``case`` and compare with its expectation; any difference (an unexpected error included) is an
    AssertionError."""
    expect = case["expect"]
    start = datetime.fromisoformat(case["start_time"]) if case["start_time"] else None
    args = (_file(case, folder), _options(case), start, case["start_source"], case["duration_s"])
    read = read_metrics if case["kind"] == "metrics" else read_comments
    try:
        result = read(*args)
    except MetricsFormatError as exc:
        message = str(exc)
        assert "error" in expect, f"refused: {message}"
        assert "\n" not in message and " — " in message, f"not one line naming the fix: {message}"
        assert re.search(expect["error"], message), f"{message!r} does not match {expect['error']!r}"
        return
    assert "error" not in expect, f"read, but it must be refused with {expect['error']!r}"
    if case["kind"] == "metrics":
        _check_metrics(result, expect)
    else:
        _check_comments(result, expect)


def _warnings_match(warnings: tuple[str, ...], expect: dict[str, Any]) -> None:
    for pattern in expect.get("warnings", []):
        assert any(re.search(pattern, w) for w in warnings), f"no warning matches {pattern!r}: {warnings}"
    for pattern in expect.get("no_warnings", []):
        assert not any(re.search(pattern, w) for w in warnings), f"a warning matches {pattern!r}: {warnings}"


def _check_metrics(reading: metrics.MetricsReading, expect: dict[str, Any]) -> None:
    found = reading.metrics
    for name, wanted in expect["series"].items():
        series = found.get(name)
        assert series is not None, f"{name} is missing (got {found.names})"
        values = [v for v in series.values if not math.isnan(v)]
        if "total" in wanted:
            assert _close(sum(values), wanted["total"]), f"{name} total {sum(values)} != {wanted['total']}"
        if "peak" in wanted:
            assert _close(max(values), wanted["peak"]), f"{name} peak {max(values)} != {wanted['peak']}"
    assert found.interval_s == expect["interval_s"], f"interval {found.interval_s}"
    first = {s.t_s[0] for s in found.series}
    assert first == {expect["first_t_s"]}, f"first time {first} != {expect['first_t_s']}"
    if "alignment" in expect:
        assert re.search(expect["alignment"], found.alignment), found.alignment
    for name, currency in expect.get("currency", {}).items():
        assert reading.currencies.get(name) == currency, reading.currencies
    _warnings_match(found.warnings, expect)


def _check_comments(log: Any, expect: dict[str, Any]) -> None:
    comments = log.comments
    assert len(comments) == expect["count"]
    assert _close(comments[0].t_s, expect["first_t_s"]), f"first comment at {comments[0].t_s}"
    assert _close(comments[-1].t_s, expect["last_t_s"]), f"last comment at {comments[-1].t_s}"
    assert comments[0].text == expect["first_text"]
    if "first_user" in expect:
        assert comments[0].user == expect["first_user"]
    _warnings_match(log.warnings, expect)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    check(case, tmp_path)


def test_the_corpus_is_what_its_generator_writes(tmp_path: Path) -> None:
    make_corpus.write(tmp_path)
    for written in tmp_path.iterdir():
        assert written.read_bytes() == (CORPUS / written.name).read_bytes(), f"{written.name} differs: re-run " \
                                                                            "python tests/data/exports/make_corpus.py"
    files = {c["file"] for c in CASES}
    assert files <= {p.name for p in CORPUS.iterdir()} | set(make_corpus.XLSX)
    assert set(make_corpus.XLSX) <= files


# --- the wrong implementations, applied as mutants ---------------------------------------------------------------


def _old_running_totals(name: str, columns: dict, counts: str) -> tuple[set[str], list[str]]:
    return {m for m, (_, v) in columns.items() if m not in headers.LEVEL_METRICS
            and metrics._never_falls_and_grows(v)}, []


def _aligned_to_first_row(original: Callable) -> Callable:
    def place_times(column: timeparse.TimeColumn, name: str, what: str = "metrics", **kwargs: Any):
        reading = column.readings[0]
        if kwargs.get("start_time") is None and reading.kind == "absolute":
            kwargs["start_time"] = min(reading.values)
        return original(column, name, what, **kwargs)
    return place_times


def _time_cells_as_offsets(original: Callable) -> Callable:
    def parse(cell: object) -> timeparse.TimeCell:
        if isinstance(cell, time):
            return timeparse.TimeCell("offset", cell.hour * 3600 + cell.minute * 60 + cell.second)
        return original(cell)
    return parse


def _without_trimming(original: Callable) -> Callable:
    return lambda table, placed, options, duration_s, path: original(table, placed, options, None, path)


MUTANTS: list[tuple[str, str, Callable[[pytest.MonkeyPatch], None]]] = [
    ("clock times read as offsets without a start", "clock-without-start",
     lambda mp: mp.setattr(placement, "_OFFSET_START_MAX_S", 1e9)),
    ("Time (UTC) read as local time", "time-utc-column", lambda mp: mp.setattr(headers, "_zone", lambda text: None)),
    ("05/11/2026 read month-first silently", "ambiguous-dates-decided-by-start",
     lambda mp: mp.setattr(timeparse, "_dates", lambda cells, order, f=timeparse._dates: f(cells, "month-first"))),
    ("minute index read as seconds", "minute-index-column", lambda mp: mp.setattr(headers, "_MINUTE_HEADERS", set())),
    ("Excel time cells read as offsets", "excel-time-cells-in-xlsx",
     lambda mp: mp.setattr(metrics, "parse_time_cell", _time_cells_as_offsets(timeparse.parse_time_cell))),
    ("万元 read as 元", "gmv-in-wan-yuan", lambda mp: mp.setitem(headers._MONEY_UNITS, "万元", (1.0, "CNY"))),
    ("分 read as 元", "gmv-in-fen", lambda mp: mp.setitem(headers._MONEY_UNITS, "分", (1.0, "CNY"))),
    ("decimal comma dropped", "decimal-comma-quoted",
     lambda mp: mp.setattr(metrics, "decimal_style", lambda cells, default=False: False)),
    ("US$ cells not read", "usd-cells",
     lambda mp: mp.setattr(numbers, "_CURRENCIES", tuple(c for c in numbers._CURRENCIES if c[0] != "us$"))),
    ("rising per-minute count differenced", "rising-per-minute-count",
     lambda mp: mp.setattr(metrics, "running_totals", _old_running_totals)),
    ("在线人数 (peak) preferred over 实时在线人数", "realtime-online-preferred-over-peak",
     lambda mp: mp.setitem(headers._ALIAS_KEYS, "在线人数", ("online_viewers", 0))),
    ("wider export counted whole", "wider-export-trimmed",
     lambda mp: mp.setattr(metrics, "build_metrics", _without_trimming(metrics.build_metrics))),
    ("two-row header refused", "merged-two-row-header-xlsx",
     lambda mp: mp.setattr(headers, "_match_pair", lambda index, *a: headers.HeaderMatch(index, 2, ()))),
    ("only the first sheet read", "overview-sheet-first",
     lambda mp: mp.setattr(metrics, "read_grids", lambda path, f=metrics.read_grids: f(path)[:1])),
    ("comment date-times aligned to the first comment", "comments-absolute-without-start",
     lambda mp: mp.setattr(metrics, "place_times", _aligned_to_first_row(placement.place_times))),
]


@pytest.mark.parametrize(("wrong", "case_id", "apply"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_each_wrong_implementation_fails_its_case(
    wrong: str, case_id: str, apply: Callable[[pytest.MonkeyPatch], None], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    check(BY_ID[case_id], tmp_path)  # right as written
    apply(monkeypatch)
    with pytest.raises(AssertionError):
        check(BY_ID[case_id], tmp_path)
