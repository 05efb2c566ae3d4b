"""Writes the export corpus: one small file per real-world layout and quirk, and ``cases.json`` with what each
must yield (totals, peaks, first times, warnings) or the error it must give.

Every case describes the same 10-minute stream (a recording of 600 s that started 2026-11-20 20:00:00 Beijing
time, one row per minute) written the way a platform or a spreadsheet writes it, so the expected numbers are
known by construction: they are computed here from the series below, never from the reader. Text files are
checked in (``python tests/data/exports/make_corpus.py`` rewrites them; a test checks they match); XLSX
workbooks are built by the test with :func:`build_xlsx`.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = "2026-11-20T20:00:00+08:00"
START_UTC = "2026-11-20T12:00:00+00:00"  # the same moment, as a recording's creation time
DURATION_S = 600.0
DAY = datetime(2026, 11, 20)

#: the stream, per minute
ONLINE = [120, 135, 150, 160, 158, 170, 165, 180, 175, 160]  # 实时在线人数: peak 180
PEAK_ONLINE = [130, 150, 165, 172, 170, 181, 178, 190, 186, 171]  # 在线人数 (the minute's peak): 190
ENTERED = [300, 260, 240, 250, 220, 230, 210, 205, 190, 180]
COMMENTS = [12, 30, 25, 40, 18, 22, 35, 28, 20, 15]
LIKES = [80, 95, 60, 120, 75, 88, 140, 90, 70, 66]
FOLLOWS = [4, 6, 3, 9, 5, 2, 7, 4, 3, 1]
ORDERS = [3, 5, 2, 8, 4, 6, 9, 3, 5, 2]
GMV = [299.0, 598.0, 0.0, 1495.5, 897.0, 299.0, 2093.0, 598.0, 1196.0, 0.0]
RISING_ORDERS = [5, 7, 9, 12, 14, 16, 18, 21, 25, 30]  # a per-minute count that happens to rise every minute
N = len(ONLINE)


def _total(values: list[float]) -> float:
    return round(sum(values), 2)


def _running(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(round(total, 2))
    return out


def _hhmm(k: int, hour: int = 20) -> str:
    return f"{hour:02d}:{k:02d}"


def _hhmmss(k: int, hour: int = 20, second: int = 0) -> str:
    return f"{hour:02d}:{k:02d}:{second:02d}"


def _csv(header: list[str], rows: list[list[object]], sep: str = ",") -> str:
    def cell(value: object) -> str:
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return '"' + text.replace('"', '""') + '"' if sep in text or '"' in text else text

    return "\n".join(sep.join(cell(c) for c in line) for line in [header, *rows]) + "\n"


def _excel_serial(moment: datetime) -> float:
    return round((moment - datetime(1899, 12, 30)).total_seconds() / 86400, 10)


# --- expectations ------------------------------------------------------------------------------------------------

BASE = {"online_viewers": {"peak": max(ONLINE)}, "comments": {"total": _total(COMMENTS)},
        "orders": {"total": _total(ORDERS)}, "gmv": {"total": _total(GMV)}}


def _expect(series: dict[str, dict[str, float]] | None = None, **extra: object) -> dict[str, object]:
    return {"series": series if series is not None else BASE, "interval_s": 60.0, "first_t_s": 0.0, **extra}


def _rows(time_of: object, *columns: list[object]) -> list[list[object]]:
    return [[time_of(k), *(c[k] for c in columns)] for k in range(N)]  # type: ignore[operator]


STD_HEADER = ["时间", "实时在线人数", "评论次数", "成交订单数", "成交金额"]


def _std(time_of: object, header: list[str] | None = None, gmv: list[object] | None = None) -> str:
    return _csv(header or STD_HEADER, _rows(time_of, ONLINE, COMMENTS, ORDERS, gmv if gmv is not None else GMV))


# --- the text files -------------------------------------------------------------------------------------------------


def text_files() -> dict[str, str]:
    """File name -> content of every checked-in corpus file."""
    files: dict[str, str] = {}
    # times
    files["clock_hhmmss.csv"] = _std(_hhmmss)
    files["clock_hhmmss_en.csv"] = _csv(["time", "concurrent viewers", "comments", "orders", "gmv"],
                                        _rows(_hhmmss, ONLINE, COMMENTS, ORDERS, GMV))
    files["morning_hhmm.csv"] = _csv(STD_HEADER, _rows(lambda k: _hhmm(k, 9), ONLINE, COMMENTS, ORDERS, GMV))
    files["excel_serial.csv"] = _std(lambda k: f"{_excel_serial(DAY + timedelta(hours=20, minutes=k)):.10f}")
    files["excel_day_fraction.csv"] = _std(lambda k: f"{(20 * 60 + k) / 1440:.10f}")
    files["time_utc_column.csv"] = _csv(["Time (UTC)", "concurrent viewers", "comments", "orders", "GMV"],
                                        _rows(lambda k: f"2026-11-20 12:{k:02d}:00", ONLINE, COMMENTS, ORDERS, GMV))
    files["dates_ambiguous.csv"] = _csv(["Date & time", "viewers", "comments", "orders", "gmv"],
                                        _rows(lambda k: f"05/11/2026 20:{k:02d}", ONLINE, COMMENTS, ORDERS, GMV))
    files["minute_index.csv"] = _csv(["分钟", "实时在线人数", "评论次数", "成交订单数", "成交金额"],
                                     _rows(lambda k: k, ONLINE, COMMENTS, ORDERS, GMV))
    files["minute_index_unnamed.csv"] = _csv(["time", "online_viewers", "comments", "orders", "gmv"],
                                             _rows(lambda k: k, ONLINE, COMMENTS, ORDERS, GMV))
    files["time_ranges.csv"] = _std(lambda k: f"20:{k:02d}-20:{k + 1:02d}", ["时间段", *STD_HEADER[1:]])
    files["ampm.csv"] = _csv(["Time", "Concurrent viewers", "Comments", "Orders", "GMV"],
                             _rows(lambda k: f"08:{k:02d} PM", ONLINE, COMMENTS, ORDERS, GMV))
    files["dotted_dates.csv"] = _std(lambda k: f"20.11.2026 20:{k:02d}:00")
    files["slash_day_first.csv"] = _std(lambda k: f"20/11/2026 20:{k:02d}")
    files["excel_text_guard.csv"] = _std(lambda k: f'="2026-11-20 20:{k:02d}:00"')
    # units and numbers
    files["gmv_wan_yuan.csv"] = _std(_hhmm, [*STD_HEADER[:4], "成交金额(万元)"], [round(g / 1e4, 5) for g in GMV])
    files["gmv_fen.csv"] = _std(_hhmm, [*STD_HEADER[:4], "成交金额（分）"], [round(g * 100) for g in GMV])
    files["decimal_comma_semicolon.csv"] = _csv(  # as a spreadsheet in a decimal-comma locale saves it
        ["time", "online_viewers", "comments", "orders", "gmv"],
        [[_hhmmss(k), ONLINE[k], COMMENTS[k], ORDERS[k], f"{GMV[k] * 10:.2f}".replace(".", ",")] for k in range(N)],
        ";")
    files["decimal_comma_quoted.csv"] = _csv(
        ["time", "online_viewers", "comments", "orders", "gmv"],
        [[_hhmmss(k), ONLINE[k], COMMENTS[k], ORDERS[k], f"{GMV[k] * 10:.2f}".replace(".", ",")] for k in range(N)])
    files["usd_cells.csv"] = _csv(["Time", "Viewers", "Comments", "Orders", "GMV"],
                                  [[_hhmmss(k), ONLINE[k], COMMENTS[k], ORDERS[k], f"US${GMV[k]:,.2f}"]
                                   for k in range(N)])
    files["wan_suffix.csv"] = _csv(STD_HEADER, [[_hhmm(k), f"{ONLINE[k] / 100:g}w", COMMENTS[k], ORDERS[k], GMV[k]]
                                                for k in range(N)])
    files["mixed_currency.csv"] = _csv(["time", "online_viewers", "comments", "orders", "gmv"],
                                       [[_hhmmss(k), ONLINE[k], COMMENTS[k], ORDERS[k],
                                         f"{'¥' if k % 2 else '$'}{GMV[k]:.2f}"] for k in range(N)])
    # columns and transforms
    files["rising_per_minute.csv"] = _csv(["时间", "实时在线人数", "评论次数", "成交订单数"],
                                          _rows(_hhmm, ONLINE, COMMENTS, RISING_ORDERS))
    files["rising_alone.csv"] = _csv(["时间", "实时在线人数", "成交订单数"], _rows(_hhmm, ONLINE, RISING_ORDERS))
    files["running_totals.csv"] = _csv(STD_HEADER, _rows(_hhmm, ONLINE, _running(COMMENTS), _running(ORDERS),
                                                          _running(GMV)))
    files["cumulative_header.csv"] = _csv(["时间", "实时在线人数", "评论次数", "累计成交金额"],
                                          _rows(_hhmm, ONLINE, COMMENTS, _running(GMV)))
    files["online_peak_and_realtime.csv"] = _csv(["时间", "在线人数", "实时在线人数", "评论次数"],
                                                 _rows(_hhmm, PEAK_ONLINE, ONLINE, COMMENTS))
    wide = [[_hhmm(k, 20) if k >= 0 else _hhmm(60 + k, 19),
             (ONLINE[k] if 0 <= k < N else 90), (COMMENTS[k] if 0 <= k < N else 7), (ORDERS[k] if 0 <= k < N else 4),
             (GMV[k] if 0 <= k < N else 1000.0)] for k in range(-10, N + 10)]
    files["wider_export.csv"] = _csv(STD_HEADER, wide)
    files["misaligned_export.csv"] = _std(lambda k: _hhmm(k, 18))
    # the platforms' own names
    files["douyin_buyin.csv"] = _csv(["时间", "实时在线人数", "进入直播间人数", "评论次数", "点赞次数", "新增粉丝数",
                                      "直播间成交订单数", "直播间成交金额"],
                                     _rows(_hhmm, ONLINE, ENTERED, COMMENTS, LIKES, FOLLOWS, ORDERS, GMV))
    files["taobao_zhongkongtai.csv"] = _csv(["时间", "在线人数", "观看次数", "评论数", "新增粉丝数", "引导成交笔数",
                                             "引导成交金额(元)"],
                                            _rows(lambda k: f"2026-11-20 20:{k:02d}", ONLINE, ENTERED, COMMENTS,
                                                  FOLLOWS, ORDERS, GMV))
    files["kuaishou.csv"] = _csv(["时间点", "在线人数", "进房人数", "评论数", "点赞数", "成交订单数", "成交金额(元)"],
                                 _rows(_hhmm, ONLINE, ENTERED, COMMENTS, LIKES, ORDERS, GMV))
    files["xiaohongshu.csv"] = _csv(["时间", "实时在线人数", "新增关注数", "评论数", "支付订单数", "支付金额（元）"],
                                    _rows(_hhmm, ONLINE, FOLLOWS, COMMENTS, ORDERS, GMV))
    files["shipinhao.csv"] = _csv(["时间", "在线人数", "喝彩次数", "评论次数", "新增关注", "订单数", "销售额(元)"],
                                  _rows(_hhmm, ONLINE, LIKES, COMMENTS, FOLLOWS, ORDERS, GMV))
    files["tiktok_live_manager.csv"] = _csv(
        ["Date & time", "Concurrent viewers", "New followers", "Likes", "Comments", "Orders paid", "GMV ($)"],
        _rows(lambda k: f"11/20/2026 08:{k:02d} PM", ONLINE, FOLLOWS, LIKES, COMMENTS, ORDERS, GMV))
    # layouts
    preamble = ["抖音直播 数据导出", "直播间：好物小店", "开播时间：2026-11-20 20:00:00", "统计周期：每分钟",
                "导出时间：2026-11-20 22:31:05", "单位：人、次、元"]
    files["preamble_6_lines.csv"] = "\n".join(preamble) + "\n" + _std(_hhmm)
    files["note_under_table.csv"] = _std(_hhmm) + "注：数据有约 5 分钟延迟，仅供参考\n数据来源：巨量百应\n"
    api_rows = [{"stat_time": None, "time": f"2026-11-20 20:{k:02d}:00", "online_user_cnt": ONLINE[k],
                 "comment_cnt": COMMENTS[k], "pay_order_cnt": ORDERS[k], "pay_amount": GMV[k]} for k in range(N)]
    files["nested_api.json"] = json.dumps({"code": 0, "msg": "ok", "data": {"room_id": "7311", "list": api_rows}},
                                          ensure_ascii=False, indent=1) + "\n"
    files["nested_api_mapping.json"] = json.dumps({"online_user_cnt": "online_viewers", "comment_cnt": "comments",
                                                   "pay_order_cnt": "orders", "pay_amount": "gmv",
                                                   "stat_time": "ignore"}) + "\n"
    files["nested_columnar.json"] = json.dumps({"status": "success", "data": {"trend": {
        "time": [_hhmm(k) for k in range(N)], "online_viewers": ONLINE, "comments": COMMENTS, "orders": ORDERS,
        "gmv": GMV}}}) + "\n"
    # comment logs
    comments = [(5, "小王", "来了"), (33, "lily", "666"), (34, "阿杰", "上链接"), (35, "momo", "上链接"),
                (95, "小李", "已拍"), (312, "Ann", "好看"), (590, "老张", "明天还播吗")]
    files["comments_clock.csv"] = _csv(["评论时间", "昵称", "评论内容"],
                                       [[_hhmmss(t // 60, 20, t % 60), u, x] for t, u, x in comments])
    files["comments_absolute.csv"] = _csv(["评论时间", "用户昵称", "评论内容"],
                                          [[f"2026-11-20 {_hhmmss(t // 60, 20, t % 60)}", u, x]
                                           for t, u, x in comments])
    epoch = int(datetime.fromisoformat(START).timestamp())
    files["douyin_crawler.json"] = json.dumps([{"cid": f"7{k}", "content": x, "nickname": u, "create_time": epoch + t,
                                                "digg_count": 0} for k, (t, u, x) in enumerate(comments)],
                                              ensure_ascii=False, indent=1) + "\n"
    files["tiktok_crawler.jsonl"] = "".join(
        json.dumps({"type": "comment", "comment": x, "createTime": (epoch + t) * 1000,
                    "user": {"uniqueId": f"u{k}", "nickname": u}}, ensure_ascii=False) + "\n"
        for k, (t, u, x) in enumerate(comments))
    files["bilibili_danmaku.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<i><chatserver>chat.bilibili.com</chatserver><chatid>0</chatid>\n'
        + "".join(f'<d p="{t}.250,1,25,16777215,{epoch + t},0,a{k:04x},{9000 + k}">{x}</d>\n'
                  for k, (t, _, x) in enumerate(comments)) + "</i>\n")
    files["comments_custom_headers.csv"] = _csv(["发送时刻(秒)", "观众", "说了什么"],
                                                [[t, u, x] for t, u, x in comments])
    files["comments_custom_mapping.json"] = json.dumps({"发送时刻(秒)": "time", "观众": "user", "说了什么": "text"},
                                                       ensure_ascii=False) + "\n"
    files["comments_late.jsonl"] = "".join(json.dumps({"t_s": t + 700, "user": u, "text": x}, ensure_ascii=False) + "\n"
                                           for t, u, x in comments)
    return files


COMMENT_TIMES = [5, 33, 34, 35, 95, 312, 590]


# --- XLSX, built by the test ---------------------------------------------------------------------------------------


def build_xlsx(name: str, folder: Path) -> Path:
    """Write the workbook ``name`` (one of :data:`XLSX`) into ``folder``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    minute = [DAY + timedelta(hours=20, minutes=k) for k in range(N)]
    if name == "merged_header.xlsx":
        sheet.title = "分钟趋势"
        sheet.append(["时间", "流量", None, "互动", "成交", None])
        sheet.append([None, "实时在线人数", "进入直播间人数", "评论次数", "订单数", "金额(元)"])
        sheet.merge_cells("B1:C1")
        sheet.merge_cells("E1:F1")
        for k in range(N):
            sheet.append([minute[k], ONLINE[k], ENTERED[k], COMMENTS[k], ORDERS[k], GMV[k]])
            sheet.cell(k + 3, 1).number_format = "yyyy-mm-dd hh:mm"
    elif name == "overview_then_minutes.xlsx":
        sheet.title = "概览"
        for row in (["直播间", "好物小店"], ["开播时间", "2026-11-20 20:00"], ["成交金额", _total(GMV)],
                    ["成交订单数", _total(ORDERS)], ["最高在线", max(ONLINE)]):
            sheet.append(row)
        minutes = book.create_sheet("分钟数据")
        minutes.append(["统计时间", "实时在线人数", "评论次数", "成交订单数", "成交金额"])
        for k in range(N):
            minutes.append([f"2026-11-20 20:{k:02d}", ONLINE[k], COMMENTS[k], ORDERS[k], GMV[k]])
    elif name == "time_cells.xlsx":
        sheet.append(STD_HEADER)
        for k in range(N):
            sheet.append([time(20, k), ONLINE[k], COMMENTS[k], ORDERS[k], GMV[k]])
            sheet.cell(k + 2, 1).number_format = "hh:mm"
    elif name == "serial_numbers.xlsx":
        sheet.append(STD_HEADER)
        for k in range(N):
            sheet.append([_excel_serial(minute[k]), ONLINE[k], COMMENTS[k], ORDERS[k], GMV[k]])
    elif name == "title_merged_over_header.xlsx":
        sheet.append(["快手直播 分钟数据 2026-11-20", None, None, None, None])
        sheet.merge_cells("A1:E1")
        sheet.append(["时间", "在线人数", "评论数", "成交订单数", "成交金额(元)"])
        for k in range(N):
            sheet.append([_hhmm(k), ONLINE[k], COMMENTS[k], ORDERS[k], GMV[k]])
    else:
        raise ValueError(name)
    path = folder / name
    book.save(path)
    return path


