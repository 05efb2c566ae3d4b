"""Metrics exports as operators have them: each file format, encodings, absolute times, mappings, bad files."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mediaops.errors import InputFileError, MetricsFormatError
from mediaops.inputs.metrics import MetricsOptions, load_mapping, load_metrics

CST = timezone(timedelta(hours=8))
ROWS = [("00:00:00", 100, 5, 1), ("00:00:10", 120, 9, 0), ("00:00:20", 130, 4, 2), ("00:00:30", 90, 6, 1)]


def _csv(path: Path, header: str, rows: list[tuple], encoding: str = "utf-8") -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(str(c) for c in r) for r in rows) + "\n", encoding=encoding)
    return path


def _check_rows(m) -> None:
    assert m.interval_s == 10
    assert m.get("online_viewers").values == (100, 120, 130, 90)
    assert m.get("comments").values == (5, 9, 4, 6)
    assert m.get("orders").values == (1, 0, 2, 1)
    assert m.get("comments").t_s == (0, 10, 20, 30)


def test_csv(tmp_path: Path) -> None:
    _check_rows(load_metrics(_csv(tmp_path / "m.csv", "time,online_viewers,comments,orders", ROWS)))


def test_tsv_with_chinese_headers(tmp_path: Path) -> None:
    f = tmp_path / "m.tsv"
    lines = ["时间点\t在线人数\t评论数\t订单数", *("\t".join(map(str, r)) for r in ROWS)]
    f.write_text("\n".join(lines), encoding="utf-8")
    _check_rows(load_metrics(f))


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["统计时间", "实时在线人数", "评论次数", "成交订单数"])
    for t, *values in ROWS:
        sheet.append([t, *values])
    book.save(tmp_path / "m.xlsx")
    _check_rows(load_metrics(tmp_path / "m.xlsx"))


def test_xlsx_with_datetime_cells(tmp_path: Path) -> None:
    from openpyxl import Workbook

    start = datetime(2026, 11, 27, 20, 0, 0)
    book = Workbook()
    sheet = book.active
    sheet.append(["时间", "在线人数", "评论数", "订单数"])
    for k, (_, *values) in enumerate(ROWS):
        sheet.append([start + timedelta(seconds=10 * k), *values])
    book.save(tmp_path / "m.xlsx")
    m = load_metrics(tmp_path / "m.xlsx", start_time=datetime(2026, 11, 27, 19, 59, 50, tzinfo=CST))
    assert m.get("comments").t_s == (10, 20, 30, 40)
    assert "absolute times aligned with --start-time" in m.alignment


@pytest.mark.parametrize("layout", ["records", "wrapped", "columnar", "lines"])
def test_json(tmp_path: Path, layout: str) -> None:
    records = [{"time": t, "online_viewers": v, "comments": c, "orders": o} for t, v, c, o in ROWS]
    if layout == "records":
        text = json.dumps(records)
    elif layout == "wrapped":
        text = json.dumps({"code": 0, "data": records})
    elif layout == "columnar":
        text = json.dumps({k: [r[k] for r in records] for k in records[0]})
    else:
        text = "\n".join(json.dumps(r) for r in records)
    f = tmp_path / "m.json"
    f.write_text(text)
    _check_rows(load_metrics(f))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_chinese_encodings_are_decoded(tmp_path: Path, encoding: str) -> None:
    m = load_metrics(_csv(tmp_path / "m.csv", "时间,实时在线人数,评论次数,成交订单数", ROWS, encoding))
    _check_rows(m)
    assert any("GBK" in w for w in m.warnings) == encoding.startswith("gb")


def test_not_text_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_bytes(bytes(range(128, 256)) * 20)
    with pytest.raises(MetricsFormatError, match="not text in UTF-8 or GBK"):
        load_metrics(f)


def test_absolute_times_with_start_time_and_offset(tmp_path: Path) -> None:
    rows = [(f"2026-11-27 20:0{k}:00", 100 + k, 3 * k, 0) for k in range(4)]
    f = _csv(tmp_path / "m.csv", "time,online_viewers,comments,orders", rows)
    start = datetime(2026, 11, 27, 19, 59, 0, tzinfo=CST)
    m = load_metrics(f, MetricsOptions(offset_s=-2.5), start, "--start-time")
    assert m.interval_s == 60
    assert m.get("online_viewers").t_s == (57.5, 117.5, 177.5, 237.5)
    assert m.start_time == start
    assert "--start-time" in m.alignment and "-2.5 s" in m.alignment


def test_naive_times_against_utc_creation_time_guess_the_zone(tmp_path: Path) -> None:
    rows = [(f"2026/11/27 20:00:{10 * k:02d}", 100, k, 0) for k in range(4)]
    f = _csv(tmp_path / "m.csv", "时间,在线人数,评论数,订单数", rows)
    created = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)  # 20:00 in China
    m = load_metrics(f, start_time=created, start_source="the recording's creation time")
    assert m.get("comments").t_s == (0, 10, 20, 30)
    assert "UTC+08:00" in m.alignment
    assert any("time zone" in w for w in m.warnings)


def test_absolute_times_without_start_time_are_refused(tmp_path: Path) -> None:
    """Measuring date-times from the export's own first row hides an export that starts late or early."""
    rows = [(1764244800 + 30 * k, 100, k, 0) for k in range(4)]  # Unix epoch seconds
    f = _csv(tmp_path / "m.csv", "timestamp,viewers,comments,orders", rows)
    with pytest.raises(MetricsFormatError, match=r"start time is unknown — pass --start-time"):
        load_metrics(f)
    start = datetime.fromtimestamp(1764244800 - 30, UTC)
    assert load_metrics(f, start_time=start).get("comments").t_s == (30, 60, 90, 120)


