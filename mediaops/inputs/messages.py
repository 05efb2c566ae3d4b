"""The metrics and comment readers' warnings and refusals, in plain Chinese and English words.

The readers say what they chose, skipped or refused in English lines for the terminal and for scripts
(``Metrics.warnings``, ``InputReport.warnings`` and ``InputReport.error``); those lines name the command-line
flags that change the reading (``--start-time``, ``--times`` …). Everything an operator reads — the reports' data
notes (数据提示), the stream page, the upload page's preview — words them with :func:`describe_message`, from one
table (:data:`PATTERNS`: the form of an English line -> its code) and one catalogue (:data:`WORDS`: a code -> its
words in Chinese and in English). The words name no flag: a web page adds the form field that changes what a
line is about (from :attr:`InputMessage.flags`); a report says what was read and how.

The codes keep the names the upload preview gave them (``pv_w_…`` warnings, ``pv_e_…`` refusals); the catalogue
also words the readers' time readings (``pv_rd_…``), units, dates and metric names, which the lines quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("zh", "en")

__all__ = ["LANGUAGES", "PATTERNS", "WORDS", "InputMessage", "describe_message", "describe_ranges",
           "describe_reading", "metric_name", "words"]

#: code -> (中文, English); ``{name}`` placeholders are filled from the English line (see :data:`PATTERNS`).
WORDS: dict[str, tuple[str, str]] = {
    # metrics and comment fields, as the lines name them
    "metric_orders": ("订单", "orders"),
    "metric_gmv": ("成交额", "GMV"),
    "metric_online_viewers": ("在线人数", "online viewers"),
    "metric_comments": ("评论", "comments"),
    "metric_likes": ("点赞", "likes"),
    "metric_viewers_entered": ("进场人数", "viewers entered"),
    "metric_gifts": ("礼物", "gifts"),
    "metric_shares": ("分享", "shares"),
    "metric_new_followers": ("新增关注", "new followers"),
    "pv_field_user": ("用户", "user"),
    "pv_field_text": ("内容", "text"),
    "pv_field_time": ("时间", "time"),
    "pv_unit_ms": ("毫秒", "milliseconds"),
    "pv_unit_s": ("秒", "seconds"),
    "pv_unit_min": ("分钟", "minutes"),
    "pv_unit_h": ("小时", "hours"),
    "pv_wall_clock": ("（当地时间 {range}）", " (wall clock {range})"),
    "pv_rd_offsets_in": ("从开播起的{unit}数", "offsets in {unit}"),
    "pv_rd_epoch_ms": ("毫秒时间戳（UTC）", "Unix epoch milliseconds (UTC)"),
    "pv_rd_epoch_s": ("秒时间戳（UTC）", "Unix epoch seconds (UTC)"),
    "pv_rd_excel_dates": ("Excel 日期序号", "Excel date numbers"),
    "pv_rd_excel_times": ("Excel 时刻小数", "Excel time-of-day numbers"),
    "pv_rd_seconds": ("从开播起的秒数", "seconds from the start of the stream"),
    "pv_rd_clock": ("一天中的时刻", "times of day"),
    "pv_rd_mmss": ("从开播起的 分:秒", "MM:SS from the start of the stream"),
    "pv_rd_hhmmss": ("从开播起的 时:分:秒", "HH:MM:SS from the start of the stream"),
    "pv_rd_datetimes": ("日期时间", "dates and times"),
    "pv_rd_dates": ("{order}的日期（{example} = {date}）", "dates, {order} ({example} = {date})"),
    "pv_rd_other": ("其他写法", "other"),
    "pv_date": ("{year}年{month}月{day}日", "{day} {month_name} {year}"),
    "pv_e_no_time_column": ("找不到时间列（文件中的列：{found}）。请从直播后台重新导出带时间列的表格。",
                            "No time column (the file's columns: {found}). Export the table again with its time "
                            "column."),
    "pv_e_no_metric_column": ("没有可识别的数据列（文件中的列：{found}）。需要在线人数、进场人数、评论、"
                              "点赞、礼物、分享、新增关注、订单或成交额中的至少一列；请导出平台原始的列名。",
                              "No metric column it knows (the file's columns: {found}). It needs at least one of "
                              "online viewers, viewers entered, comments, likes, gifts, shares, new followers, orders "
                              "or GMV; export the platform's own column names."),
    "pv_e_comment_fields": ("评论记录需要时间列和内容列（文件中的列：{found}）。"
                            "请把列名改为“时间、用户、内容”后重新上传。",
                            "A comment log needs a time and a text column (the file's columns: {found}). Name them "
                            "time, user, text and upload it again."),
    "pv_e_no_numbers": ("数据列里没有数字，请检查导出的文件。",
                        "The metric columns hold no numbers; check the export."),
    "pv_e_danmaku_as_metrics": ("这是 B 站弹幕文件（评论记录），不是数据导出。"
                                "请把它作为评论记录上传，并另外上传数据导出。",
                                "This is a Bilibili danmaku file (a comment log), not a metrics export. Upload it as "
                                "the comment log, and the metrics export on its own."),
    "pv_e_no_rows": ("文件中没有数据行。请导出每个时间段（或每条评论）一行的表格。",
                     "The file has no data rows. Export one row per interval (or per comment)."),
    "pv_e_bad_time": ("第 {line} 行的时间“{cell}”无法识别。时间应写成 时:分:秒、秒数或日期时间。",
                      "Line {line}: the time “{cell}” cannot be read. Write times as HH:MM:SS, seconds or a date "
                      "and time."),
    "pv_e_encoding": ("文件不是 UTF-8 或 GBK 编码的文本。请重新导出为 CSV（UTF-8）、XLSX 或 JSON。",
                      "The file is not text in UTF-8 or GBK. Export it again as CSV (UTF-8), XLSX or JSON."),
    "pv_e_xlsx": ("XLSX 工作簿无法读取，请用 Excel 重新保存后上传。",
                  "The XLSX workbook cannot be read; save it again from Excel and upload it."),
    "pv_e_xls": ("这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传。",
                 "This is an old Excel (.xls) file; save it as .xlsx or CSV and upload it."),
    "pv_e_json": ("JSON 内容无法读取，或其中没有表格。请导出每个时间段一个对象的列表。",
                  "The JSON cannot be read or holds no table. Export a list of objects, one per interval."),
    "pv_e_xml": ("这个 XML 文件不是可读取的 B 站弹幕文件，请重新导出弹幕。",
                 "The XML file is not a readable Bilibili danmaku file; export the danmaku again."),
    "pv_e_mixed_dates": ("日期有的按日在前、有的按月在前书写，请用同一种日期格式重新导出。",
                         "Some dates are day first and others month first; export them in one date format."),
    "pv_e_mixed_times": ("时间列混用了不同写法（例如时长和日期时间），请让每一行使用同一种时间写法。",
                         "The time column mixes kinds of time (such as durations and dates); give every row the same "
                         "kind of time."),
    "pv_e_mixed_numbers": ("“{header}”列混用了小数点和小数逗号，请用同一种数字格式重新导出。",
                           "Column “{header}” mixes decimal points and decimal commas; export one number format."),
    "pv_e_mixed_currency": ("“{header}”列混用了多种货币（{currencies}），请用同一种货币重新导出。",
                            "Column “{header}” mixes currencies ({currencies}); export one currency."),
    "pv_e_counts_unclear": ("“{header}”列从不下降，但起始值为 {first}：无法判断是累计值还是每段的数量。",
                            "Column “{header}” never falls but starts at {first}: it may be a running total or "
                            "each interval's own amount."),
    "pv_e_span": ("文件的时间跨度达 {hours} 小时，而一份导出只应覆盖一场直播。请检查时间列中的日期。",
                  "The file spans {hours} hours, but an export covers one stream. Check the dates in the time "
                  "column."),
    "pv_e_covers_only": ("文件只覆盖了 {duration} 录像中的 {covered}（文件的行在录像上为 {file}），指标只会统计直播的"
                         "一部分。请检查时间列的单位和开播时间。",
                         "The file covers only {covered} of the {duration} recording (its rows run {file} on the "
                         "recording), so KPIs would count part of the stream. Check the time column's unit and the "
                         "stream start."),
    "pv_e_not_aligned": ("文件与录像对不上：文件的时间为 {file}，录像为 {recording}。",
                         "The file does not line up with the recording: its times run {file}, the recording "
                         "{recording}."),
    "pv_e_comments_outside": ("{total} 条评论中有 {outside} 条落在录像之外（评论为 {file}，录像为 {recording}）。",
                              "{outside} of {total} comments fall outside the recording (comments run {file}, the "
                              "recording {recording})."),
    "pv_e_several_zones": ("文件中的时间没有时区，而有多个时区（{zones}）都能与录像对上。",
                           "The file's times have no time zone, and several zones ({zones}) line them up with the "
                           "recording."),
    "pv_e_needs_start": ("文件中的时间是一天中的时刻或日期时间（第一行为“{cell}”），但录像的开播时间未知。",
                         "The file's times are times of day or dates (the first is “{cell}”), but the recording's "
                         "start time is unknown."),
    "pv_e_dates_need_start": ("“{cell}”这样的日期既可按日在前、也可按月在前读取，而录像的开播时间未知。",
                              "Dates such as “{cell}” can be day first or month first, and the recording's start "
                              "time is unknown."),
    "pv_e_dates_both": ("“{cell}”这样的日期按日在前或按月在前读取，都能与录像对上。",
                        "Dates such as “{cell}” line up with the recording both day first and month first."),
    "pv_e_dates_neither": ("“{cell}”这样的日期按日在前或按月在前读取，都与录像对不上。",
                           "Dates such as “{cell}” line up with the recording neither day first nor month first."),
    "pv_e_times_misfit": ("所选的时间含义与文件的时间列不符，请改回“自动判断”。",
                          "The chosen meaning of the times does not fit the file's time column; set it back to "
                          "automatic."),
    "pv_e_timezone": ("文件时区无法识别，请填写如 +08:00 的时区。",
                      "The time zone is not one it knows; write e.g. +08:00, UTC or Asia/Shanghai."),
    "pv_w_gbk": ("文件不是 UTF-8 编码，已按 GBK（中文 Windows 编码）读取。",
                 "The file is not UTF-8; read it as GBK (the Chinese Windows encoding)."),
    "pv_w_sheet": ("读取了工作表“{sheet}”（有时间列且行数最多），跳过了 {others}。",
                   "Read sheet “{sheet}” (the one with a time column and the most rows); skipped {others}."),
    "pv_w_unknown_column": ("“{header}”列不是可识别的指标，已忽略。",
                            "Column “{header}” is not a metric it knows; ignored."),
    "pv_w_duplicate_column": ("已忽略“{header}”列：{metric}取自“{other}”列。",
                              "Ignored column “{header}”: “{other}” gives the {metric}."),
    "pv_w_title_rows": ("跳过了表头上方的 {count} 行标题。", "Skipped {count} title row(s) above the header."),
    "pv_w_two_row_header": ("表头有两行（分组名和列名），已合并读取。",
                            "Read a two-row header (group names over column names)."),
    "pv_w_rows_without_time": ("跳过了 {count} 行没有时间的数据（从第 {line} 行起）。",
                               "Skipped {count} row(s) without a time (from line {line})."),
    "pv_w_decimal_comma": ("“{header}”列使用小数逗号，已把 4325,00 读作 4325.00。",
                           "Column “{header}” writes decimal commas; read 4325,00 as 4325.00."),
    "pv_w_running_total_header": ("“{header}”列是累计值（表头注明），已换算为每段的增量。",
                                  "Column “{header}” is a running total (its header says so); using the change per "
                                  "interval."),
    "pv_w_counts_per_interval": ("“{header}”列从不下降，但“{other}”列会下降，像每段的数量一样；"
                                 "因此也按每段的数量读取。",
                                 "Column “{header}” never falls, but “{other}” does, as per-interval amounts do; read "
                                 "it as per-interval amounts too."),
    "pv_w_running_total_rising": ("“{header}”列从不下降，已按累计值读取并换算为每段的增量。",
                                  "Column “{header}” never falls, so it is read as a running total; using the change "
                                  "per interval."),
    "pv_w_coarse": ("文件每 {seconds} 秒一行；高光识别需要 5 分钟或更细的数据才准确。",
                    "The file has one row per {seconds} s; highlights need rows of 5 min or finer to be precise."),
    "pv_w_sorted": ("行没有按时间顺序排列，已排序。", "The rows were not in time order; sorted them."),
    "pv_w_duplicates_conflicting": ("有 {count} 个重复的时间（其中 {conflicting} 个数值不同），每个时间保留最后一行。",
                                    "{count} duplicated time(s) ({conflicting} with different values); kept the last "
                                    "row of each."),
    "pv_w_duplicates_identical": ("有 {count} 个完全相同的重复时间，已去掉。",
                                  "{count} duplicated time(s) with identical rows; dropped them."),
    "pv_w_missing": ("{count} 个时间段中缺少 {missing} 个（第一个在 {at}），按未知处理。",
                     "{missing} of {count} intervals are missing (the first at {at}); treated as unknown."),
    "pv_w_no_numbers": ("“{header}”列没有数字，已忽略。", "Column “{header}” holds no numbers; ignored it."),
    "pv_w_bad_cells": ("“{header}”列有 {count} 个单元格不是数字，按未知处理。",
                       "Column “{header}” has {count} cell(s) that are not numbers; treated as unknown."),
    "pv_w_currency": ("{metric}的单位是 {currency}（“{header}”列），金额按 {currency} 保留，不做换算。",
                      "The {metric} is in {currency} (column “{header}”); amounts are kept in {currency}, not "
                      "converted."),
    "pv_w_trimmed": ("文件的时间 {file} 比 {duration} 的录像更长：去掉了录像之前的 {before} 行和之后的 {after} 行，"
                     "指标只统计录像时段。",
                     "The file runs {file}, longer than the {duration} recording: dropped {before} row(s) before it "
                     "and {after} after it; KPIs count only the recording's span."),
    "pv_w_start_without_zone": ("开播时间没有时区，已按文件的时区（{zone}）读取。",
                                "The stream start has no time zone; read it in the file's zone ({zone})."),
    "pv_w_beijing": ("文件中的时间没有时区，已按北京时间（{zone}）读取，这是中国平台使用的时间。",
                     "The file's times have no time zone; read them as Beijing time ({zone}), the Chinese platforms' "
                     "clock."),
    "pv_w_assumed_zone": ("文件中的时间没有时区，推定为 {zone}，以与录像的时间对上。",
                          "The file's times have no time zone; assumed {zone} to match the recording's clock."),
    "pv_w_date_order_chosen": ("日期按{order}读取（{example} = {date}）：只有这种读法能与录像对上。",
                               "Read the dates {order} ({example} = {date}): only that reading lines up with the "
                               "recording."),
    "pv_w_read_as_offsets": ("时间按 {label} 读取（“{cell}” = 开播后 {at}）。",
                             "Read the times as {label} (“{cell}” = {at} after the start)."),
    "pv_w_both_fit": ("时间按 {label} 读取（“{cell}” = 录像上的 {at}）；两种读法都能对上。",
                      "Read the times as {label} (“{cell}” = {at} on the recording); both readings fit."),
    "pv_w_ranges": ("时间列是时间段（如 20:00-20:01），已取每段的开始时间。",
                    "The time column holds ranges (20:00-20:01); used the start of each."),
    "pv_w_excel_dates": ("时间列按 Excel 日期序号读取（{value} = {shown}）。",
                         "Read the time column as Excel date numbers ({value} = {shown})."),
    "pv_w_excel_times": ("时间列按 Excel 时刻小数读取（{value} = {shown}）。",
                         "Read the time column as Excel times of day ({value} = {shown})."),
    "pv_w_comments_outside": ("{total} 条评论中有 {outside} 条在录像之外，不计入统计。",
                              "{outside} of {total} comments fall outside the recording; they are not counted."),
    "pv_month_1": ("1月", "January"),
    "pv_month_2": ("2月", "February"),
    "pv_month_3": ("3月", "March"),
    "pv_month_4": ("4月", "April"),
    "pv_month_5": ("5月", "May"),
    "pv_month_6": ("6月", "June"),
    "pv_month_7": ("7月", "July"),
    "pv_month_8": ("8月", "August"),
    "pv_month_9": ("9月", "September"),
    "pv_month_10": ("10月", "October"),
    "pv_month_11": ("11月", "November"),
    "pv_month_12": ("12月", "December"),
    "pv_order_day-first": ("日在前", "day first"),
    "pv_order_month-first": ("月在前", "month first"),
}


@dataclass(frozen=True, slots=True)
class InputMessage:
    """One line of a reader in an operator's words.

    Attributes:
        code: the key of :data:`WORDS` used; empty where the line is in no form this version knows.
        text: the words in the language asked for; empty where ``code`` is.
        flags: the command-line flags the English line names, in order (a page names its form fields instead).
    """

    code: str
    text: str
    flags: tuple[str, ...] = ()


def words(code: str, lang: str, **values: object) -> str:
    """The words of ``code`` in ``lang`` (``zh`` or ``en``) with ``values`` in their ``{placeholders}``.

    Raises:
        KeyError: an unknown code. ValueError: an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    text = WORDS[code][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def metric_name(name: str, lang: str) -> str:
    """A metric (``online_viewers``) or comment field (``text``) in words; the name itself where it has none."""
    key = f"pv_field_{name}" if name in ("user", "text", "time") else f"metric_{name}"
    return words(key, lang) if key in WORDS else name


def _unquote(text: str) -> str:
    """A value the reader wrote with ``repr``, as the file has it."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


#: the readers' labels of a time column's reading -> the code that words it; named groups fill its text
_READINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^offsets in (?P<unit>.+)$", "pv_rd_offsets_in"),
    (r"^Unix epoch milliseconds", "pv_rd_epoch_ms"),
    (r"^Unix epoch seconds", "pv_rd_epoch_s"),
    (r"^Excel serial date numbers$", "pv_rd_excel_dates"),
    (r"^Excel time-of-day numbers$", "pv_rd_excel_times"),
    (r"^(seconds|durations) from the start of the stream$", "pv_rd_seconds"),
    (r"^times of day$", "pv_rd_clock"),
    (r"^MM:SS offsets$", "pv_rd_mmss"),
    (r"^HH:MM:SS offsets$", "pv_rd_hhmmss"),
    (r"^date-times$", "pv_rd_datetimes"),
    (r"^(?P<order>day-first|month-first) dates \((?P<example>\d+/\d+/\d+) = [^)]*\)$", "pv_rd_dates"),
))


def _date(order: str, example: str, lang: str) -> str:
    """The date ``example`` (``03/04/2026``) read ``order`` (``day-first``), in words: 2026年4月3日."""
    first, second, year = (int(part) for part in example.split("/"))
    day, month = (first, second) if order == "day-first" else (second, first)
    return words("pv_date", lang, year=year, month=month, day=day,
                 month_name=words(f"pv_month_{month}", "en") if lang == "en" else "")


def _time_unit(unit: str, lang: str) -> str:
    """A time unit from a header (``min``, ``分钟``, ``s`` …) in words."""
    word = unit.strip().lower()
    for prefixes, key in ((("ms", "毫秒"), "pv_unit_ms"), (("min", "分"), "pv_unit_min"), (("h", "小时"), "pv_unit_h"),
                          (("s", "秒"), "pv_unit_s")):
        if word.startswith(prefixes):
            return words(key, lang)
    return unit


def describe_reading(label: str, lang: str) -> str:
    """How a reader read a time column (its label, ``day-first dates (03/04/2026 = 3 April 2026)``) in words;
    a label in no known form is ``其他写法`` in Chinese and itself in English."""
    for pattern, key in _READINGS:
        match = pattern.search(label)
        if match:
            groups = match.groupdict()
            if key == "pv_rd_offsets_in":
                return words(key, lang, unit=_time_unit(groups["unit"], lang))
            if key == "pv_rd_dates":
                return words(key, lang, order=words(f"pv_order_{groups['order']}", lang), example=groups["example"],
                             date=_date(groups["order"], groups["example"], lang))
            return words(key, lang, **groups)
    return words("pv_rd_other", lang) if lang == "zh" else label


def describe_ranges(text: str, lang: str) -> str:
    """``00:00:00–00:10:00 (wall clock 20:00:00–20:10:00 +08:00)`` in words."""
    return re.sub(r"\s*\(wall clock ([^)]*)\)", lambda m: words("pv_wall_clock", lang, range=m[1]), text)


#: the forms of the readers' English lines -> the code that words them; named groups fill its text. Groups
#: named header/other/cell/sheet are values from the file (shown as written), metric is worded, file/recording
#: are time ranges, label is a time reading.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.S), k) for p, k in (
    # refusals
    (r"has no usable columns \(lacks a time column; found: (?P<found>.*)\) — ", "pv_e_no_time_column"),
    (r"has no usable columns \(lacks a known metric column; found: (?P<found>.*)\) — ", "pv_e_no_metric_column"),
    (r"a comment needs a time and a text field \(found: (?P<found>.*)\) — ", "pv_e_comment_fields"),
    (r"has no metric column with numbers", "pv_e_no_numbers"),
    (r"is a Bilibili danmaku file \(a comment log\), not a metrics export", "pv_e_danmaku_as_metrics"),
    (r"has no data rows", "pv_e_no_rows"),
    (r"line (?P<line>\d+): cannot read time (?P<cell>.*) — use HH:MM:SS", "pv_e_bad_time"),
    (r"is not text in UTF-8 or GBK", "pv_e_encoding"),
    (r"is not a readable XLSX workbook", "pv_e_xlsx"),
    (r"is an old Excel 97 \(\.xls\) file", "pv_e_xls"),
    (r"is not valid JSON|has no table — expected a list of objects", "pv_e_json"),
    (r"declares XML entities|is not well-formed XML|is XML but not a Bilibili danmaku file|a <d> element has no time",
     "pv_e_xml"),
    (r"mix(?:es)? day-first and month-first", "pv_e_mixed_dates"),
    (r"give every row the same kind of time", "pv_e_mixed_times"),
    (r"column (?P<header>.+?) mixes number styles", "pv_e_mixed_numbers"),
    (r"column (?P<header>.+?) mixes currencies \((?P<currencies>[^)]*)\)", "pv_e_mixed_currency"),
    (r"column (?P<header>.+) never falls but starts at (?P<first>\S+) — ", "pv_e_counts_unclear"),
    (r"spans (?P<hours>\d+) hours", "pv_e_span"),
    (r"covers only (?P<covered>\S+) of the (?P<duration>\S+) recording \(rows (?P<file>[^)]+)\)",
     "pv_e_covers_only"),
    (r"does not line up with the recording: its \w+ run (?P<file>.+?) but the recording runs (?P<recording>.+) — ",
     "pv_e_not_aligned"),
    (r"(?P<outside>\d+) of (?P<total>\d+) comments fall outside it \(comments run (?P<file>\S+), the recording "
     r"(?P<recording>\S+)\)", "pv_e_comments_outside"),
    (r"times have no time zone and several zones \((?P<zones>[^)]*)\) line them up", "pv_e_several_zones"),
    (r"times are (?:times of day|dates and times) \(first (?P<cell>.*)\) but the recording's start time is unknown",
     "pv_e_needs_start"),
    (r"dates such as (?P<cell>.+?) can be day-first or month-first and the recording's start time is unknown",
     "pv_e_dates_need_start"),
    (r"dates such as (?P<cell>.+?) can be day-first or month-first and both readings line up",
     "pv_e_dates_both"),
    (r"dates such as (?P<cell>.+?) can be day-first or month-first and neither reading lines up",
     "pv_e_dates_neither"),
    (r"--times (?P<value>\S+) does not fit its time column", "pv_e_times_misfit"),
    (r"^--timezone: ", "pv_e_timezone"),
    # warnings
    (r"is not UTF-8; read it as GBK", "pv_w_gbk"),
    (r"^read sheet (?P<sheet>.+?) \(the one with a time column and the most rows\); skipped (?P<others>.+)$",
     "pv_w_sheet"),
    (r"^ignored unknown column (?P<header>.+) \(rename it with a --mapping file to use it\)$", "pv_w_unknown_column"),
    (r"^ignored column (?P<header>.+?): (?P<other>.+) gives (?:the )?(?P<metric>[a-z_]+)(?: \(.*\))?$",
     "pv_w_duplicate_column"),
    (r"^skipped (?P<count>\d+) title row\(s\) above the header", "pv_w_title_rows"),
    (r"^read a two-row header", "pv_w_two_row_header"),
    (r"^skipped (?P<count>\d+) row\(s\) without a time \(line (?P<line>\d+)", "pv_w_rows_without_time"),
    (r"^column (?P<header>.+) writes decimal commas", "pv_w_decimal_comma"),
    (r"^column (?P<header>.+) is a running total \(its header says so\)", "pv_w_running_total_header"),
    (r"^column (?P<header>.+?) never falls, but (?P<other>.+) does, as per-interval counts do",
     "pv_w_counts_per_interval"),
    (r"^column (?P<header>.+) is a running total \(it never falls\)", "pv_w_running_total_rising"),
    (r"has one row per (?P<seconds>\d+) s; highlights need 5 min or finer", "pv_w_coarse"),
    (r"rows were not in time order; sorted them", "pv_w_sorted"),
    (r"has (?P<count>\d+) duplicated time\(s\) \((?P<conflicting>\d+) with different values",
     "pv_w_duplicates_conflicting"),
    (r"has (?P<count>\d+) duplicated time\(s\) \(identical; dropped\)", "pv_w_duplicates_identical"),
    (r"is missing (?P<missing>\d+) of (?P<count>\d+) intervals \(first at (?P<at>\S+)\)", "pv_w_missing"),
    (r"^column (?P<header>.+) has no numbers; ignored it$", "pv_w_no_numbers"),
    (r"^column (?P<header>.+) has (?P<count>\d+) cell\(s\) that are not numbers", "pv_w_bad_cells"),
    (r"^(?P<metric>[a-z_]+) is in (?P<currency>.+?) \(column (?P<header>.+)\); amounts are kept", "pv_w_currency"),
    (r"^the export runs (?P<file>\S+), wider than the (?P<duration>\S+) recording: dropped (?P<before>\d+) row\(s\) "
     r"before and (?P<after>\d+) after it", "pv_w_trimmed"),
    (r"has no time zone; read it in the export's zone \((?P<zone>.+?)\)", "pv_w_start_without_zone"),
    (r"times have no time zone; read them as Beijing time \((?P<zone>.+?)\)", "pv_w_beijing"),
    (r"times have no time zone; assumed (?P<zone>.+?) to match the recording's clock", "pv_w_assumed_zone"),
    (r"^read the dates as (?P<order>day-first|month-first) dates \((?P<example>\d+/\d+/\d+) = [^)]*\): only that "
     r"reading lines up", "pv_w_date_order_chosen"),
    (r"^read the \w+ times as (?P<label>.+?) \((?P<cell>.+) = (?P<at>\S+) after the start\) — pass --start-time",
     "pv_w_read_as_offsets"),
    (r"^read the \w+ times as (?P<label>.+?) \((?P<cell>.+) = (?P<at>\S+) on the recording\); both readings fit",
     "pv_w_both_fit"),
    (r"^the time column holds ranges", "pv_w_ranges"),
    (r"^read the time column as Excel date numbers \((?P<value>\S+) = (?P<shown>[^)]+)\)", "pv_w_excel_dates"),
    (r"^read the time column as Excel times of day \((?P<value>\S+) = (?P<shown>[^)]+)\)", "pv_w_excel_times"),
    (r"^(?P<outside>\d+) of (?P<total>\d+) comments fall outside the recording; they are not counted",
     "pv_w_comments_outside"),
))

#: values of these groups came from the file, written by the reader with repr()
_FROM_FILE = ("header", "other", "cell", "sheet")
_LIST_SEPARATORS = {"zh": "、", "en": ", "}


def describe_message(line: str, lang: str) -> InputMessage:
    """A reader's English ``line`` (a warning or a refusal) in plain words of ``lang`` (``zh`` or ``en``), with
    the flags it names. Values from the file (column names, cells, sheets) are kept as the file writes them.

    Raises:
        ValueError: an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    flags = tuple(dict.fromkeys(re.findall(r"--[a-z][a-z-]*", line)))
    for pattern, key in PATTERNS:
        match = pattern.search(line)
        if not match:
            continue
        values: dict[str, object] = {}
        for name, value in match.groupdict().items():
            value = value or ""
            if name in _FROM_FILE:
                value = _unquote(value)
            elif name == "metric":
                value = metric_name(value, lang)
            elif name in ("file", "recording"):
                value = describe_ranges(value, lang)
            elif name == "label":
                value = describe_reading(value, lang)
            elif name in ("found", "others"):
                value = _LIST_SEPARATORS[lang].join(_unquote(v) for v in value.split(", "))
            values[name] = value
        if key == "pv_w_date_order_chosen":
            values["date"] = _date(str(values["order"]), str(values["example"]), lang)
            values["order"] = words(f"pv_order_{values['order']}", lang)
        return InputMessage(key, words(key, lang, **values), flags)
    return InputMessage("", "", flags)