XLSX = ("merged_header.xlsx", "overview_then_minutes.xlsx", "time_cells.xlsx", "serial_numbers.xlsx",
        "title_merged_over_header.xlsx")


# --- the cases ------------------------------------------------------------------------------------------------------


def _case(case_id: str, file: str, expect: dict[str, object], kind: str = "metrics", start: str | None = START,
          source: str = "--start-time", duration_s: float | None = DURATION_S, **options: object) -> dict[str, object]:
    return {"id": case_id, "file": file, "kind": kind, "start_time": start, "start_source": source,
            "duration_s": duration_s, "options": options, "expect": expect}


def _error(pattern: str) -> dict[str, object]:
    return {"error": pattern}


def _comments_expect(first_t: float = 5.0, **extra: object) -> dict[str, object]:
    return {"count": len(COMMENT_TIMES), "first_t_s": first_t, "last_t_s": first_t + 585.0,
            "first_text": "来了", **extra}


CREATION = "the recording's creation time"
ALL_BUT_TIME = {"online_viewers": {"peak": max(ONLINE)}, "comments": {"total": _total(COMMENTS)},
                "orders": {"total": _total(ORDERS)}, "gmv": {"total": _total(GMV)}}


def cases() -> list[dict[str, object]]:
    """Every case of the corpus with its expectation."""
    return [
        # --- times
        _case("clock-without-start", "clock_hhmmss.csv", _error(r"times of day \(first '20:00:00'\) but the "
              r"recording's start time is unknown — pass --start-time"), start=None),
        _case("clock-with-start", "clock_hhmmss.csv", _expect(alignment=r"^times of day aligned with --start-time")),
        _case("clock-against-utc-creation-time-chinese", "clock_hhmmss.csv",
              _expect(warnings=[r"Beijing time \(UTC\+08:00\)"]), start=START_UTC, source=CREATION),
        _case("clock-against-utc-creation-time-english", "clock_hhmmss_en.csv",
              _expect(warnings=[r"assumed UTC\+08:00 .* pass --timezone"]), start=START_UTC, source=CREATION),
        _case("clock-utc-creation-time-timezone-flag", "clock_hhmmss_en.csv", _expect(no_warnings=[r"time zone"]),
              start=START_UTC, source=CREATION, timezone="+08:00"),
        _case("morning-stream-hhmm", "morning_hhmm.csv", _expect(no_warnings=[r"both readings fit"]),
              start="2026-11-20T09:00:00+08:00"),
        _case("morning-stream-hhmm-without-start", "morning_hhmm.csv",
              _error(r"covers only 00:00:10 of the 00:10:00 recording .* '09:00' was read as minutes:seconds; pass "
                     r"--start-time"), start=None),
        _case("excel-serial-numbers-in-csv", "excel_serial.csv", _expect(warnings=[r"Excel date numbers"])),
        _case("excel-serial-numbers-in-xlsx", "serial_numbers.xlsx", _expect(warnings=[r"Excel date numbers"])),
        _case("excel-day-fractions-in-csv", "excel_day_fraction.csv", _expect(warnings=[r"Excel times of day"])),
        _case("excel-time-cells-in-xlsx", "time_cells.xlsx", _expect()),
        _case("excel-time-cells-without-start", "time_cells.xlsx", _error(r"times of day .* pass --start-time"),
              start=None),
        _case("time-utc-column", "time_utc_column.csv", _expect(alignment=r"header gives the zone UTC")),
        _case("ambiguous-dates-decided-by-start", "dates_ambiguous.csv",
              _expect(warnings=[r"read the dates as day-first .* pass --month-first"]),
              start="2026-11-05T20:00:00+08:00"),
        _case("ambiguous-dates-month-first-by-start", "dates_ambiguous.csv",
              _expect(warnings=[r"read the dates as month-first .* pass --day-first"]),
              start="2026-05-11T20:00:00+08:00"),
        _case("ambiguous-dates-without-start", "dates_ambiguous.csv",
              _error(r"day-first or month-first .* pass --day-first or --month-first"), start=None),
        _case("ambiguous-dates-flag-against-start", "dates_ambiguous.csv", _error(r"does not line up .* --start-time"),
              start="2026-11-05T20:00:00+08:00", date_order="month-first"),
        _case("minute-index-column", "minute_index.csv", _expect(alignment=r"offset times \(min from the start")),
        _case("minute-index-unnamed-read-as-seconds", "minute_index_unnamed.csv",
              _error(r"covers only 00:00:10 of the 00:10:00 recording .* time column's unit")),
        _case("time-ranges", "time_ranges.csv", _expect(warnings=[r"ranges .* used the start of each"])),
        _case("twelve-hour-clock", "ampm.csv", _expect(), start="2026-11-20T20:00:00-05:00"),
        _case("dotted-day-first-dates", "dotted_dates.csv", _expect()),
        _case("slash-day-first-dates", "slash_day_first.csv", _expect()),
        _case("excel-text-guard", "excel_text_guard.csv", _expect()),
        # --- units and numbers
        _case("gmv-in-wan-yuan", "gmv_wan_yuan.csv", _expect()),
        _case("gmv-in-fen", "gmv_fen.csv", _expect()),
        _case("decimal-comma-semicolon-csv", "decimal_comma_semicolon.csv",
              _expect({**BASE, "gmv": {"total": _total([g * 10 for g in GMV])}}, warnings=[r"decimal commas"])),
        _case("decimal-comma-quoted", "decimal_comma_quoted.csv",
              _expect({**BASE, "gmv": {"total": _total([g * 10 for g in GMV])}}, warnings=[r"decimal commas"])),
        _case("usd-cells", "usd_cells.csv", _expect(currency={"gmv": "USD"}, warnings=[r"gmv is in USD"])),
        _case("wan-suffix-w", "wan_suffix.csv", _expect({**BASE, "online_viewers": {"peak": max(ONLINE) * 100}})),
        _case("mixed-currencies", "mixed_currency.csv", _error(r"mixes currencies \(CNY, USD\) — export one currency")),
        # --- columns and transforms
        _case("rising-per-minute-count", "rising_per_minute.csv",
              _expect({"comments": {"total": _total(COMMENTS)}, "orders": {"total": _total(RISING_ORDERS)}},
                      warnings=[r"'成交订单数' never falls, but '评论次数' does"])),
        _case("rising-alone-is-ambiguous", "rising_alone.csv",
              _error(r"never falls but starts at 5 .* --counts running-total or --counts per-interval")),
        _case("rising-alone-per-interval-flag", "rising_alone.csv",
              _expect({"orders": {"total": _total(RISING_ORDERS)}}), counts="per-interval"),
        _case("running-totals", "running_totals.csv", _expect(warnings=[r"'成交金额' is a running total"])),
        _case("cumulative-header", "cumulative_header.csv",
              _expect({"comments": {"total": _total(COMMENTS)}, "gmv": {"total": _total(GMV)}},
                      warnings=[r"header says so"])),
        _case("realtime-online-preferred-over-peak", "online_peak_and_realtime.csv",
              _expect({"online_viewers": {"peak": max(ONLINE)}, "comments": {"total": _total(COMMENTS)}},
                      warnings=[r"ignored column '在线人数': '实时在线人数' gives online_viewers"])),
        _case("wider-export-trimmed", "wider_export.csv",
              _expect(warnings=[r"dropped 10 row\(s\) before and 10 after .* KPIs count only the recording's span"])),
        _case("misaligned-export", "misaligned_export.csv",
              _error(r"does not line up with the recording: its rows run -02:00:00–-01:50:00 .* recording runs "
                     r"00:00:00–00:10:00 .* --start-time and --timezone")),
        # --- the platforms' own names
        _case("douyin-buyin-names", "douyin_buyin.csv",
              _expect({**BASE, "viewers_entered": {"total": _total(ENTERED)}, "likes": {"total": _total(LIKES)},
                       "new_followers": {"total": _total(FOLLOWS)}})),
        _case("taobao-guided-sales", "taobao_zhongkongtai.csv",
              _expect({**BASE, "new_followers": {"total": _total(FOLLOWS)}})),
        _case("kuaishou-names", "kuaishou.csv", _expect({**BASE, "likes": {"total": _total(LIKES)}})),
        _case("xiaohongshu-names", "xiaohongshu.csv", _expect({**BASE, "new_followers": {"total": _total(FOLLOWS)}})),
        _case("shipinhao-names", "shipinhao.csv", _expect({**BASE, "likes": {"total": _total(LIKES)}})),
        _case("tiktok-live-manager", "tiktok_live_manager.csv", _expect(currency={"gmv": "USD"}),
              start="2026-11-20T20:00:00-05:00"),
        # --- layouts
        _case("merged-two-row-header-xlsx", "merged_header.xlsx",
              _expect({**BASE, "viewers_entered": {"total": _total(ENTERED)}}, warnings=[r"two-row header"])),
        _case("title-merged-over-header-xlsx", "title_merged_over_header.xlsx", _expect()),
        _case("preamble-6-lines", "preamble_6_lines.csv", _expect(warnings=[r"skipped 6 title row"])),
        _case("note-under-table", "note_under_table.csv", _expect(warnings=[r"skipped 2 row\(s\) without a time"])),
        _case("overview-sheet-first", "overview_then_minutes.xlsx", _expect(warnings=[r"read sheet '分钟数据'"])),
        _case("nested-api-json-with-mapping", "nested_api.json", _expect(),
              mapping_file="nested_api_mapping.json"),
        _case("nested-api-json-without-mapping", "nested_api.json",
              _error(r"no usable columns \(lacks a known metric column.*--mapping")),
        _case("nested-columnar-json", "nested_columnar.json", _expect()),
        # --- comment logs
        _case("comments-clock-with-start", "comments_clock.csv", _comments_expect(), kind="comments"),
        _case("comments-clock-without-start", "comments_clock.csv",
              _error(r"comments times are times of day .* pass --start-time"), kind="comments", start=None),
        _case("comments-absolute-with-start", "comments_absolute.csv", _comments_expect(), kind="comments"),
        _case("comments-absolute-without-start", "comments_absolute.csv",
              _error(r"dates and times .* start time is unknown — pass --start-time"), kind="comments", start=None),
        _case("comments-douyin-crawler-json", "douyin_crawler.json", _comments_expect(first_user="小王"),
              kind="comments"),
        _case("comments-douyin-crawler-utc-creation-time", "douyin_crawler.json", _comments_expect(),
              kind="comments", start=START_UTC, source=CREATION),
        _case("comments-tiktok-crawler-jsonl", "tiktok_crawler.jsonl", _comments_expect(first_user="小王"),
              kind="comments"),
        _case("comments-bilibili-xml", "bilibili_danmaku.xml", _comments_expect(5.25), kind="comments"),
        _case("bilibili-xml-given-as-metrics", "bilibili_danmaku.xml",
              _error(r"is a Bilibili danmaku file \(a comment log\), not a metrics export — pass it with --comments")),
        _case("comments-mapping", "comments_custom_headers.csv", _comments_expect(first_user="小王"),
              kind="comments", mapping_file="comments_custom_mapping.json"),
        _case("comments-without-mapping", "comments_custom_headers.csv",
              _error(r"needs a time and a text field .* --mapping"), kind="comments"),
        _case("comments-after-the-recording", "comments_late.jsonl",
              _error(r"does not line up with the recording: 7 of 7 comments fall outside it .* --metrics-offset"),
              kind="comments"),
    ]


def write(folder: Path = HERE) -> None:
    for name, content in text_files().items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "cases.json").write_text(json.dumps(cases(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