def test_mixed_offsets_and_datetimes(tmp_path: Path) -> None:
    f = _csv(tmp_path / "m.csv", "time,comments", [("00:00:00", 1), ("2026-11-27 20:00:00", 2), ("00:00:20", 3)])
    with pytest.raises(MetricsFormatError, match="mixes offsets and date-times"):
        load_metrics(f)


def test_unsorted_and_duplicated_times(tmp_path: Path) -> None:
    rows = [("00:00:20", 130, 4), ("00:00:00", 100, 5), ("00:00:10", 120, 9), ("00:00:10", 120, 9),
            ("00:00:30", 90, 6)]
    m = load_metrics(_csv(tmp_path / "m.csv", "time,online_viewers,comments", rows))
    assert m.get("comments").values == (5, 9, 4, 6)
    assert any("not in time order" in w for w in m.warnings)
    assert any("1 duplicated time(s) (identical; dropped)" in w for w in m.warnings)


def test_conflicting_duplicates_keep_the_last(tmp_path: Path) -> None:
    rows = [("0", 5), ("10", 9), ("10", 11), ("20", 4)]
    m = load_metrics(_csv(tmp_path / "m.csv", "time,comments", rows))
    assert m.get("comments").values == (5, 11, 4)
    assert any("different values" in w for w in m.warnings)


def test_gaps_become_unknown(tmp_path: Path) -> None:
    rows = [("00:00:00", 5), ("00:00:10", 9), ("00:00:40", 4), ("00:00:50", 6)]
    m = load_metrics(_csv(tmp_path / "m.csv", "time,comments", rows))
    values = m.get("comments").values
    assert m.get("comments").t_s == (0, 10, 20, 30, 40, 50)
    assert math.isnan(values[2]) and math.isnan(values[3])
    assert any("missing 2 of 6 intervals (first at 00:00:20)" in w for w in m.warnings)


def test_cumulative_counter_across_a_gap_and_a_reset(tmp_path: Path) -> None:
    rows = [("0", 10), ("10", 20), ("20", 30), ("50", 90), ("60", 5), ("70", 15)]
    m = load_metrics(_csv(tmp_path / "m.csv", "time,likes", rows))
    assert m.get("likes").values == (10, 10, 10, 20, 20, 20, 5, 10)
    assert any("running total" in w for w in m.warnings)


def test_per_interval_counts_are_not_mistaken_for_totals(tmp_path: Path) -> None:
    rows = [(str(10 * k), v) for k, v in enumerate([10, 11, 11, 12, 12, 13])]
    m = load_metrics(_csv(tmp_path / "m.csv", "time,comments", rows))
    assert m.get("comments").values == (10, 11, 11, 12, 12, 13)


