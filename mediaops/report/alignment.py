"""How the metrics export was read, in the report's language: how its times were put on the recording, and its
data notes (数据提示).

The library describes the alignment in one English line (``Metrics.alignment``, also printed by the CLI) and as
data (``Metrics.alignment_basis``); the English report shows the line, the Chinese one says the data in Chinese.
The reader's warnings (``Metrics.warnings``, English lines naming command-line flags) are worded in either
language by :func:`mediaops.inputs.messages.describe_message`, without the flags: the same report comes from a
command-line run and from a web job, and says what was read and how, not which flag or form field changes it.
"""

from __future__ import annotations

from mediaops.inputs.messages import describe_message
from mediaops.report.i18n import labels
from mediaops.types import Metrics

_ZH_TIMES = {"offset": "导出的时间从开播算起", "clock": "导出的时间是当天的时刻", "absolute": "导出的时间是日期和时刻"}
_ZH_START = {"start_time": "按给定的开播时间对齐", "creation_time": "按录像文件的创建时间对齐"}
_ZH_ZONE = {"header": "时区取自表头", "option": "按指定的时区读取", "start_time": "时区与开播时间相同",
            "beijing": "未注明时区，按北京时间读取", "assumed": "未注明时区，按与录像对得上的时区读取"}


def _zh(metrics: Metrics) -> str:
    basis = metrics.alignment_basis
    # a timeline written before the basis was kept: offsets where no start was needed, else wall-clock times
    times = basis.get("times") or ("offset" if metrics.start_time is None else "absolute")
    parts = [_ZH_TIMES.get(times, _ZH_TIMES["absolute"])]
    if times != "offset":
        parts.append(_ZH_START.get(basis.get("start_from", ""), "按开播时间对齐"))
        if basis.get("zone_from") in _ZH_ZONE:
            parts.append(_ZH_ZONE[basis["zone_from"]])
    return "，".join(parts) + f"；{labels('zh')['offset']} {metrics.offset_s:+.1f} 秒"


def alignment_text(metrics: Metrics, lang: str) -> str:
    """The alignment of ``metrics`` with its ``--metrics-offset``, in ``lang`` (``zh`` or ``en``); empty where the
    export's times were not placed (no alignment recorded)."""
    if not metrics.alignment and not metrics.alignment_basis:
        return ""
    if lang == "zh":
        return _zh(metrics)
    return f"{metrics.alignment}; {labels(lang)['offset']} {metrics.offset_s:+.1f} s"


#: a note in no form this version knows, in a Chinese report (the English report shows the line itself)
_ZH_OTHER_NOTE = "读取数据导出时另有一条说明（英文报告中可见）。"


def data_notes(metrics: Metrics | None, lang: str) -> tuple[str, ...]:
    """What the reader of ``metrics`` chose or skipped (its ``warnings``), one sentence each in ``lang``: plain
    words without command-line flags; a line in no known form is itself in English and one general sentence in
    Chinese (said once)."""
    if metrics is None:
        return ()
    notes = []
    for line in metrics.warnings:
        found = describe_message(line, lang)
        notes.append(found.text or (_ZH_OTHER_NOTE if lang == "zh" else line))
    return tuple(dict.fromkeys(notes))
