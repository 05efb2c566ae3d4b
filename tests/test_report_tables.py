"""The report tables (``report/tables.py``) that the HTML, Markdown and PDF reports share, in Chinese and English,
on the deterministic report stream of ``tests/retro_data.py``. Pure: no files are written.

Wrong implementations these tests reject:
- headers or KPI names left in one language (English headers in the Chinese report, or the reverse);
- an absent figure shown as 0 or as an empty cell (a missing column reads "absent"/"未提供"), or a real zero shown
  as absent;
- a missing baseline, clip or lag shown as "0", "None" or "" instead of an em dash;
- GMV without cents, orders with them, or large figures without thousands separators;
- a clip's or spike's product shown as its SKU although the product was pitched by name, or a clip without a
  product shown as "None";
- rows reordered: spikes out of time order, clips out of the timeline's order (best first).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mediaops.report.tables import clip_table, kpi_table, product_table, spike_table
from mediaops.retrospective.document import Retrospective, build_retrospective
from mediaops.types import SalesSpike, Timeline
from tests.retro_data import build_timeline

HEADERS = {
    "zh": {
        "kpi": ("指标", "数值", "数据来源"),
        "spike": ("#", "时间", "指标", "数值", "基线", "归因", "片段", "置信度", "距讲解开始"),
        "product": ("商品", "讲解段", "讲解时长", "讲解中订单", "讲解中GMV", "讲解后订单", "讲解后GMV", "千人订单",
                    "最佳片段"),
        "clip": ("片段", "开始", "结束", "得分", "商品", "原因", "文件"),
    },
    "en": {
        "kpi": ("KPI", "Value", "From"),
        "spike": ("#", "Time", "Metric", "Value", "Baseline", "Cause", "Clip", "Confidence", "After pitch start"),
        "product": ("Product", "Pitches", "On air", "Orders during", "GMV during", "Orders after", "GMV after",
                    "Orders / 1k viewers", "Best clip"),
        "clip": ("Clip", "Start", "End", "Score", "Product", "Why", "File"),
    },
}
ABSENT = {"zh": "未提供", "en": "absent"}
LANGS = pytest.mark.parametrize("lang", ["zh", "en"])


def _retro(timeline: Timeline | None = None) -> Retrospective:
    return build_retrospective(timeline or build_timeline())


def _without(timeline: Timeline, *names: str) -> Timeline:
    assert timeline.metrics is not None
    series = tuple(s for s in timeline.metrics.series if s.name not in names)
    return replace(timeline, metrics=replace(timeline.metrics, series=series))


def _zero_orders(timeline: Timeline) -> Timeline:
    assert timeline.metrics is not None
    series = tuple(replace(s, values=(0.0,) * len(s.values)) if s.name == "orders" else s
                   for s in timeline.metrics.series)
    return replace(timeline, metrics=replace(timeline.metrics, series=series))


@LANGS
def test_headers_are_in_the_report_language(lang: str) -> None:
    retro = _retro()
    tables = {"kpi": kpi_table(retro, lang), "spike": spike_table(retro, lang),
              "product": product_table(retro, lang), "clip": clip_table(retro, lang)}
    for name, table in tables.items():
        assert table.headers == HEADERS[lang][name], name
        assert all(len(row) == len(table.headers) for row in table.rows), name


@LANGS
def test_kpis_absent_stay_absent_and_zero_stays_zero(lang: str) -> None:
    retro = _retro(_zero_orders(_without(build_timeline(), "gmv")))
    rows = {row[0]: row[1:] for row in kpi_table(retro, lang).rows}
    names = {"zh": ("直播时长（分钟）", "订单数", "GMV", "进房人数"),
             "en": ("Duration (min)", "Orders", "GMV", "Viewer inflow")}[lang]
    duration, orders, gmv, inflow = names
    assert rows[duration] == ("20.0", {"zh": "录像", "en": "Recording"}[lang])
    assert rows[orders] == ("0", {"zh": "订单", "en": "Orders"}[lang])  # a zero is a figure, not absent
    note = {"zh": "导出数据中没有该列，未估算", "en": "not in the metrics export; not estimated"}[lang]
    assert rows[gmv] == (ABSENT[lang], note) and rows[inflow] == (ABSENT[lang], note)
    assert len(rows) == len(retro.kpis)


@LANGS
def test_kpis_with_no_metrics_are_all_absent_but_the_duration(lang: str) -> None:
    rows = kpi_table(_retro(replace(build_timeline(), metrics=None)), lang).rows
    assert rows[0][1] == "20.0"
    assert [row[1] for row in rows[1:]] == [ABSENT[lang]] * (len(rows) - 1)


@LANGS
def test_spike_rows_in_time_order_with_their_units(lang: str) -> None:
    retro = _retro()
    rows = spike_table(retro, lang).rows
    # one row per sales moment: its orders and GMV spikes side by side
    assert [row[0] for row in rows] == list(dict.fromkeys(s.event_id for s in retro.timeline.sales_spikes))
    times = [s.t_s for s in retro.timeline.sales_spikes]
    assert times == sorted(times) and len(rows) == 3 and len(times) == 6
    by_id = {row[0]: row for row in rows}
    cause = {"zh": "破壁料理机 · 讲解+片段", "en": "破壁料理机 · pitch + clip"}[lang]
    orders = {"zh": "订单", "en": "Orders"}[lang]
    assert by_id["sale-01"][1:] == ("0:03:25", f"{orders} + GMV", "15 / 585.00", "1 / 30.00", cause, "clip-01",
                                    "0.67", "85 s")


@LANGS
def test_spike_without_baseline_clip_or_lag_shows_dashes(lang: str) -> None:
    spikes = (SalesSpike("gmv-09", 61.0, "gmv", 12_345.5), SalesSpike("orders-09", 61.0, "orders", 1234.0,
                                                                      sku="SKU-X", attribution="pitch"))
    retro = _retro(replace(build_timeline(), sales_spikes=spikes))
    first, second = spike_table(retro, lang).rows
    unattributed = {"zh": "未归因", "en": "unattributed"}[lang]
    assert first[1:] == ("0:01:01", "GMV", "12,345.50", "—", unattributed, "—", "0.00", "—")
    # a SKU that was never pitched is named by its SKU
    assert second[3:6] == ("1,234", "—", "SKU-X · " + {"zh": "讲解", "en": "pitch"}[lang])


@LANGS
def test_product_rows_show_absent_sales_as_absent(lang: str) -> None:
    rows = product_table(_retro(_without(build_timeline(), "gmv")), lang).rows
    assert [row[0] for row in rows] == ["破壁料理机 (SKU-A)", "Cozy Blanket (SKU-B)", "精华液 (SKU-C)",
                                        "Glow Serum (SKU-D)"]
    blender = rows[0]
    assert blender[1:4] == ("0:02:00–0:05:00", "0:03:00", "67")
    assert (blender[4], blender[6]) == (ABSENT[lang], ABSENT[lang])  # no GMV column: not 0.00
    assert blender[5] == "13" and blender[8] == "clip-01"
    assert rows[2][8] == "—"  # the decoy pitch has no best clip
    bare = product_table(_retro(replace(build_timeline(), metrics=None)), lang).rows[0]
    assert bare[3:8] == (ABSENT[lang],) * 5


@LANGS
def test_product_figures_keep_cents_and_separators(lang: str) -> None:
    blender = product_table(_retro(), lang).rows[0]
    assert blender[3:8] == ("67", "2,505.00", "13", "390.00", "310.9")


@LANGS
def test_clip_rows_in_timeline_order_with_product_names(lang: str) -> None:
    retro = _retro()
    rows = clip_table(retro, lang).rows
    assert [row[0] for row in rows] == [c.id for c in retro.timeline.clips]
    # the reasons' records in the report's words, one sentence per part (reaction, start, product)
    words = {"zh": "评论是平时的 6 倍，点赞是 2.4 倍；画面在观众反应前 6 秒切换，反应前只有这一次画面切换；"
                   "当时在讲解“破壁料理机”",
             "en": "comments 6× their usual level, likes 2.4×; the picture changed 6 s before viewers reacted, the "
                   "only picture change shortly before; during the pitch of 破壁料理机"}
    assert rows[0] == ("clip-01", "0:02:00", "0:02:30", "5.5", "破壁料理机", words[lang], "clips/clip-01.mp4")
    assert rows[3][4] == "—"  # a clip with no product
    # texts in no form the library wrote (and no records) are shown as they are, one sentence each
    old = replace(retro.timeline, clips=tuple(replace(c, reasons=("comments +4.0σ", "starts at scene cut 120.00 s"),
                                                      reason_records=()) for c in retro.timeline.clips))
    joiner = "；" if lang == "zh" else "; "
    assert clip_table(_retro(old), lang).rows[0][5] == f"comments +4.0σ{joiner}starts at scene cut 120.00 s"