def test_chinese_number_formats_and_summary_row(tmp_path: Path) -> None:
    rows = [("0", "1.2万", '"¥1,234.50"', "-"), ("60", "1.3万", "￥99", "3"), ("120", "1.1万", "0", "2"),
            ("合计", "", '"¥1,333.50"', "5")]
    m = load_metrics(_csv(tmp_path / "m.csv", "时间,在线人数,成交金额,订单数", rows))
    assert m.get("online_viewers").values == (12000, 13000, 11000)
    assert m.get("gmv").values == (1234.5, 99, 0)
    assert math.isnan(m.get("orders").values[0])
    assert any("skipped 1 row" in w for w in m.warnings)


def test_unknown_columns_are_ignored_with_a_warning(tmp_path: Path) -> None:
    m = load_metrics(_csv(tmp_path / "m.csv", "time,comments,福袋,extra", [("0", 1, 2, 3), ("10", 2, 3, 4)]))
    assert m.names == ("comments",)
    assert sum("ignored unknown column" in w for w in m.warnings) == 2


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_mapping_file_renames_columns(tmp_path: Path, suffix: str) -> None:
    mapping = tmp_path / f"map{suffix}"
    if suffix == ".json":
        mapping.write_text(json.dumps({"弹幕条数": "comments", "小心心": "likes", "备注": "ignore"}), encoding="utf-8")
    else:
        mapping.write_text("# export header,metric\n弹幕条数,comments\n小心心,likes\n备注,ignore\n", encoding="utf-8")
    f = _csv(tmp_path / "m.csv", "时间,弹幕条数,小心心,备注", [("0", 3, 7, "x"), ("10", 1, 9, "y"), ("20", 5, 8, "z")])
    m = load_metrics(f, MetricsOptions(mapping=load_mapping(mapping)))
    assert m.names == ("comments", "likes")
    assert not m.warnings


def test_mapping_to_an_unknown_metric(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"a": "hearts"}))
    with pytest.raises(MetricsFormatError, match="unknown metric 'hearts'"):
        load_mapping(mapping)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time,comments\n", "no data rows"),
        ("   \n\n", "no data rows"),
        ("time,foo\n0,1\n10,2\n", "lacks a known metric column"),
        ("comments,likes\n1,2\n3,4\n", "lacks a time column"),
        ("time,comments\n0,1\nyesterday,2\n10,3\n", "line 3: cannot read time 'yesterday'"),
        ("time,comments\n0,x\n10,y\n", "no metric column with numbers"),
        ("[{\"time\": 0, \"comments\": 1}", "not valid JSON"),
        ("time,comments\n0,1\n200000,2\n", "spans 56 hours"),
    ],
    ids=["header-only", "blank", "no-metric", "no-time", "bad-time", "no-numbers", "broken-json", "wrong-span"],
)
def test_bad_files_give_clear_messages(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / ("m.json" if content.startswith("[") else "m.csv")
    f.write_text(content)
    with pytest.raises(MetricsFormatError, match=message):
        load_metrics(f)


def test_a_wrong_date_in_the_time_column(tmp_path: Path) -> None:
    f = _csv(tmp_path / "m.csv", "time,comments", [("2026-11-27 20:00:00", 1), ("2062-11-27 20:01:00", 2)])
    with pytest.raises(MetricsFormatError, match="spans 315576 hours"):
        load_metrics(f, start_time=datetime(2026, 11, 27, 20, 0, tzinfo=CST))


def test_empty_and_old_excel_files(tmp_path: Path) -> None:
    empty = tmp_path / "m.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        load_metrics(empty)
    xls = tmp_path / "m.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(MetricsFormatError, match=r"save it as \.xlsx or CSV"):
        load_metrics(xls)


def test_times_of_day_are_read_on_the_start_clock(tmp_path: Path) -> None:
    rows = [("20:01", 100, 3, 0), ("20:02", 110, 5, 1), ("20:03", 90, 4, 0)]
    f = _csv(tmp_path / "m.csv", "时间,在线人数,评论数,订单数", rows)
    m = load_metrics(f, start_time=datetime(2026, 11, 27, 20, 0, 0, tzinfo=CST))
    assert m.get("comments").t_s == (60, 120, 180)
    assert m.alignment.startswith("times of day aligned with --start-time")
    # without a start time 20:01 is 20 min 1 s or a time of day on an unknown date: refused, naming the flags
    with pytest.raises(MetricsFormatError, match=r"times of day \(first '20:01'\).*pass --start-time.*--times offsets"):
        load_metrics(f)
    assert load_metrics(f, MetricsOptions(times="offsets")).get("comments").t_s == (1201, 1202, 1203)


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text("直播数据导出,,\n2026-11-27,,\n时间,评论数,点赞数\n0,1,5\n60,3,2\n120,2,7\n", encoding="utf-8")
    m = load_metrics(f)
    assert m.names == ("comments", "likes") and m.get("likes").values == (5, 2, 7)
    assert any("skipped 2 title row(s)" in w for w in m.warnings)


@pytest.mark.parametrize(
    ("cell", "kind", "value"),
    [
        ("2026-11-20T20:00:00-05:00", "datetime", datetime(2026, 11, 20, 20, tzinfo=timezone(timedelta(hours=-5)))),
        ("20:00-20:01", "colon", 20 * 60.0),  # a range: its start (MM:SS reading; the clock reading is 20:00)
        ("2026-11-20 20:00:00 ~ 2026-11-20 20:01:00", "datetime", datetime(2026, 11, 20, 20)),
        ("08:15 PM", "clock", 20 * 3600 + 15 * 60.0),
        ("12:05 AM", "clock", 5 * 60.0),
        ("中午12:30", "clock", 12 * 3600 + 30 * 60.0),
        ("下午8:00", "clock", 20 * 3600.0),
        ('="2026-11-20 20:00:00"', "datetime", datetime(2026, 11, 20, 20)),
        ("2026年11月20日 20:05", "datetime", datetime(2026, 11, 20, 20, 5)),
        ("1763640000000", "number", 1763640000000.0),
    ],
)
def test_time_cells(cell: str, kind: str, value: object) -> None:
    """Wrong readings rejected: a negative zone taken for a range end; 12 AM as noon; 中午12:30 as 00:30."""
    from mediaops.inputs.timeparse import parse_time_cell

    parsed = parse_time_cell(cell)
    assert (parsed.kind, parsed.value) == (kind, value)


@pytest.mark.parametrize(
    ("cells", "comma", "values"),
    [
        (["1,234", "12.5"], False, [1234.0, 12.5]),
        (["4325,00", "1.234,5"], True, [4325.0, 1234.5]),
        (["1,234"], False, [1234.0]),  # fits both styles: thousands, the default
        (["US$1,234.50", "¥12", "1.6w", "3亿", "45%", "(12.00)", "-"], False,
         [1234.5, 12.0, 16000.0, 3e8, 0.45, -12.0, math.nan]),
    ],
)
def test_number_styles(cells: list[str], comma: bool, values: list[float]) -> None:
    """Wrong readings rejected: 4325,00 as 432 500; 1.6w as unreadable; a mixed column read cell by cell."""
    from mediaops.inputs.numbers import decimal_style, parse_number

    assert decimal_style(cells) is comma
    read = [parse_number(c, comma).value for c in cells]
    assert [v for v in read if not math.isnan(v)] == [v for v in values if not math.isnan(v)]
    with pytest.raises(ValueError, match="mixes number styles"):
        decimal_style(["4325,00", "1,234.50"])


@pytest.mark.parametrize(("text", "offset_h"), [("+08:00", 8), ("UTC+8", 8), ("GMT-05:00", -5), ("UTC", 0),
                                                 ("+0530", 5.5), ("Asia/Shanghai", 8)])
def test_timezone_option(text: str, offset_h: float) -> None:
    from mediaops.inputs.placement import parse_timezone

    zone = parse_timezone(text)
    assert datetime(2026, 11, 20, 20, tzinfo=zone).utcoffset() == timedelta(hours=offset_h)
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_timezone("Mars/Olympus")
